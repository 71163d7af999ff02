// The synthetic code task suite, the counterpart of math.ts: procedurally generated, seeded
// JavaScript tasks in five levels, hidden tests in the code verifier's `function` format
// (fixed edge cases plus random cases, drawn from a hash of the prompt so a prompt always
// has the same tests), the same train/held-out split as math.ts, and a teacher that writes
// `<think>plan</think>` then one fenced ```js block. Programs stay a few dozen to ~110
// characters because the policy is tiny and byte-level. Not a benchmark of real coding.
import { fnv1a32 } from '../hash.ts';
import type { CodeTestsInput } from '../reward/code/types.ts';
import { Rng } from '../rng.ts';
import { drawTasks, type SuiteOptions } from './suite.ts';

export const CODE_LEVELS = [1, 2, 3, 4, 5] as const;
export type CodeLevel = (typeof CODE_LEVELS)[number];

export interface CodeTask {
  id: string;
  level: CodeLevel;
  family: string;
  /** Names the function `f` and its parameters. */
  prompt: string;
  /** Hidden tests: `function` format, entry point `f`. */
  tests: CodeTestsInput;
  /** Teacher solution: a short plan inside <think>...</think>, then a ```js block. */
  solution: string;
}

/** Test cases per task: all the family's edge cases, then random ones up to this many. */
const CASES_PER_TASK = 10;

/** One task before tests are drawn: `function ${sig}{${body}}` solves it and `ref` is its TypeScript twin. */
type Draft = {
  sig: string;
  /** The prompt after `Write a JavaScript function ${sig} `. */
  does: string;
  plan: string;
  body: string;
  ref: (...args: unknown[]) => unknown;
  edges: unknown[][];
  random: (r: Rng) => unknown[];
};

/** Keeps each family's argument types checked while the suite handles drafts uniformly. */
function draft<A extends unknown[]>(d: {
  sig: string;
  does: string;
  plan: string;
  body: string;
  ref: (...args: A) => unknown;
  edges: A[];
  random: (r: Rng) => A;
}): Draft {
  return { ...d, ref: (...args) => d.ref(...(args as A)) };
}

type Family = { name: string; level: CodeLevel; make: (r: Rng) => Draft };

const LOWER = 'abcdefghijklmnopqrstuvwxyz';

const ints = (r: Rng, lo: number, hi: number, maxLen: number): number[] => Array.from({ length: r.int(0, maxLen) }, () => r.int(lo, hi));
const str = (r: Rng, alphabet: string, minLen: number, maxLen: number): string =>
  Array.from({ length: r.int(minLen, maxLen) }, () => alphabet[r.int(0, alphabet.length - 1)]).join('');
/** `s` cycled to length n ('abc', 5 -> 'abcab'). */
const cyc = (s: string, n: number): string => s.repeat(Math.ceil(n / s.length) + 1).slice(0, n);
/** n letters other than the excluded ones, fixed by them (tests must follow from the prompt alone). */
const others = (exclude: string, n: number): string => {
  const start = LOWER.indexOf(exclude[0]) + 7;
  return [...LOWER.slice(start) + LOWER.slice(0, start)].filter((c) => !exclude.includes(c)).slice(0, n).join('');
};

type Cmp = { op: '>' | '<' | '>=' | '<=' | '=='; words: string; test: (x: number, t: number) => boolean };
const CMPS: Cmp[] = [
  { op: '>', words: 'greater than', test: (x, t) => x > t },
  { op: '<', words: 'less than', test: (x, t) => x < t },
  { op: '>=', words: 'at least', test: (x, t) => x >= t },
  { op: '<=', words: 'at most', test: (x, t) => x <= t },
  { op: '==', words: 'equal to', test: (x, t) => x === t },
];

