// Labelled pairs for the categories of answers the verifier first missed on graders' and
// harnesses' cases it had never seen (issue 19), written here by hand: answers in prose or with
// words around the value (`prose`), golds as datasets store them (`gold-form`), equation chains
// and labels (`chain`), numbers as people write them (`number-form`), and structures written
// another way (`structure`). Same line format as labelled-pairs.ts. Every rule added for these
// categories has at least one pair here that it must not accept. Data only:
// test/reward-math/fidelity.test.ts requires agreement on every pair.
import { parsePairs, type LabelledPair } from './labelled-pairs.ts';

const TABLE = String.raw`
= prose @@ 28\% @@ 28 percent
= prose @@ 28\% @@ 28 pct
= prose @@ 28\% @@ $28$ percent
= prose @@ 28 @@ 28 percent
= prose @@ 0.28 @@ 28 percent
= prose @@ 11 @@ x \approx 11
= prose @@ 11 @@ \approx 11
= prose @@ 5 @@ The answer is 5.
= prose @@ 5 @@ \text{The answer is } 5
= prose @@ 5 @@ \text{Answer: } 5
= prose @@ \frac{3}{4} @@ the answer is $\frac{3}{4}$
= prose @@ 12 @@ 12 \text{ apples}
! prose @@ 28\% @@ 29 percent
! prose @@ 11 @@ x \approx 12
! prose @@ 5 @@ The answer is 6.
! prose @@ 5 @@ The answer is not 5
! prose @@ \pi @@ x \approx 3.14
! prose @@ 28\% @@ 28 pct of 50
= prose @@ 28\% @@ \text{28 percent}
= prose @@ 28\% @@ 28 \text{ percent}
= prose @@ 28\% @@ 28 per cent
= prose @@ 11 @@ \text{approximately } 11
= prose @@ B @@ \text{Answer: (B)}
= prose @@ 5 @@ Final Answer: The final answer is $5$. I hope it is correct.
! prose @@ 6 @@ Final Answer: The final answer is $5$. I hope it is correct.
! prose @@ 28\% @@ \text{29 percent}
! prose @@ 11 @@ \text{approximately } 12
= prose @@ \frac{22}{7} @@ x = \frac{22}{7} \approx 3.14
! prose @@ \frac{22}{7} @@ x = \frac{23}{7} \approx 3.29
= gold-form @@ The area is $\boxed{12}$. @@ 12
= gold-form @@ We find $x=3$, so the answer is \boxed{3}. @@ 3
= gold-form @@ \boxed{2} and \boxed{5} @@ 2, 5
= gold-form @@ First $\boxed{1}$ is wrong; the answer is $\boxed{7}$ @@ 7
= gold-form @@ \frac{1}{2}.\end{align*} @@ \frac12
= gold-form @@ x = 4 \end{align*} @@ 4
= gold-form @@ \\dfrac{3}{4} @@ 0.75
= gold-form @@ \\sqrt{2} @@ \sqrt 2
= gold-form @@ \\frac{\\pi}{3} @@ \pi/3
= gold-form @@ \begin{pmatrix} 1 \\ 2 \end{pmatrix} @@ (1,2)
! gold-form @@ The area is $\boxed{12}$. @@ 13
! gold-form @@ \boxed{2} and \boxed{5} @@ 2
! gold-form @@ \\dfrac{3}{4} @@ 0.7
! gold-form @@ \frac{1}{2}.\end{align*} @@ 2
= gold-form @@ $\boxed{12}$ @@ 12
= gold-form @@ \[\boxed{12}\] @@ 12
= gold-form @@ \begin{align*} x &= 4 \end{align*} @@ 4
= gold-form @@ \\boxed{\\frac{1}{2}} @@ 0.5
= gold-form @@ So $x=\boxed{3}$ and $y=\boxed{4}$. @@ 4
! gold-form @@ \[\boxed{12}\] @@ 21
! gold-form @@ \begin{align*} x &= 4 \end{align*} @@ 5
= gold-form @@ $x = \boxed{3}$ @@ 3
! gold-form @@ $x = \boxed{3}$ @@ 4
= gold-form @@ \\{1, \\frac{1}{2}\\} @@ \{\frac12, 1\}
! gold-form @@ \\{1, \\frac{1}{2}\\} @@ \{\frac13, 1\}
= chain @@ 11 @@ x=5+5+1=7=11
= chain @@ (3,2) @@ (p,q)=(3,2)
= chain @@ 4, 5 @@ AB=4, CD=5
= chain @@ 1 @@ f(x)=1
= chain @@ 1 @@ |AB|=1
= chain @@ 74 @@ \angle APC=74^\circ
= chain @@ 11:21 @@ V_1:V_2=11:21
= chain @@ x=5+5+1=7=11 @@ 11
= chain @@ (p,q)=(3,2) @@ (3,2)
= chain @@ f(x)=1 @@ 1
= chain @@ \angle APC=74^\circ @@ 74
= chain @@ 6 @@ a+b = 6
= chain @@ 2x+3 @@ y = 2x+3
! chain @@ 12 @@ x=5+5+1=7=11
! chain @@ (3,2) @@ (p,q)=(2,3)
! chain @@ 4, 5 @@ AB=4, CD=6
! chain @@ 1 @@ f(x)=2
! chain @@ 74 @@ \angle APC=64^\circ
! chain @@ 11:21 @@ V_1:V_2=21:11
! chain @@ x=2 @@ 3
! chain @@ 5 @@ x + y = 6
= chain @@ \frac12 @@ P(A) = \frac{1}{2}
= chain @@ 30 @@ m\angle ABC = 30^\circ
= chain @@ (3, 4) @@ x = 3, y = 4
= chain @@ x = 3, y = 4 @@ (3, 4)
= chain @@ \frac34 @@ \frac{a}{b} = \frac{3}{4}
= chain @@ 5 @@ \overline{AB} = 5
! chain @@ (3, 4) @@ x = 4, y = 3
! chain @@ x+y=5 @@ 5
! chain @@ 2x = 6 @@ 6
! chain @@ \frac12 @@ P(A) = \frac{1}{3}
! chain @@ \overline{AB} = 5 @@ 6
! chain @@ 5 @@ \overline{AB} = 6
= number-form @@ 0.111 @@ 0,111
= number-form @@ 1000.99 @@ 1000,99
= number-form @@ 7425000 @@ 7,425,000
= number-form @@ -2.5 @@ -2,5
= number-form @@ \frac{1}{12} @@ 0.0833333333333333
= number-form @@ 0.0833333333333333 @@ \frac{1}{12}
= number-form @@ \frac{2}{3} @@ 0.666666666667
= number-form @@ \sqrt{2} @@ 1.4142135624
= number-form @@ \begin{pmatrix} \frac{1}{3} \\ \frac{2}{3} \end{pmatrix} @@ \begin{pmatrix} 0.3333333333333 \\ 0.6666666666667 \end{pmatrix}
= number-form @@ \left[\frac{1}{7}, 1\right) @@ [0.142857142857, 1)
= number-form @@ \frac{\pi}{4} @@ 45^\circ
= number-form @@ 45^\circ @@ \frac{\pi}{4}
= number-form @@ 120^\circ @@ \frac{2\pi}{3}
= number-form @@ 30 @@ 30^\circ
! number-form @@ 0.111 @@ 0,112
! number-form @@ 7.425 @@ 7,425
! number-form @@ \frac{1}{12} @@ 0.0833
! number-form @@ \frac{1}{3} @@ 0.333333
! number-form @@ \frac{1}{12} @@ 0.0833333333343333
! number-form @@ \begin{pmatrix} \frac{1}{3} \\ \frac{2}{3} \end{pmatrix} @@ \begin{pmatrix} 0.33 \\ 0.67 \end{pmatrix}
! number-form @@ \frac{\pi}{4} @@ 45
! number-form @@ \frac{\pi}{4} @@ 60^\circ
! number-form @@ 45 @@ \frac{\pi}{4}
! number-form @@ 1.00000000001 @@ 1.00000000002
! number-form @@ 1 @@ 0.9999999999
= number-form @@ 3.5 @@ 3,5
= number-form @@ -0.5 @@ -0,5
= number-form @@ 12.34 @@ 12,34
= number-form @@ 1234 @@ 1,234
= number-form @@ \frac{\pi}{3} @@ 1.047197551
= number-form @@ \frac{\pi}{4} @@ 45 degrees
= number-form @@ \frac{\pi}{6} @@ 30°
= number-form @@ 60^\circ @@ \frac{\pi}{3} \text{ radians}
! number-form @@ \frac{\pi}{3} @@ 1.0471975
! number-form @@ \pi @@ 3.14159265
! number-form @@ 12.34 @@ 12,35
! number-form @@ \frac{\pi}{4} @@ 45 \text{ units}
! number-form @@ \left[\frac{1}{7}, 1\right) @@ [0.142857, 1)
= number-form @@ \begin{pmatrix} 0.5 & \frac{\sqrt{3}}{2} \end{pmatrix} @@ \begin{pmatrix} 0.5 & 0.8660254038 \end{pmatrix}
! number-form @@ \begin{pmatrix} 0.5 & \frac{\sqrt{3}}{2} \end{pmatrix} @@ \begin{pmatrix} 0.5 & 0.866 \end{pmatrix}
= structure @@ 1, 2 @@ 1 \text{ and } 2
= structure @@ 1, 2 @@ 1 and 2
= structure @@ 3, -1 @@ x=3 \text{ and } x=-1
= structure @@ (0,1) @@ 0<f(x)<1
= structure @@ [-\frac{3}{2},-1]\cup[1,\frac{3}{2}] @@ 1\le|z|\le 3/2
= structure @@ (-2,2) @@ |x|<2
= structure @@ \{1, 2, 3\} @@ (1, 2, 3)
= structure @@ \{1,2\} @@ (2, 1)
= structure @@ (0,1) @@ 0 < y < 1
! structure @@ 1, 2 @@ 1 and 3
! structure @@ (0,1) @@ 0<f(x)\le1
! structure @@ [-\frac{3}{2},-1]\cup[1,\frac{3}{2}] @@ 1<|z|\le 3/2
! structure @@ (1, 2) @@ \{1, 2\}
! structure @@ \{1, 2, 3\} @@ [1, 3]
! structure @@ \{1, 2, 3\} @@ (1, 2)
! structure @@ (-2,2) @@ |x|>2
= structure @@ (-\infty,2)\cup(5,\infty) @@ x < 2 \text{ or } x > 5
= structure @@ [-2, 2] @@ |x| \le 2
= structure @@ (-\infty,-1)\cup(1,\infty) @@ |x| > 1
= structure @@ 2, 3 @@ 2\ \text{and}\ 3
= structure @@ \{1,2,3\} @@ 1, 2, 3
! structure @@ (-\infty,2)\cup(5,\infty) @@ x < 2 \text{ or } x > 6
! structure @@ [-2, 2] @@ |x| < 2
! structure @@ (-\infty,-1)\cup(1,\infty) @@ |x| \ge 1
= structure @@ (-1, 3) @@ |x-1| < 2
= structure @@ (-\infty, -4] \cup [2, \infty) @@ |x+1| \ge 3
! structure @@ (-1, 3) @@ |x+1| < 2
`;

export const FIDELITY_PAIRS: LabelledPair[] = parsePairs(TABLE);
