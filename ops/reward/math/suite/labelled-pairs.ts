// The labelled equivalence suite for the math verifier: pairs written by hand, grouped by
// the categories of issue 4, each labelled with whether a careful human grader would call
// the predicted answer equivalent to the gold one. Format per line: `=` or `!`, category,
// gold, pred, separated by ` @@ `. Data only: test/reward-math/labelled.test.ts scores the
// verifier on it and `ace bench math-verifier` times it.

export type LabelledPair = { category: string; gold: string; pred: string; equal: boolean; line: number };

const TABLE = String.raw`
= frac @@ \frac{1}{2} @@ 0.5
= frac @@ \frac12 @@ 1/2
= frac @@ \dfrac{3}{4} @@ \frac 34
= frac @@ \tfrac{5}{8} @@ 0.625
= frac @@ \frac{9}{19} @@ \frac9{19}
= frac @@ \frac{10}{4} @@ \frac{5}{2}
= frac @@ -\frac{3}{8} @@ \frac{-3}{8}
= frac @@ -\frac{3}{8} @@ -0.375
= frac @@ \frac{2}{1005} @@ 2/1005
= frac @@ \frac{14}{3} @@ 4\frac{2}{3}
= frac @@ 2.50 @@ \frac{5}{2}
= frac @@ \frac{1}{3} @@ \frac{2}{6}
= frac @@ \frac{-24}{25} @@ -\dfrac{24}{25}
= frac @@ 0.125 @@ \frac18
! frac @@ \frac{1}{2} @@ \frac{1}{3}
! frac @@ \frac{1}{3} @@ 0.333
! frac @@ \frac{1}{3} @@ 0.3333333
! frac @@ \frac{2}{3} @@ \frac{3}{2}
! frac @@ -\frac{3}{8} @@ \frac{3}{8}
! frac @@ \frac{9}{19} @@ \frac{9}{1}9
! frac @@ \frac{13}{15} @@ \frac{13}{16}
! frac @@ 0.625 @@ 0.626
= leftright @@ \left( \frac{3}{2}, -13 \right) @@ (3/2, -13)
= leftright @@ \left[ 1, 2 \right] @@ [1,2]
= leftright @@ \left| -5 \right| @@ 5
= leftright @@ \left(\frac{3}{5},\frac{8}{3}\right] @@ (0.6, 8/3]
= leftright @@ \bigl(1, 2\bigr) @@ (1,2)
= leftright @@ \left( 3, \frac{\pi}{2} \right) @@ (3, \pi/2)
= leftright @@ 2\left(x+1\right) @@ 2x+2
= leftright @@ \left\{ 1, 2 \right\} @@ \{2,1\}
! leftright @@ \left( 3, \frac{\pi}{2} \right) @@ (3, \pi)
! leftright @@ \left[ 1, 2 \right] @@ (1,2)
! leftright @@ \left| -5 \right| @@ -5
! leftright @@ \left(\frac{3}{5},\frac{8}{3}\right] @@ (3/5, 8/3)
= spaces @@ 1 - 12i @@ 1-12i
= spaces @@ 11\sqrt2 @@ 11 \sqrt{2}
= spaces @@ 3 \sqrt{5} @@ 3\sqrt5
= spaces @@ x^5 - x^4 + x^3 - x^2 + x - 1 @@ x^5-x^4+x^3-x^2+x-1
= spaces @@ 2 \pi @@ 2\pi
= spaces @@ 6\,\sqrt{2} @@ 6\sqrt{2}
= spaces @@ 5\;\text{and}\;7 @@ 5, 7
= spaces @@ \cot x @@ \cot{x}
! spaces @@ 1 - 12i @@ 1+12i
! spaces @@ 11\sqrt2 @@ 11 \sqrt{3}
! spaces @@ \cot x @@ \tan x
= text @@ \text{Evelyn} @@ Evelyn
= text @@ \text{east} @@ East
= text @@ \text{ellipse} @@ \text{Ellipse}
= text @@ \text{even} @@ even
= text @@ \text{Navin} @@ \textbf{Navin}
= text @@ \text{(C)} @@ C
= text @@ \text{(E)} @@ (E)
= text @@ \text{(B)} @@ \text{B}
= text @@ \text{odd} @@ \text{ odd }
! text @@ \text{Evelyn} @@ Navin
! text @@ \text{east} @@ west
! text @@ \text{even} @@ odd
! text @@ \text{(C)} @@ D
! text @@ \text{(E)} @@ (A)
! text @@ \text{ellipse} @@ parabola
! text @@ \text{odd} @@ 5
= units @@ 15\mbox{ cm}^2 @@ 15
= units @@ 5.4 \text{ cents} @@ 5.4
= units @@ 864 \mbox{ inches}^2 @@ 864
= units @@ \frac{270}7\text{ degrees} @@ \frac{270}{7}
= units @@ 12 \text{ units} @@ 12
= units @@ 30 \text{ meters} @@ 30
= units @@ 45 @@ 45 \text{ minutes}
= units @@ 7 @@ 7 \text{ cm}
= units @@ 3 @@ 3 square units
= units @@ 20 @@ 20 dollars
= units @@ 8 @@ 8\text{ ways}
! units @@ 15\mbox{ cm}^2 @@ 16
! units @@ 5.4 \text{ cents} @@ 54
! units @@ \frac{270}7\text{ degrees} @@ \frac{270}{8}
! units @@ 12 \text{ units} @@ 13 \text{ units}
! units @@ 7 @@ 8 \text{ cm}
= degrees @@ 30^\circ @@ 30
= degrees @@ 120^\circ @@ 120^{\circ}
= degrees @@ 106^\circ @@ 106
= degrees @@ 55 @@ 55^\circ
= degrees @@ 90^\circ @@ 90°
= degrees @@ 145^{\circ} @@ 145\degree
= degrees @@ 36^\circ @@ 36 degrees
= degrees @@ 75 @@ 75^{\circ}
! degrees @@ 30^\circ @@ 60^\circ
! degrees @@ 120^\circ @@ 12
! degrees @@ 106^\circ @@ 107
! degrees @@ 55 @@ 35^\circ
= percent @@ 25\% @@ 25
= percent @@ 25 @@ 25\%
= percent @@ 12.5\% @@ 12.5
= percent @@ 40\% @@ 40 \%
= percent @@ 3\% @@ 3%
= percent @@ 66.6\% @@ 66.6
! percent @@ 25\% @@ 26
! percent @@ 12.5\% @@ 12
! percent @@ 40\% @@ 4
! percent @@ 3\% @@ 30%
= percent @@ 25\% @@ 0.25
= percent @@ 0.125 @@ 12.5\%
! percent @@ 25\% @@ 0.025
! percent @@ 0.25 @@ 2.5\%
= thousands @@ 7,425,000 @@ 7425000
= thousands @@ 11,\!111 @@ 11111
= thousands @@ 10,\!080 @@ 10080
= thousands @@ 11,\! 111,\! 111,\! 100 @@ 11111111100
= thousands @@ \$32,\!348 @@ 32348
= thousands @@ 58,500 @@ 58500
= thousands @@ 28800 @@ 28{,}800
= thousands @@ 1,000,000 @@ 10^6
= thousands @@ 26000 @@ 26,000
= thousands @@ 13535 @@ 13,535
! thousands @@ 7,425,000 @@ 742500
! thousands @@ 11,\!111 @@ 1111
! thousands @@ 58,500 @@ 58.5
! thousands @@ 26000 @@ 2600
! thousands @@ 10,\!080 @@ 1080
= prefix @@ 3 @@ x = 3
= prefix @@ 3 @@ x=3
= prefix @@ 5 @@ k = 5
= prefix @@ 12 @@ n=12
= prefix @@ -\frac{1}{2} @@ a = -0.5
= prefix @@ x = 7 @@ 7
= prefix @@ 2\sqrt{5} @@ r = \sqrt{20}
= prefix @@ \frac{\pi}{3} @@ \theta = \frac{\pi}{3}
= prefix @@ 4 @@ m=4
= prefix @@ x=3 @@ x = 3.0
! prefix @@ 3 @@ x = 4
! prefix @@ 5 @@ k = -5
! prefix @@ x = 7 @@ 8
! prefix @@ \frac{\pi}{3} @@ \theta = \frac{\pi}{6}
! prefix @@ 12 @@ n=21
= sci @@ 6.72 \times 10^{-5} @@ .0000672
= sci @@ 6.72e-5 @@ 0.0000672
= sci @@ .0000672 @@ 6.72\times10^{-5}
= sci @@ 1.5 \times 10^{3} @@ 1500
= sci @@ 3\cdot 10^8 @@ 300000000
= sci @@ 2.5E4 @@ 25000
= sci @@ 10^{-3} @@ 0.001
= sci @@ 4 \times 10^{6} @@ 4000000
! sci @@ 6.72 \times 10^{-5} @@ 6.72 \times 10^{-6}
! sci @@ 1.5 \times 10^{3} @@ 150
! sci @@ 2.5E4 @@ 2500
! sci @@ 10^{-3} @@ 0.01
! sci @@ 3\cdot 10^8 @@ 3\cdot 10^9
= plain @@ \sqrt{3} @@ sqrt(3)
= plain @@ \frac{\pi}{2} @@ pi/2
= plain @@ 2\sqrt{2} @@ 2*sqrt(2)
= plain @@ \sqrt{3} @@ sqrt3
= plain @@ \frac{\sqrt{3}}{2} @@ sqrt(3)/2
= plain @@ 12\pi @@ 12pi
= plain @@ \pi^2 @@ pi^2
= plain @@ x^2+1 @@ x**2 + 1
= plain @@ \frac{1}{\sqrt{2}} @@ 1/sqrt(2)
= plain @@ 18+2\pi @@ 2*pi + 18
= plain @@ 3\sqrt{13} @@ 3 sqrt(13)
= plain @@ e^2 @@ exp(2)
= plain @@ \infty @@ infinity
! plain @@ \sqrt{3} @@ sqrt(2)
! plain @@ \frac{\pi}{2} @@ pi/3
! plain @@ 2\sqrt{2} @@ 2*sqrt(3)
! plain @@ 12\pi @@ 12
! plain @@ \pi^2 @@ 2pi
! plain @@ x^2+1 @@ x**3 + 1
! plain @@ 18+2\pi @@ 18 + pi
= tuple @@ (-1,6) @@ (-1, 6)
= tuple @@ (1,-16,-4,43) @@ (1, -16, -4, 43)
= tuple @@ (15,-29) @@ \left(15,-29\right)
= tuple @@ (6,31,-1) @@ (6, 31, -1.0)
= tuple @@ \left( \frac{3}{2}, -13 \right) @@ (1.5, -13)
= tuple @@ (8,-2) @@ (\frac{16}{2}, -2)
= tuple @@ (3, \frac{\pi}{2}) @@ (3, \frac{1}{2}\pi)
= tuple @@ (2\sqrt{2}, 1) @@ (\sqrt{8}, 1)
= tuple @@ (0, 1, 2) @@ (0,1,2)
= tuple @@ (a, b) @@ (a,b)
! tuple @@ (-1,6) @@ (6,-1)
! tuple @@ (1,-16,-4,43) @@ (1,-16,-4)
! tuple @@ (15,-29) @@ (15,29)
! tuple @@ (6,31,-1) @@ (6,-1,31)
! tuple @@ (8,-2) @@ (-2,8)
! tuple @@ (3, \frac{\pi}{2}) @@ (3, \pi)
! tuple @@ (0, 1, 2) @@ \{0,1,2\}
! tuple @@ (1,2) @@ (1,2,3)
= set @@ 3, 5, 7 @@ 7, 5, 3
= set @@ 3, 5, 7 @@ 3,5,7
= set @@ \{1, 2, 3\} @@ \{3, 2, 1\}
= set @@ \{1\pm\sqrt{5},-2\} @@ \{-2, 1+\sqrt5, 1-\sqrt5\}
= set @@ -2, 1 @@ 1, -2
= set @@ 1, -1, i, -i @@ i, -i, 1, -1
= set @@ \frac{1}{2}, 2 @@ 2, 0.5
= set @@ 0, 4 @@ 4,0
= set @@ 2, -3 @@ x=2, x=-3
= set @@ -1, 3 @@ 3 \text{ and } -1
= set @@ 1, 2 @@ 1 or 2
= set @@ \{5\} @@ 5
! set @@ 3, 5, 7 @@ 3, 5
! set @@ 3, 5, 7 @@ 3, 5, 8
! set @@ \{1, 2, 3\} @@ \{1, 2, 4\}
! set @@ \{1\pm\sqrt{5},-2\} @@ \{-2, 1+\sqrt5\}
! set @@ -2, 1 @@ 2, -1
! set @@ 1, -1, i, -i @@ 1, -1
! set @@ 0, 4 @@ 0
! set @@ 2, -3 @@ 2, 3
= interval @@ (-\infty, 0] @@ (-\infty,0]
= interval @@ (2,\infty) @@ (2, \infty)
= interval @@ (3,4] @@ \left(3, 4\right]
= interval @@ (5,\infty) @@ (5, +\infty)
= interval @@ (-\sqrt{3}, \sqrt{3}) @@ (-\sqrt3,\sqrt3)
= interval @@ \left[ \frac{\pi^2}{8}, \frac{5 \pi^2}{4} \right] @@ [\pi^2/8, 5\pi^2/4]
= interval @@ x \in [-2,7] @@ [-2,7]
= interval @@ [-2, 7] @@ [-2.0, 7.0]
= interval @@ (-\infty, 2) @@ (-\infty, 2)
= interval @@ [0, \frac{1}{2}) @@ [0, 0.5)
= interval @@ (-\infty, 0] @@ (-oo, 0]
! interval @@ (-\infty, 0] @@ (-\infty, 0)
! interval @@ (2,\infty) @@ [2,\infty)
! interval @@ (3,4] @@ [3,4]
! interval @@ (3,4] @@ (3,4)
! interval @@ (-\sqrt{3}, \sqrt{3}) @@ [-\sqrt3,\sqrt3]
! interval @@ x \in [-2,7] @@ [-2,8]
! interval @@ (5,\infty) @@ (-\infty, 5)
! interval @@ [0, \frac{1}{2}) @@ [0, 1/2]
= union @@ (-\infty, 2) \cup (3, \infty) @@ (-\infty,2)\cup(3,\infty)
= union @@ (-\infty, 2) \cup (3, \infty) @@ (3,\infty) \cup (-\infty, 2)
= union @@ (0,9) \cup (9,36) @@ (0, 9) \cup (9, 36)
= union @@ (2,12) \cup (12,102) @@ (12,102)\cup(2,12)
= union @@ [1,2] \cup [3,4] @@ [1, 2] ∪ [3, 4]
= union @@ (-\infty,-1)\cup(1,\infty) @@ (-\infty, -1) \cup (1, +\infty)
! union @@ (-\infty, 2) \cup (3, \infty) @@ (-\infty, 3)\cup(2, \infty)
! union @@ (0,9) \cup (9,36) @@ (0,36)
! union @@ (2,12) \cup (12,102) @@ (2,12] \cup (12,102)
! union @@ [1,2] \cup [3,4] @@ [1,2] \cup [3,5]
! union @@ (-\infty,-1)\cup(1,\infty) @@ (-1, 1)
= matrix @@ \begin{pmatrix} -1 & 0 \\ 0 & -1 \end{pmatrix} @@ \begin{bmatrix}-1&0\\0&-1\end{bmatrix}
= matrix @@ \begin{pmatrix} -1/3 \\ 2/3 \\ 5/3 \end{pmatrix} @@ \begin{pmatrix} -\frac{1}{3} \\ \frac{2}{3} \\ \frac{5}{3} \end{pmatrix}
= matrix @@ \begin{pmatrix} -18 \\ -49 \\ 96 \end{pmatrix} @@ \begin{pmatrix}-18\\-49\\96\end{pmatrix}
= matrix @@ \begin{pmatrix} 1/5 \\ -18/5 \end{pmatrix} @@ \begin{pmatrix} 0.2 \\ -3.6 \end{pmatrix}
= matrix @@ \begin{pmatrix} 16/49 \\ 48/49 \\ 24/49 \end{pmatrix} @@ \begin{pmatrix} \frac{16}{49} \\ \frac{48}{49} \\ \frac{24}{49} \end{pmatrix}
= matrix @@ \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix} @@ \begin{pmatrix} 1 & 2 \\ 3 & 4 \\ \end{pmatrix}
= matrix @@ \begin{pmatrix} \sqrt{2} & 0 \\ 0 & 1 \end{pmatrix} @@ \begin{pmatrix} \frac{2}{\sqrt2} & 0 \\ 0 & 1 \end{pmatrix}
= matrix @@ \begin{pmatrix} -7 \\ 16 \\ 5 \end{pmatrix} @@ \left(\begin{matrix} -7 \\ 16 \\ 5 \end{matrix}\right)
! matrix @@ \begin{pmatrix} -1 & 0 \\ 0 & -1 \end{pmatrix} @@ \begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}
! matrix @@ \begin{pmatrix} -18 \\ -49 \\ 96 \end{pmatrix} @@ \begin{pmatrix} -18 \\ 96 \\ -49 \end{pmatrix}
! matrix @@ \begin{pmatrix} 1/5 \\ -18/5 \end{pmatrix} @@ \begin{pmatrix} 1/5 & -18/5 \end{pmatrix}
! matrix @@ \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix} @@ \begin{pmatrix} 1 & 3 \\ 2 & 4 \end{pmatrix}
! matrix @@ \begin{pmatrix} -2 \\ -14 \\ -7 \end{pmatrix} @@ \begin{pmatrix} -2 \\ -14 \end{pmatrix}
! matrix @@ \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix} @@ 10
= equation @@ y = 2x + 3 @@ y = 3 + 2x
= equation @@ y = -2x @@ y=-2x
= equation @@ 5x - 7y + 11z + 4 = 0 @@ -5x + 7y - 11z - 4 = 0
= equation @@ 5x - 7y + 11z + 4 = 0 @@ 10x - 14y + 22z + 8 = 0
= equation @@ x + y = 1 @@ y = 1 - x
= equation @@ y = 2x + 3 @@ 2x - y + 3 = 0
= equation @@ x^2 + y^2 = 4 @@ y^2 + x^2 - 4 = 0
= equation @@ y = \frac{1}{2}x - 1 @@ 2y = x - 2
= equation @@ 2x + 3 @@ y = 2x + 3
= equation @@ x < 3 @@ 3 > x
= equation @@ x \ge 2 @@ 2 \le x
= equation @@ 2x + 4 > 0 @@ x > -2
! equation @@ y = 2x + 3 @@ y = 2x - 3
! equation @@ y = -2x @@ y = 2x
! equation @@ 5x - 7y + 11z + 4 = 0 @@ 5x - 7y + 11z - 4 = 0
! equation @@ x + y = 1 @@ x - y = 1
! equation @@ x^2 + y^2 = 4 @@ x^2 + y^2 = 2
! equation @@ x < 3 @@ x > 3
! equation @@ x \ge 2 @@ x > 2
! equation @@ y = 2x + 3 @@ x = 2y + 3
! equation @@ 0.56 = 56\% @@ 0.56 = 57\%
= equation @@ 0.5 = 50\% @@ \frac{1}{2} = 50
= radical @@ 2\sqrt{5} @@ \sqrt{20}
= radical @@ \frac{\sqrt{3}}{3} @@ \frac{1}{\sqrt{3}}
= radical @@ \frac{\sqrt{21}}{5} @@ \sqrt{\frac{21}{25}}
= radical @@ 2\sqrt{113} @@ \sqrt{452}
= radical @@ 70 \sqrt{2} @@ \sqrt{9800}
= radical @@ 16 \sqrt{3} @@ \sqrt{768}
= radical @@ \frac{3\sqrt{3}}{4} @@ \frac{3}{4}\sqrt3
= radical @@ 1+2\sqrt{3} @@ 2\sqrt{3}+1
= radical @@ \sqrt{2}+\sqrt{3} @@ \sqrt{5+2\sqrt{6}}
= radical @@ \sqrt[3]{8} @@ 2
= radical @@ \sqrt[3]{2} @@ 2^{1/3}
= radical @@ \sqrt{16} @@ 4
= radical @@ \frac{1}{\sqrt2} @@ \frac{\sqrt2}{2}
= radical @@ 11 \sqrt{5} + 11 @@ 11(\sqrt5 + 1)
! radical @@ 2\sqrt{5} @@ \sqrt{10}
! radical @@ \frac{\sqrt{3}}{3} @@ \sqrt{3}
! radical @@ 2\sqrt{113} @@ \sqrt{226}
! radical @@ \sqrt{2}+\sqrt{3} @@ \sqrt{5}
! radical @@ \sqrt[3]{2} @@ \sqrt{2}
! radical @@ \sqrt{2} @@ 1.414
! radical @@ 1+2\sqrt{3} @@ 1+3\sqrt{2}
! radical @@ 11 \sqrt{5} + 11 @@ 11\sqrt5
= trig @@ \frac{1}{2} @@ \sin\frac{\pi}{6}
= trig @@ -\frac{\pi}{6} @@ -\pi/6
= trig @@ \frac{\sqrt{3}}{2} @@ \cos 30^\circ
= trig @@ 1 @@ \tan\frac{\pi}{4}
= trig @@ \frac{\pi}{4} @@ \arctan 1
= trig @@ 0 @@ \sin(\pi)
= trig @@ \frac{2\pi}{3} @@ 120\cdot\frac{\pi}{180}
= trig @@ \cos^2 x @@ 1 - \sin^2 x
! trig @@ \frac{1}{2} @@ \cos\frac{\pi}{6}
! trig @@ -\frac{\pi}{6} @@ \frac{\pi}{6}
! trig @@ 1 @@ \tan\frac{\pi}{3}
! trig @@ \frac{\pi}{4} @@ \arctan 2
! trig @@ \cos^2 x @@ \sin^2 x
= expand @@ (x+1)^2 @@ x^2+2x+1
= expand @@ (a+5)(b+2) @@ ab + 2a + 5b + 10
= expand @@ 6r^2-4r-24 @@ 2(3r^2-2r-12)
= expand @@ 15x - 80 @@ 5(3x-16)
= expand @@ -13x+3 @@ 3-13x
= expand @@ x^3+3x-6 @@ 3x + x^3 - 6
= expand @@ 8n^2 + 4n + 1 @@ 4n(2n+1)+1
= expand @@ p - q @@ -(q - p)
= expand @@ x^8 + x^7 + x^6 + x^5 + x^4 + x^3 + x^2 + x + 1 @@ \frac{x^9-1}{x-1}
= expand @@ (x-1)(x+1) @@ x^2-1
= expand @@ \frac{11+9a}{20} @@ \frac{11}{20} + \frac{9a}{20}
= expand @@ (x+y)^3 @@ x^3+3x^2y+3xy^2+y^3
= expand @@ \frac{x^2-1}{x+1} @@ x-1
= expand @@ 2(a+b) @@ 2a + 2b
! expand @@ (x+1)^2 @@ x^2+1
! expand @@ (a+5)(b+2) @@ ab + 10
! expand @@ 6r^2-4r-24 @@ 6r^2-4r+24
! expand @@ 15x - 80 @@ 15x - 8
! expand @@ x^3+3x-6 @@ x^3+3x+6
! expand @@ 8n^2 + 4n + 1 @@ 8n^2 + 4n
! expand @@ p - q @@ q - p
! expand @@ (x-1)(x+1) @@ x^2+1
! expand @@ \frac{11+9a}{20} @@ \frac{11+9a}{2}
! expand @@ (x+y)^3 @@ x^3+y^3
= subst @@ \cot x @@ \frac{\cos x}{\sin x}
= subst @@ \sin 2x @@ 2\sin x \cos x
= subst @@ \sqrt{4x^2} @@ 2|x|
= subst @@ e^{2x} @@ (e^x)^2
= subst @@ \frac{\sin x}{\cos x} @@ \tan x
= subst @@ \ln(xy) @@ \ln x + \ln y
= subst @@ \sqrt{x}\sqrt{x} @@ x
= subst @@ \sec^2 x @@ 1 + \tan^2 x
= subst @@ 2^{x+1} @@ 2\cdot 2^x
= subst @@ \frac{1}{x} + \frac{1}{y} @@ \frac{x+y}{xy}
= subst @@ |x|^2 @@ x^2
! subst @@ \cot x @@ \tan x
! subst @@ \sin 2x @@ 2\sin x
! subst @@ e^{2x} @@ e^{x^2}
! subst @@ \ln(xy) @@ \ln x \ln y
! subst @@ 2^{x+1} @@ 2^x + 1
! subst @@ \frac{1}{x} + \frac{1}{y} @@ \frac{1}{x+y}
! subst @@ \sqrt{x^2} @@ x
! subst @@ |x| @@ x
= tiny @@ \frac{1}{2004!} @@ \frac{1}{2004!}
= tiny @@ \frac{1}{2004!} @@ \frac{2005}{2005!}
= tiny @@ 10^{-400} @@ \frac{1}{10^{400}}
= tiny @@ 2^{-2000} @@ \frac{1}{2^{2000}}
= tiny @@ 10^{400} @@ 100^{200}
= tiny @@ 100! @@ 100\cdot 99!
= tiny @@ 0.000000001 @@ 10^{-9}
= tiny @@ 1.0000000001 @@ 1.0000000001
= tiny @@ \frac{\sqrt2}{2004!} @@ \frac{2005\sqrt{2}}{2005!}
! tiny @@ \frac{1}{2004!} @@ \frac{1}{2006!}
! tiny @@ 10^{-400} @@ 10^{-401}
! tiny @@ 2^{-2000} @@ 2^{-2001}
! tiny @@ 10^{400} @@ 10^{400}+1
! tiny @@ 100! @@ 101!
! tiny @@ 0.000000001 @@ 0.000000002
! tiny @@ 1.0000000001 @@ 1.0000000002
! tiny @@ \frac{\sqrt2}{2004!} @@ \frac{\sqrt2}{2006!}
! tiny @@ 1 @@ 1+10^{-30}
! tiny @@ 0 @@ 10^{-20}
= complex @@ -2 + 7i @@ 7i - 2
= complex @@ 6 - 5i @@ -5i + 6
= complex @@ 1+274i @@ 1 + 274 i
= complex @@ 1 - 12i @@ (1-12i)
= complex @@ i @@ \sqrt{-1}
= complex @@ -1 @@ i^2
= complex @@ \frac{1}{2} + \frac{\sqrt3}{2}i @@ \frac{1+i\sqrt3}{2}
= complex @@ 2i @@ (1+i)^2
= complex @@ \frac{1-i}{2} @@ \frac{1}{1+i}
! complex @@ -2 + 7i @@ 2 + 7i
! complex @@ 6 - 5i @@ 6 + 5i
! complex @@ 1+274i @@ 274+i
! complex @@ i @@ -i
! complex @@ 2i @@ 2
! complex @@ \frac{1-i}{2} @@ \frac{1+i}{2}
= pm @@ 1 \pm \sqrt{19} @@ 1+\sqrt{19}, 1-\sqrt{19}
= pm @@ 3 \pm 2 \sqrt{2} @@ 3-2\sqrt2, 3+2\sqrt2
= pm @@ 1 \pm \sqrt{19} @@ \{1-\sqrt{19}, 1+\sqrt{19}\}
= pm @@ \pm 2 @@ 2, -2
= pm @@ 2, -2 @@ \pm 2
= pm @@ x = 1 \pm \sqrt{2} @@ 1 - \sqrt2, 1+\sqrt2
! pm @@ 1 \pm \sqrt{19} @@ 1+\sqrt{19}
! pm @@ 3 \pm 2 \sqrt{2} @@ 3+2\sqrt2, 3+2\sqrt2
! pm @@ \pm 2 @@ 2
! pm @@ 1 \pm \sqrt{19} @@ 1 \pm \sqrt{17}
= base @@ 204_5 @@ 204_{5}
= base @@ 4210_{5} @@ 4210_5
= base @@ 2516_8 @@ 2516_{8}
= base @@ 4343_6 @@ 4343_{6}
! base @@ 204_5 @@ 204_6
! base @@ 2516_8 @@ 2517_8
! base @@ 4343_6 @@ 4334_6
= mixed @@ 137 \frac{1}{2} @@ 137.5
= mixed @@ 1\frac{4}{5} @@ \frac95
= mixed @@ 2\frac{1}{3} @@ \frac{7}{3}
= mixed @@ \frac{275}{2} @@ 137\frac12
! mixed @@ 137 \frac{1}{2} @@ 68.5
! mixed @@ 1\frac{4}{5} @@ \frac45
! mixed @@ 2\frac{1}{3} @@ \frac{2}{3}
= number @@ 13535 @@ 13535.0
= number @@ 27648 @@ 27648
= number @@ 326.5 @@ 326.50
= number @@ .35625 @@ 0.35625
= number @@ \$18.90 @@ 18.90
= number @@ 5 @@ 5.
= number @@ 5 @@ \boxed{5}
= number @@ -0 @@ 0
= number @@ 12 @@ 12.000
= number @@ 2^{10} @@ 1024
= number @@ \binom{5}{2} @@ 10
= number @@ 5! @@ 120
= number @@ |{-7}| @@ 7
! number @@ 13535 @@ 13553
! number @@ 326.5 @@ 326
! number @@ .35625 @@ 0.3562
! number @@ 5 @@ -5
! number @@ 2^{10} @@ 1000
! number @@ \binom{5}{2} @@ 20
! number @@ 5! @@ 24
! number @@ 0 @@ 1
! number @@ 100 @@ 10
! number @@ 1 @@ 0.999
= pi @@ 288 \pi @@ 288\pi
= pi @@ 8 \pi @@ \pi \cdot 8
= pi @@ \frac{20000}{\pi} @@ 20000/\pi
= pi @@ 12\pi @@ 6\pi + 6\pi
= pi @@ \frac{\pi}{2} @@ 0.5\pi
= pi @@ 2\pi r @@ 2 r \pi
! pi @@ 288 \pi @@ 288
! pi @@ 8 \pi @@ 8\pi^2
! pi @@ \frac{20000}{\pi} @@ 20000\pi
! pi @@ \frac{\pi}{2} @@ 1.5708
! pi @@ \pi @@ 3.14
! pi @@ \pi @@ \frac{22}{7}
! parse @@ 5 @@ \frac{5
! parse @@ 5 @@ 5)
! parse @@ \frac{1}{2} @@ \frac{1}{
! parse @@ 3 @@ \sqrt{}
! parse @@ x+1 @@ x+
! parse @@ 7 @@ }7{
! parse @@ 2 @@ @#$
! parse @@ 1 @@ \undefinedmacro{1}
! parse @@ 0 @@ ()
! parse @@ 4 @@ ((4)
! parse @@ 1/2 @@ 1//2
! parse @@ (1,2) @@ (1,2
= logs @@ \ln 2 @@ \log 2
= logs @@ 3 @@ \log_2 8
= logs @@ 2\ln 3 @@ \ln 9
= logs @@ \log_3 5 @@ \frac{\ln 5}{\ln 3}
= logs @@ 1 @@ \ln e
! logs @@ \ln 2 @@ \ln 3
! logs @@ 3 @@ \log_2 16
! logs @@ 2\ln 3 @@ \ln 6
= greek @@ 2\alpha @@ \alpha + \alpha
= greek @@ \theta^2 @@ \theta\cdot\theta
! greek @@ 2\alpha @@ 2\beta
! greek @@ \theta^2 @@ 2\theta
= var @@ a+b @@ b+a
= var @@ \frac{a}{b} @@ a/b
= var @@ x_1 + x_2 @@ x_2 + x_1
= var @@ 2n+1 @@ 1+2n
= var @@ n(n+1)/2 @@ \frac{n^2+n}{2}
= var @@ \binom{n}{2} @@ \frac{n(n-1)}{2}
! var @@ a+b @@ a-b
! var @@ \frac{a}{b} @@ \frac{b}{a}
! var @@ x_1 + x_2 @@ x_1 + x_3
! var @@ 2n+1 @@ 2n-1
! var @@ n(n+1)/2 @@ n(n-1)/2
! var @@ a @@ b
= holdout @@ \frac{3}{5} @@ \dfrac35
= holdout @@ 2\sqrt{6} @@ 2 \sqrt 6
= holdout @@ \frac{\sqrt{6}}{3} @@ \sqrt{\frac{2}{3}}
= holdout @@ 4\sqrt{3} @@ \sqrt{48}
= holdout @@ -\frac{7}{3} @@ -7/3
= holdout @@ 3 @@ \boxed{3}
= holdout @@ \left(-\frac{1}{2}, 3\right) @@ (-0.5, 3)
= holdout @@ (-\infty, -3) \cup (4, \infty) @@ (-\infty,-3)\cup(4,+\infty)
= holdout @@ \frac{9\pi}{2} @@ 4.5\pi
= holdout @@ \frac{4}{3}\pi r^3 @@ \frac{4\pi r^3}{3}
= holdout @@ 2x^2 - 5x + 3 @@ (2x-3)(x-1)
= holdout @@ \frac{x+2}{x-3} @@ \frac{(x+2)}{(x-3)}
= holdout @@ 1 - \frac{\sqrt{2}}{2} @@ \frac{2-\sqrt{2}}{2}
= holdout @@ 100 @@ 100.00
= holdout @@ 6 @@ 6 \text{ inches}
= holdout @@ \$42 @@ 42
= holdout @@ -4, 1 @@ x = -4 \text{ or } x = 1
= holdout @@ 2, 3 @@ x=2 \text{ and } x=3
= holdout @@ \{-1, 1\} @@ \pm 1
= holdout @@ \frac{-1 \pm \sqrt{5}}{2} @@ \frac{-1+\sqrt5}{2}, \frac{-1-\sqrt5}{2}
= holdout @@ e @@ e^1
= holdout @@ \log_2 3 @@ \frac{\log 3}{\log 2}
= holdout @@ \frac{\pi}{3} @@ \frac{1}{3}\pi
= holdout @@ 5i @@ 5 i
= holdout @@ \sqrt[3]{4} @@ 4^{1/3}
= holdout @@ 10! @@ 3628800
= holdout @@ \frac{1}{2^{10}} @@ \frac{1}{1024}
= holdout @@ \text{Monday} @@ Monday
= holdout @@ \text{(D)} @@ \textbf{(D)}
= holdout @@ \text{yes} @@ Yes
= holdout @@ y = -\frac{1}{2}x + 4 @@ y = 4 - \frac{x}{2}
= holdout @@ x^2 + y^2 = 25 @@ x^2+y^2-25=0
= holdout @@ 1.2 \times 10^{5} @@ 120000
= holdout @@ 3.6 \cdot 10^{-2} @@ 0.036
= holdout @@ 123{,}456 @@ 123456
= holdout @@ \frac{a}{2} @@ 0.5a
= holdout @@ \sqrt{a^2 + b^2} @@ \sqrt{b^2+a^2}
= holdout @@ \frac{n(n+1)(2n+1)}{6} @@ \frac{2n^3+3n^2+n}{6}
= holdout @@ 2^n - 1 @@ -1 + 2^n
= holdout @@ \tan x @@ \frac{\sin x}{\cos x}
! holdout @@ \frac{3}{5} @@ \frac{5}{3}
! holdout @@ 4\sqrt{3} @@ \sqrt{12}
! holdout @@ (4, -2) @@ (-2, 4)
! holdout @@ [-3, 4] @@ (-3, 4)
! holdout @@ 9\pi @@ 9
! holdout @@ 2x^2 - 5x + 3 @@ (2x+3)(x-1)
! holdout @@ 7 @@ x = -7
! holdout @@ -4, 1 @@ -4
! holdout @@ 2 \pm \sqrt{3} @@ 2+\sqrt3
! holdout @@ e @@ 2.718
! holdout @@ \log_2 3 @@ \log_3 2
! holdout @@ 3 + 4i @@ 3 - 4i
! holdout @@ \sqrt[3]{4} @@ \sqrt{4}
! holdout @@ 10! @@ 3628801
! holdout @@ \text{Monday} @@ Tuesday
! holdout @@ \text{(D)} @@ (B)
! holdout @@ x^2 + y^2 = 25 @@ x^2 + y^2 = 5
! holdout @@ \begin{pmatrix} 3 \\ -1 \end{pmatrix} @@ \begin{pmatrix} -1 \\ 3 \end{pmatrix}
! holdout @@ 123{,}456 @@ 123.456
! holdout @@ \frac{a}{2} @@ 2a
! holdout @@ \frac{n(n+1)(2n+1)}{6} @@ \frac{n(n+1)}{2}
! holdout @@ \tan x @@ \frac{\cos x}{\sin x}
! holdout @@ 1 - \frac{\sqrt{2}}{2} @@ \frac{1-\sqrt{2}}{2}
! holdout @@ 0.0625 @@ \frac{1}{15}
= misc @@ \frac{1}{2} @@ \frac{2}{4}
= misc @@ x^2 - 4 @@ (x-2)(x+2)
= misc @@ \dfrac{\sqrt{2}}{2} @@ \frac{1}{2}\sqrt{2}
= misc @@ [2,5] @@ 2 \le x \le 5
= misc @@ -\infty @@ -inf
= misc @@ \$1.50 @@ 1.5
= misc @@ \frac{a+b}{2} @@ \frac{b+a}{2}
= misc @@ -1 @@ e^{i\pi}
= misc @@ 2i @@ \sqrt{-4}
= misc @@ \begin{pmatrix} 1 \\ 2 \\ 3 \end{pmatrix} @@ (1, 2, 3)
= misc @@ \frac{1}{3} @@ 0.\overline{3}
= misc @@ \frac{x}{2} @@ \frac{1}{2}x
= misc @@ \frac{\sqrt{2}}{2} @@ \sqrt{2}/2
= misc @@ 4.5 @@ 4\frac{1}{2}
= misc @@ 8 @@ 2^{3}
= misc @@ ba^2 @@ a^2b
= misc @@ (x+1)^{-1} @@ \frac{1}{x+1}
= misc @@ 1 @@ \sin^2 x + \cos^2 x
= misc @@ 20 @@ \binom{6}{3}
= misc @@ (-\infty,\infty) @@ \mathbb{R}
= misc @@ (3, \infty) @@ x > 3
= misc @@ (-\infty, 3] @@ x \le 3
! misc @@ (3, \infty) @@ x \ge 3
! misc @@ (-\infty, 3] @@ x > 3
= misc @@ 1000 @@ 1e3
= misc @@ -3 @@ - 3
= misc @@ 3 @@ +3
= misc @@ \frac{7}{2} @@ 3.5
= misc @@ 3\sqrt{2} @@ \sqrt{18}
= misc @@ \frac{1}{4} @@ 25\%
! misc @@ 3, 3 @@ 3
! misc @@ \frac{1}{3} @@ 0.33
! misc @@ 10\sqrt{3} @@ 17.32
! misc @@ \frac{5}{3} @@ 1.67
! misc @@ \infty @@ \frac{1}{0}
! misc @@ 2i @@ \sqrt{4}
! misc @@ x^2 - 4 @@ (x-2)^2
! misc @@ [2,5] @@ 2 < x < 5
! misc @@ \frac{a+b}{2} @@ \frac{a-b}{2}
! misc @@ 1 @@ \sin^2 x - \cos^2 x
! misc @@ -\infty @@ \infty
! misc @@ 1000 @@ 1e4
= misc @@ \begin{pmatrix} 2 \\ -1 \end{pmatrix} @@ (2, -1)
! misc @@ \begin{pmatrix} 2 \\ -1 \end{pmatrix} @@ (-1, 2)
! misc @@ \begin{pmatrix} 2 \\ -1 \end{pmatrix} @@ [2, -1]
! misc @@ \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix} @@ (1, 2, 3, 4)
! misc @@ (-\infty,\infty) @@ \mathbb{Z}
`;

/** Pairs from a table in the format above; `line` is the line within the table. */
export function parsePairs(table: string): LabelledPair[] {
  return table.split('\n').flatMap((raw, index) => {
    const line = raw.trim();
    if (line === '') return [];
    const m = /^([=!]) (\S+) @@ (.*) @@ (.*)$/.exec(line);
    if (!m) throw new Error(`labelled pairs line ${index}: malformed: ${line}`);
    return [{ equal: m[1] === '=', category: m[2], gold: m[3], pred: m[4], line: index }];
  });
}

export const LABELLED_PAIRS: LabelledPair[] = parsePairs(TABLE);