const FAMILIES: Family[] = [
  // Level 1: one expression.
  {
    name: 'affine',
    level: 1,
    make: (r) => {
      const a = r.int(2, 9);
      const b = r.int(1, 9) * (r.next() < 0.5 ? -1 : 1);
      const bs = b < 0 ? `${b}` : `+${b}`;
      const form = r.int(0, 2);
      const expr = [`x*${a}${bs}`, `(x${bs})*${a}`, `x*x${bs}`][form];
      return draft<[x: number]>({
        sig: 'f(x)',
        does: `that returns ${expr}.`,
        plan: `compute ${expr}`,
        body: `return ${expr}`,
        ref: (x: number) => [x * a + b, (x + b) * a, x * x + b][form],
        edges: [[0], [1], [-1], [2], [-7], [100]],
        random: (q) => [q.int(-100, 100)],
      });
    },
  },
  {
    name: 'slice-end',
    level: 1,
    make: (r) => {
      const n = r.int(1, 15);
      const chars = n === 1 ? 'character' : `${n} characters`;
      const v = r.int(0, 3);
      const [does, call, ref] = [
        [`the first ${chars} of the string s (all of s if shorter)`, `s.slice(0,${n})`, (s: string) => s.slice(0, n)],
        [`the last ${chars} of the string s (all of s if shorter)`, `s.slice(-${n})`, (s: string) => s.slice(-n)],
        [`the string s without its first ${chars}`, `s.slice(${n})`, (s: string) => s.slice(n)],
        [`the string s without its last ${chars}`, `s.slice(0,-${n})`, (s: string) => s.slice(0, -n)],
      ][v] as [string, string, (s: string) => string];
      return draft<[s: string]>({
        sig: 'f(s)',
        does: `that returns ${does}.`,
        plan: call,
        body: `return ${call}`,
        ref,
        edges: [[''], [cyc('ab', n - 1)], [cyc('xyz', n)], [cyc('pq', n + 1)], [cyc('abcde', 2 * n + 1)]],
        random: (q) => [str(q, LOWER, 0, 2 * n + 4)],
      });
    },
  },
  {
    name: 'max-of',
    level: 1,
    make: (r) => {
      const k = r.int(-20, 30);
      const big = r.next() < 0.5;
      const fn = big ? 'max' : 'min';
      return draft<[a: number, b: number]>({
        sig: 'f(a,b)',
        does: `that returns the ${big ? 'largest' : 'smallest'} of a, b and ${k}.`,
        plan: `Math.${fn} of all three`,
        body: `return Math.${fn}(a,b,${k})`,
        ref: (a: number, b: number) => (big ? Math.max(a, b, k) : Math.min(a, b, k)),
        edges: [[k - 3, k - 8], [k + 3, k + 8], [k - 4, k + 2], [k + 5, k - 6], [k, k]],
        random: (q) => [q.int(k - 20, k + 20), q.int(k - 20, k + 20)],
      });
    },
  },
  {
    name: 'divisible',
    level: 1,
    make: (r) => {
      const v = r.int(0, 3);
      const k = v < 2 ? r.int(2, 40) : r.int(2, 11);
      const m = v < 2 ? 0 : r.int(k + 1, 12);
      const [does, expr, ref] = [
        [`divisible by ${k}`, `n%${k}==0`, (n: number) => n % k === 0],
        [`not divisible by ${k}`, `n%${k}!=0`, (n: number) => n % k !== 0],
        [`divisible by ${k} or by ${m}`, `n%${k}==0||n%${m}==0`, (n: number) => n % k === 0 || n % m === 0],
        [`divisible by both ${k} and ${m}`, `n%${k}==0&&n%${m}==0`, (n: number) => n % k === 0 && n % m === 0],
      ][v] as [string, string, (n: number) => boolean];
      const edges: [n: number][] = [[0], [k], [-k], [k + 1], [k - 1], [7 * k]];
      if (m) edges.push([m], [m + 1], [m - 1], [k * m], [-k * m]);
      return draft<[n: number]>({
        sig: 'f(n)',
        does: `that returns whether n is ${does}.`,
        plan: expr,
        body: `return ${expr}`,
        ref,
        edges,
        random: (q) => [q.int(-200, 200)],
      });
    },
  },
  {
    name: 'length-compare',
    level: 1,
    make: (r) => {
      const c = r.pick(CMPS);
      const k = r.int(1, 15);
      const words = { '>': 'more than', '<': 'fewer than', '>=': 'at least', '<=': 'at most', '==': 'exactly' }[c.op];
      return draft<[s: string]>({
        sig: 'f(s)',
        does: `that returns whether the string s has ${words} ${k} characters.`,
        plan: `s.length${c.op}${k}`,
        body: `return s.length${c.op}${k}`,
        ref: (s: string) => c.test(s.length, k),
        edges: [[''], [cyc('ab', k - 1)], [cyc('abc', k)], [cyc('xy', k + 1)], [cyc('q', 2 * k + 3)]],
        random: (q) => [str(q, LOWER, 0, 2 * k + 2)],
      });
    },
  },

  // Level 2: conditionals, simple string operations.
  {
    name: 'threshold-label',
    level: 2,
    make: (r) => {
      const c = r.pick(CMPS.slice(0, 4));
      const t = r.int(-20, 50);
      const [yes, no] = r.pick([['hi', 'lo'], ['yes', 'no'], ['big', 'small'], ['up', 'down'], ['on', 'off'], ['ok', 'bad']]);
      return draft<[x: number]>({
        sig: 'f(x)',
        does: `that returns '${yes}' if x is ${c.words} ${t}, else '${no}'.`,
        plan: `test x${c.op}${t}`,
        body: `return x${c.op}${t}?'${yes}':'${no}'`,
        ref: (x: number) => (c.test(x, t) ? yes : no),
        edges: [[t - 1], [t], [t + 1], [t - 50], [t + 50]],
        random: (q) => [q.int(t - 30, t + 30)],
      });
    },
  },
  {
    name: 'clamp',
    level: 2,
    make: (r) => {
      const lo = r.int(-20, 20);
      const hi = r.int(lo + 2, lo + 25);
      return draft<[x: number]>({
        sig: 'f(x)',
        does: `that returns x clamped to the range ${lo} to ${hi}.`,
        plan: `below ${lo}: ${lo}; above ${hi}: ${hi}`,
        body: `return x<${lo}?${lo}:x>${hi}?${hi}:x`,
        ref: (x: number) => Math.min(Math.max(x, lo), hi),
        edges: [[lo - 1], [lo], [lo + 1], [hi - 1], [hi], [hi + 1], [lo - 30], [hi + 30]],
        random: (q) => [q.int(lo - 10, hi + 10)],
      });
    },
  },
  {
    name: 'parity-map',
    level: 2,
    make: (r) => {
      const a = r.int(2, 9);
      const b = r.int(1, 9) * (r.next() < 0.5 ? -1 : 1);
      const bs = b < 0 ? `${b}` : `+${b}`;
      return draft<[x: number]>({
        sig: 'f(x)',
        does: `that returns x*${a} if x is even, else x${bs}.`,
        plan: 'x%2==0 means even',
        body: `return x%2==0?x*${a}:x${bs}`,
        ref: (x: number) => (x % 2 === 0 ? x * a : x + b),
        edges: [[0], [1], [-1], [2], [-4], [7], [3]],
        random: (q) => [q.int(-50, 50)],
      });
    },
  },
  {
    name: 'grade',
    level: 2,
    make: (r) => {
      const mid = r.int(1, 90);
      const top = r.int(mid + 5, 100);
      const [a, b, c] = r.pick([['A', 'B', 'C'], ['gold', 'silver', 'none'], ['high', 'mid', 'low'], ['x', 'y', 'z']]);
      return draft<[n: number]>({
        sig: 'f(n)',
        does: `that returns '${a}' if n is at least ${top}, '${b}' if at least ${mid}, else '${c}'.`,
        plan: `check ${top} first, then ${mid}`,
        body: `return n>=${top}?'${a}':n>=${mid}?'${b}':'${c}'`,
        ref: (n: number) => (n >= top ? a : n >= mid ? b : c),
        edges: [[top], [top - 1], [mid], [mid - 1], [0], [top + 10]],
        random: (q) => [q.int(0, 110)],
      });
    },
  },
  {
    name: 'truncate',
    level: 2,
    make: (r) => {
      const n = r.int(2, 15);
      const mark = r.pick(['.', '..', '~', '+', '*', '!']);
      return draft<[s: string]>({
        sig: 'f(s)',
        does: `that returns s, or its first ${n} characters and '${mark}' if s is longer than ${n}.`,
        plan: `cut if s.length>${n}`,
        body: `return s.length>${n}?s.slice(0,${n})+'${mark}':s`,
        ref: (s: string) => (s.length > n ? s.slice(0, n) + mark : s),
        edges: [[''], [cyc('ab', n - 1)], [cyc('xyz', n)], [cyc('pq', n + 1)], [cyc('abcde', 2 * n + 3)]],
        random: (q) => [str(q, LOWER, 0, 2 * n + 4)],
      });
    },
  },

  // Level 3: one loop over an array or a string.
  {
    name: 'sum-filter',
    level: 3,
    make: (r) => {
      const v = r.int(0, 5);
      const c = CMPS[v % 4];
      const t = v < 4 ? r.int(-10, 20) : 0;
      const k = v === 5 ? r.int(3, 9) : 2;
      const odd = v === 4 && r.next() < 0.5;
      const [does, cond, keep, lo, hi] = (
        v < 4
          ? [`numbers in the array a that are ${c.words} ${t}`, `x${c.op}${t}`, (x: number) => c.test(x, t), t - 10, t + 10]
          : v === 4
            ? odd
              ? ['odd numbers in the array a', 'x%2!=0', (x: number) => x % 2 !== 0, -20, 20]
              : ['even numbers in the array a', 'x%2==0', (x: number) => x % 2 === 0, -20, 20]
            : [`multiples of ${k} in the array a`, `x%${k}==0`, (x: number) => x % k === 0, -30, 30]
      ) as [string, string, (x: number) => boolean, number, number];
      const mid = (lo + hi) / 2;
      return draft<[a: number[]]>({
        sig: 'f(a)',
        does: `that returns the sum of the ${does}.`,
        plan: `add x when ${cond}`,
        body: `let s=0;for(const x of a)if(${cond})s+=x;return s`,
        ref: (a: number[]) => a.filter(keep).reduce((s, x) => s + x, 0),
        edges: [[[]], [[mid]], [[mid + 1]], [[mid - 1]], [[lo, mid, hi, mid + 1, mid - 1, 0, -3]], [[k * 2, k * 3 + 1, -k, 7, 8]]],
        random: (q) => [ints(q, lo, hi, 8)],
      });
    },
  },
  {
    name: 'count-char',
    level: 3,
    make: (r) => {
      const two = r.next() < 0.5;
      const [c, d] = two ? r.shuffle([...LOWER]).slice(0, 2).sort() : [r.pick([...LOWER, ...'0123456789']), ''];
      const cond = two ? `ch=='${c}'||ch=='${d}'` : `ch=='${c}'`;
      const noise = others(c + d, 3);
      return draft<[s: string]>({
        sig: 'f(s)',
        does: two ? `that returns how many characters of s are '${c}' or '${d}'.` : `that returns how many times '${c}' appears in the string s.`,
        plan: `count ch where ${cond}`,
        body: `let n=0;for(const ch of s)if(${cond})n++;return n`,
        ref: (s: string) => [...s].filter((ch) => ch === c || (two && ch === d)).length,
        edges: [[''], [c], [noise[0]], [c + c + noise + c], [two ? d + noise + d + c : noise + c + noise]],
        random: (q) => [str(q, c + d + noise, 0, 12)],
      });
    },
  },
  {
    name: 'index-first',
    level: 3,
    make: (r) => {
      const c = r.pick(CMPS);
      const t = r.int(-10, 20);
      return draft<[a: number[]]>({
        sig: 'f(a)',
        does: `that returns the index of the first number in a ${c.words} ${t}, or -1 if none.`,
        plan: `scan; return i if a[i]${c.op}${t}`,
        body: `for(let i=0;i<a.length;i++)if(a[i]${c.op}${t})return i;return -1`,
        ref: (a: number[]) => a.findIndex((x) => c.test(x, t)),
        edges: [[[]], [[t]], [[t - 1, t + 1]], [[t + 1, t, t - 1]], [[t - 5, t, t + 5, t]], [[t + 9, t + 8, t - 9]]],
        random: (q) => [ints(q, t - 4, t + 4, 8)],
      });
    },
  },
  {
    name: 'string-build',
    level: 3,
    make: (r) => {
      const v = r.int(0, 4);
      const k = v === 1 || v === 2 ? r.int(2, 6) : 2;
      const o = v === 1 ? r.int(0, k - 1) : 0;
      const sep = v === 3 ? r.pick([...'-_.,;:!?*+#@=/|']) : '';
      const indices = [0, 1, 2].map((j) => o + j * k).join(', ');
      const [does, plan, body, ref] = [
        ['the string s reversed', 'walk s from the end', "let r='';for(let i=s.length-1;i>=0;i--)r+=s[i];return r", (s: string) => [...s].reverse().join('')],
        [
          `the characters of s at indices ${indices} and so on`,
          `step ${k} from ${o}`,
          `let r='';for(let i=${o};i<s.length;i+=${k})r+=s[i];return r`,
          (s: string) => [...s].filter((_, i) => i >= o && (i - o) % k === 0).join(''),
        ],
        [`s with each character repeated ${k} times`, `repeat each ${k} times`, `let r='';for(const c of s)r+=c.repeat(${k});return r`, (s: string) => [...s].map((c) => c.repeat(k)).join('')],
        [`s with '${sep}' after each character`, `append c and '${sep}'`, `let r='';for(const c of s)r+=c+'${sep}';return r`, (s: string) => [...s].map((c) => c + sep).join('')],
        ['s followed by s reversed', 'append s backwards', "let r=s;for(let i=s.length-1;i>=0;i--)r+=s[i];return r", (s: string) => s + [...s].reverse().join('')],
      ][v] as [string, string, string, (s: string) => string];
      return draft<[s: string]>({
        sig: 'f(s)',
        does: `that returns ${does}.`,
        plan,
        body,
        ref,
        edges: [[''], ['a'], ['ab'], [cyc('abcdefghijk', o + k)], [cyc('pqrstu', o + k + 1)], [cyc('xyz', 2 * k + o)]],
        random: (q) => [str(q, LOWER, 0, 12)],
      });
    },
  },
  {
    name: 'replace-char',
    level: 3,
    make: (r) => {
      const remove = r.next() < 0.2;
      const c = r.pick([...LOWER]);
      const d = remove ? '' : r.pick([...LOWER].filter((x) => x !== c));
      const noise = others(c + d, 3);
      return draft<[s: string]>({
        sig: 'f(s)',
        does: remove ? `that returns s with every '${c}' removed.` : `that returns s with every '${c}' replaced by '${d}'.`,
        plan: remove ? `keep ch unless ch=='${c}'` : `swap '${c}' for '${d}'`,
        body: remove ? `let r='';for(const ch of s)if(ch!='${c}')r+=ch;return r` : `let r='';for(const ch of s)r+=ch=='${c}'?'${d}':ch;return r`,
        ref: (s: string) => [...s].filter((ch) => !remove || ch !== c).map((ch) => (ch === c ? d : ch)).join(''),
        edges: [[''], [c], [d], [noise], [c + noise + c + c + d]],
        random: (q) => [str(q, c + d + noise, 0, 12)],
      });
    },
  },

  // Level 4: two steps (state carried through a loop, or a loop inside a loop).
  {
    name: 'running',
    level: 4,
    make: (r) => {
      const v = r.int(0, 4);
      const m = v === 3 ? r.int(2, 20) : 0;
      const t = v === 4 ? r.int(-10, 20) : 0;
      const scan = (step: (acc: number, x: number) => number, init: number) => (a: number[]) => {
        let acc = init;
        return a.map((x) => (acc = step(acc, x)));
      };
      const [does, plan, body, ref, lo, hi] = [
        ['the running maximum of the array a', 'track the max so far', 'const r=[];let m=-Infinity;for(const x of a){m=Math.max(m,x);r.push(m)}return r', scan((p, x) => Math.max(p, x), -Infinity), -20, 20],
        ['the running minimum of the array a', 'track the min so far', 'const r=[];let m=Infinity;for(const x of a){m=Math.min(m,x);r.push(m)}return r', scan((p, x) => Math.min(p, x), Infinity), -20, 20],
        ['the running sums of the array a', 'add x, push the sum', 'const r=[];let s=0;for(const x of a){s+=x;r.push(s)}return r', scan((p, x) => p + x, 0), -20, 20],
        [`the running sums mod ${m} of the array a (no negatives)`, `add x, mod ${m}, push`, `const r=[];let s=0;for(const x of a){s=(s+x)%${m};r.push(s)}return r`, scan((p, x) => (p + x) % m, 0), 0, 3 * m],
        [`the running count of numbers greater than ${t} in a`, `count x>${t}, push`, `const r=[];let n=0;for(const x of a){if(x>${t})n++;r.push(n)}return r`, scan((p, x) => p + (x > t ? 1 : 0), 0), t - 6, t + 6],
      ][v] as [string, string, string, (a: number[]) => number[], number, number];
      const mid = Math.round((lo + hi) / 2);
      return draft<[a: number[]]>({
        sig: 'f(a)',
        does: `that returns ${does}.`,
        plan,
        body,
        ref,
        edges: [[[]], [[mid]], [[lo, hi, mid]], [[hi, mid, lo, hi, mid + 1]], [[mid, mid + 1, mid - 1, lo + 1, hi - 1, mid]]],
        random: (q) => [ints(q, lo, hi, 8)],
      });
    },
  },
  {
    name: 'dedupe',
    level: 4,
    make: (r) => {
      const v = r.int(0, 3);
      const t = v > 1 ? r.int(-10, 20) : 0;
      if (v === 0) {
        return draft<[s: string]>({
          sig: 'f(s)',
          does: 'that returns s without repeated characters, keeping first occurrences.',
          plan: 'append c if not seen',
          body: "let r='';for(const c of s)if(!r.includes(c))r+=c;return r",
          ref: (s: string) => [...new Set(s)].join(''),
          edges: [[''], ['a'], ['aa'], ['abcabc'], ['abba'], ['xyzzyx']],
          random: (q: Rng) => [str(q, 'abcde', 0, 12)],
        });
      }
      const c = CMPS[Math.max(0, v - 2)];
      const does = v === 1 ? 'the array a without duplicates, keeping first occurrences' : `the distinct numbers in a ${c.words} ${t}, in first-seen order`;
      const cond = v === 1 ? '!r.includes(x)' : `x${c.op}${t}&&!r.includes(x)`;
      return draft<[a: number[]]>({
        sig: 'f(a)',
        does: `that returns ${does}.`,
        plan: v === 1 ? 'push x if not seen' : `push x if x${c.op}${t}, not seen`,
        body: `const r=[];for(const x of a)if(${cond})r.push(x);return r`,
        ref: (a: number[]) => [...new Set(a.filter((x) => v === 1 || c.test(x, t)))],
        edges: [[[]], [[t]], [[t + 1, t + 1]], [[t - 1, t, t + 1, t, t - 1, t + 1]], [[t + 3, t - 3, t + 3, t + 2, t - 3]]],
        random: (q: Rng) => [ints(q, t - 3, t + 3, 9)],
      });
    },
  },
  {
    name: 'fizz',
    level: 4,
    make: (r) => {
      const p = r.int(2, 9);
      const two = r.next() < 0.7;
      // Never a multiple of p: its word would never show.
      const q = two ? r.pick([2, 3, 4, 5, 6, 7, 8, 9].filter((d) => d % p !== 0)) : p;
      const [x, y] = r.pick([['Fizz', 'Buzz'], ['Foo', 'Bar'], ['X', 'Y'], ['Ping', 'Pong'], ['A', 'B']]);
      const does = two ? `multiples of ${p} as '${x}', other multiples of ${q} as '${y}'` : `multiples of ${p} as '${x}'`;
      const pick = two ? `i%${p}==0?'${x}':i%${q}==0?'${y}':i` : `i%${p}==0?'${x}':i`;
      return draft<[n: number]>({
        sig: 'f(n)',
        does: `that returns [1..n] with ${does}.`,
        plan: `i from 1 to n, map`,
        body: `const r=[];for(let i=1;i<=n;i++)r.push(${pick});return r`,
        ref: (n: number) => Array.from({ length: n }, (_, j) => ((j + 1) % p === 0 ? x : two && (j + 1) % q === 0 ? y : j + 1)),
        edges: [[0], [1], [p], [q], [p * q + 1]],
        random: (g) => [g.int(0, 30)],
      });
    },
  },
  {
    name: 'pair-count',
    level: 4,
    make: (r) => {
      const c = r.pick([CMPS[0], CMPS[1], CMPS[4]]);
      const t = r.int(-10, 30);
      const h = Math.floor(t / 2);
      return draft<[a: number[]]>({
        sig: 'f(a)',
        does: `that returns how many pairs i<j have a[i]+a[j] ${c.words} ${t}.`,
        plan: 'test every pair j<i',
        body: `let n=0;for(let i=0;i<a.length;i++)for(let j=0;j<i;j++)if(a[i]+a[j]${c.op}${t})n++;return n`,
        ref: (a: number[]) => {
          let n = 0;
          for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) if (c.test(a[i] + a[j], t)) n++;
          return n;
        },
        edges: [[[]], [[t]], [[h, t - h]], [[h, t - h, h + 1]], [[t - h - 1, h, t - h + 1, h + 1, h]], [[t, 0, 0, t, 1]]],
        random: (q) => [ints(q, h - 5, h + 5, 8)],
      });
    },
  },
  {
    name: 'longest-run',
    level: 4,
    make: (r) => {
      if (r.next() < 0.3) {
        const c = r.pick([...LOWER]);
        const noise = others(c, 2);
        return draft<[s: string]>({
          sig: 'f(s)',
          does: `that returns the length of the longest run of '${c}' in s.`,
          plan: 'count the run, keep the best',
          body: `let b=0,n=0;for(const x of s){n=x=='${c}'?n+1:0;b=Math.max(b,n)}return b`,
          ref: (s: string) => Math.max(0, ...s.split(new RegExp(`[^${c}]`)).map((p) => p.length)),
          edges: [[''], [c], [noise], [c + c + noise + c], [c + noise + c + c + c], [noise + c + c]],
          random: (q: Rng) => [str(q, c + c + noise, 0, 12)],
        });
      }
      const c = r.pick(CMPS.slice(0, 2));
      const t = r.int(-10, 20);
      return draft<[a: number[]]>({
        sig: 'f(a)',
        does: `that returns the length of the longest run of numbers ${c.words} ${t} in a.`,
        plan: 'count the run, keep the best',
        body: `let b=0,n=0;for(const x of a){n=x${c.op}${t}?n+1:0;b=Math.max(b,n)}return b`,
        ref: (a: number[]) => {
          let b = 0;
          let n = 0;
          for (const x of a) b = Math.max(b, (n = c.test(x, t) ? n + 1 : 0));
          return b;
        },
        edges: [[[]], [[t]], [[t + 1]], [[t - 1]], [[t + 1, t + 2, t, t - 1, t - 2, t + 3]], [[t - 1, t + 1, t + 1, t - 1, t + 1, t + 1, t + 1]]],
        random: (q: Rng) => [ints(q, t - 3, t + 3, 10)],
      });
    },
  },

  // Level 5: recursion or dynamic programming.
  {
    name: 'fib-mod',
    level: 5,
    make: (r) => {
      const m = r.int(2, 999);
      return draft<[n: number]>({
        sig: 'f(n)',
        does: `that returns the n-th Fibonacci number (F0=0, F1=1) mod ${m}.`,
        plan: `iterate pairs, mod ${m}`,
        body: `let a=0,b=1;for(let i=0;i<n;i++)[a,b]=[b,(a+b)%${m}];return a`,
        ref: (n: number) => {
          let [a, b] = [0, 1];
          for (let i = 0; i < n; i++) [a, b] = [b, (a + b) % m];
          return a;
        },
        edges: [[0], [1], [2], [3], [10], [90]],
        random: (q) => [q.int(0, 90)],
      });
    },
  },
  {
    name: 'stairs',
    level: 5,
    make: (r) => {
      const a = r.int(1, 4);
      const b = r.int(a + 1, 5);
      const m = r.next() < 0.5 ? 0 : r.int(2, 99);
      const sum = `(d[i-${a}]||0)+(d[i-${b}]||0)`;
      const ways = (n: number) => {
        const d = [1];
        for (let i = 1; i <= n; i++) d[i] = ((d[i - a] ?? 0) + (d[i - b] ?? 0)) % (m || Infinity);
        return d[n];
      };
      return draft<[n: number]>({
        sig: 'f(n)',
        does: `that returns the number of ways to climb n stairs in steps of ${a} or ${b}${m ? `, mod ${m}` : ''}.`,
        plan: `d[i]=d[i-${a}]+d[i-${b}]`,
        body: `const d=[1];for(let i=1;i<=n;i++)d[i]=${m ? `(${sum})%${m}` : sum};return d[n]`,
        ref: ways,
        edges: [[0], [1], [a], [b], [b + 1], [12], [40]],
        random: (q) => [q.int(0, 40)],
      });
    },
  },
  {
    name: 'digits',
    level: 5,
    make: (r) => {
      const v = r.int(0, 3);
      const base = v === 3 ? 10 : r.int(2, 16);
      const of = base === 10 ? 'n' : `n in base ${base}`;
      const rest = `f(Math.floor(n/${base}))`;
      const [does, body, ref] = [
        [`the sum of the digits of ${of}`, `return n<${base}?n:n%${base}+${rest}`, (n: number) => digitsOf(n, base).reduce((s, d) => s + d, 0)],
        [`the product of the digits of ${of}`, `return n<${base}?n:n%${base}*${rest}`, (n: number) => digitsOf(n, base).reduce((s, d) => s * d, 1)],
        [`the number of digits of ${of}`, `return n<${base}?1:1+${rest}`, (n: number) => digitsOf(n, base).length],
        ['the digital root of n (sum digits until one is left)', `return n<10?n:f(n%10+${rest})`, (n: number) => (n === 0 ? 0 : 1 + ((n - 1) % 9))],
      ][v] as [string, string, (n: number) => number];
      return draft<[n: number]>({
        sig: 'f(n)',
        does: `that returns ${does} (n>=0).`,
        plan: `last digit n%${base}, recurse on the rest`,
        body,
        ref,
        edges: [[0], [1], [base - 1], [base], [base + 1], [base * base - 1], [base * base * base + 2]],
        random: (q) => [q.int(0, 1_000_000)],
      });
    },
  },
  {
    name: 'recurrence',
    level: 5,
    make: (r) => {
      const a = r.int(0, 9);
      const b = r.int(1, 9);
      const c = r.int(1, 3);
      const g = (n: number): number => {
        let [x, y] = [a, b];
        for (let i = 0; i < n; i++) [x, y] = [y, y + c * x];
        return x;
      };
      return draft<[n: number]>({
        sig: 'f(n)',
        does: `with f(0)=${a}, f(1)=${b}, f(n)=f(n-1)+${c}*f(n-2).`,
        plan: 'base cases, then recurse',
        body: `return n==0?${a}:n==1?${b}:f(n-1)+${c}*f(n-2)`,
        ref: g,
        edges: [[0], [1], [2], [3], [7], [18]],
        random: (q) => [q.int(0, 18)],
      });
    },
  },
  {
    name: 'power-mod',
    level: 5,
    make: (r) => {
      const m = r.int(2, 999);
      const pow = (b: number, e: number): number => (e === 0 ? 1 : (b * pow(b, e - 1)) % m);
      return draft<[b: number, e: number]>({
        sig: 'f(b,e)',
        does: `that returns b to the power e, mod ${m} (b, e >= 0).`,
        plan: `b*f(b,e-1), mod ${m}`,
        body: `return e==0?1:b*f(b,e-1)%${m}`,
        ref: pow,
        edges: [[0, 0], [5, 0], [0, 4], [1, 9], [2, 1], [3, 2], [m, 3], [m + 1, 5], [2, 11]],
        random: (q) => [q.int(0, 100), q.int(0, 30)],
      });
    },
  },
];

