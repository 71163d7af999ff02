// The synthetic math task suite: procedurally generated, seeded problems in five difficulty
// levels with gold answers in LaTeX, train and held-out splits that never overlap (the split
// is a hash of the question text), and a teacher that writes terse step-by-step solutions as
// `<think>...</think>...\boxed{...}` (the stand-in for the paper's distilled-model traces).
// Not a benchmark of real mathematics: it exists so a tiny policy can learn and be improved.
import type { Rng } from '../rng.ts';
import { drawTasks, type SuiteOptions } from './suite.ts';

export const MATH_LEVELS = [1, 2, 3, 4, 5] as const;
export type MathLevel = (typeof MATH_LEVELS)[number];

export interface MathTask {
  id: string;
  level: MathLevel;
  family: string;
  question: string;
  /** Gold answer, LaTeX. */
  gold: string;
  /** Teacher solution: terse reasoning inside <think>...</think>, then the boxed answer. */
  solution: string;
}

import type { Split } from './suite.ts';

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

function fracLatex(p: number, q: number): string {
  const g = gcd(p, q);
  const [n, d] = [p / g, q / g];
  if (d === 1) return String(n);
  return n < 0 ? `-\\frac{${-n}}{${d}}` : `\\frac{${n}}{${d}}`;
}

/** Column addition with carries, narrated one digit at a time. */
function addSteps(a: number, b: number): string {
  const da = String(a).split('').reverse().map(Number);
  const db = String(b).split('').reverse().map(Number);
  const steps: string[] = [];
  let carry = 0;
  for (let i = 0; i < Math.max(da.length, db.length); i++) {
    const x = da[i] ?? 0;
    const y = db[i] ?? 0;
    const s = x + y + carry;
    steps.push(`${x}+${y}${carry ? '+1' : ''}=${s}`);
    carry = s >= 10 ? 1 : 0;
  }
  return steps.join(', ');
}

type Family = { name: string; level: MathLevel; make: (r: Rng) => { question: string; gold: string; think: string } };

const FAMILIES: Family[] = [
  {
    name: 'add-1digit',
    level: 1,
    make: (r) => {
      const a = r.int(0, 9);
      const b = r.int(0, 9);
      return { question: `Compute ${a}+${b}.`, gold: String(a + b), think: `${a}+${b}=${a + b}` };
    },
  },
  {
    name: 'sub-1digit',
    level: 1,
    make: (r) => {
      const a = r.int(0, 18);
      const b = r.int(0, Math.min(a, 9));
      return { question: `Compute ${a}-${b}.`, gold: String(a - b), think: `${a}-${b}=${a - b}` };
    },
  },
  {
    name: 'add-2digit',
    level: 2,
    make: (r) => {
      const a = r.int(10, 99);
      const b = r.int(10, 99);
      return { question: `Compute ${a}+${b}.`, gold: String(a + b), think: `${addSteps(a, b)}. ${a}+${b}=${a + b}` };
    },
  },
  {
    name: 'mul-1digit',
    level: 2,
    make: (r) => {
      const a = r.int(2, 9);
      const b = r.int(2, 9);
      return { question: `Compute ${a}\\times ${b}.`, gold: String(a * b), think: `${a}*${b}=${a * b}` };
    },
  },
  {
    name: 'order-of-ops',
    level: 3,
    make: (r) => {
      const a = r.int(1, 9);
      const b = r.int(2, 9);
      const c = r.int(2, 9);
      if (r.next() < 0.5) {
        return { question: `Compute ${a}+${b}\\times ${c}.`, gold: String(a + b * c), think: `${b}*${c}=${b * c}, ${a}+${b * c}=${a + b * c}` };
      }
      return { question: `Compute (${a}+${b})\\times ${c}.`, gold: String((a + b) * c), think: `${a}+${b}=${a + b}, ${a + b}*${c}=${(a + b) * c}` };
    },
  },
  {
    name: 'add-3digit',
    level: 3,
    make: (r) => {
      const a = r.int(100, 999);
      const b = r.int(100, 999);
      return { question: `Compute ${a}+${b}.`, gold: String(a + b), think: `${addSteps(a, b)}. ${a}+${b}=${a + b}` };
    },
  },
  {
    name: 'fraction-add',
    level: 4,
    make: (r) => {
      const b = r.int(2, 6);
      const d = r.int(2, 6);
      const a = r.int(1, b - 1);
      const c = r.int(1, d - 1);
      const q = (b * d) / gcd(b, d);
      const p = a * (q / b) + c * (q / d);
      const gold = fracLatex(p, q);
      return {
        question: `Compute \\frac{${a}}{${b}}+\\frac{${c}}{${d}}.`,
        gold,
        think: `lcd ${q}: ${a * (q / b)}/${q}+${c * (q / d)}/${q}=${p}/${q}${gcd(p, q) > 1 ? `=${gold.replace(/\\frac\{(\d+)\}\{(\d+)\}/, '$1/$2')}` : ''}`,
      };
    },
  },
  {
    name: 'linear-equation',
    level: 5,
    make: (r) => {
      const a = r.int(2, 9);
      const x = r.int(-9, 12);
      const b = r.int(1, 20);
      const c = a * x + b;
      return {
        question: `Solve for $x$: ${a}x+${b}=${c}.`,
        gold: String(x),
        think: `${a}x=${c}-${b}=${c - b}, x=${c - b}/${a}=${x}`,
      };
    },
  },
  {
    name: 'two-step',
    level: 5,
    make: (r) => {
      const a = r.int(11, 49);
      const b = r.int(11, 49);
      const c = r.int(2, 5);
      return {
        question: `Compute (${a}+${b})\\times ${c}.`,
        gold: String((a + b) * c),
        think: `${addSteps(a, b)}. ${a}+${b}=${a + b}, ${a + b}*${c}=${(a + b) * c}`,
      };
    },
  },
];

export const MATH_FAMILIES = FAMILIES.map((f) => ({ name: f.name, level: f.level }));

export function teacherSolution(think: string, gold: string): string {
  return `<think>${think}</think>\\boxed{${gold}}`;
}

export type MathSuiteOptions = SuiteOptions<MathLevel>;

/** `count` distinct tasks of one split, reproducible from the seed. */
export function generateMathTasks(opts: MathSuiteOptions): MathTask[] {
  return drawTasks(
    opts,
    FAMILIES,
    (f, rng) => {
      const t = f.make(rng);
      return { prompt: t.question, data: t };
    },
    (id, f, question, t) => ({ id, level: f.level, family: f.name, question, gold: t.gold, solution: teacherSolution(t.think, t.gold) }),
  );
}