function digitsOf(n: number, base: number): number[] {
  const out = [n % base];
  for (n = Math.floor(n / base); n > 0; n = Math.floor(n / base)) out.push(n % base);
  return out;
}

export const CODE_FAMILIES = FAMILIES.map((f) => ({ name: f.name, level: f.level }));

/**
 * The teacher's response: plan, then the program as the last fenced block after </think>. No
 * newline before the fence: the extractor only needs the fence to start a line, and it is a token saved.
 */
export function teacherCodeSolution(plan: string, code: string): string {
  return `<think>${plan}</think>\`\`\`js\n${code}\n\`\`\``;
}

/** Edge cases, then random ones drawn from the prompt's hash, de-duplicated, CASES_PER_TASK in all. */
function testsOf(d: Draft, prompt: string): CodeTestsInput {
  const rng = new Rng(fnv1a32(prompt));
  const seen = new Set<string>();
  const cases: { args: unknown[]; expected: unknown }[] = [];
  const add = (args: unknown[]) => {
    const key = JSON.stringify(args);
    if (seen.has(key)) return;
    seen.add(key);
    cases.push({ args, expected: d.ref(...structuredClone(args)) });
  };
  for (const args of d.edges) add(args);
  for (let tries = 0; cases.length < CASES_PER_TASK && tries < 100; tries++) add(d.random(rng));
  return { format: 'function', fnName: 'f', cases };
}

export type CodeSuiteOptions = SuiteOptions<CodeLevel>;

/** `count` distinct tasks of one split, reproducible from the seed. */
export function generateCodeTasks(opts: CodeSuiteOptions): CodeTask[] {
  return drawTasks(
    opts,
    FAMILIES,
    (f, rng) => {
      const d = f.make(rng);
      return { prompt: `Write a JavaScript function ${d.sig} ${d.does}`, data: d };
    },
    (id, f, prompt, d) => ({ id, level: f.level, family: f.name, prompt, tests: testsOf(d, prompt), solution: teacherCodeSolution(d.plan, `function ${d.sig}{${d.body}}`) }),
  );
}
