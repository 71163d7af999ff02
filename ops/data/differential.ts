// Differential inputs for surviving mutants. A mutant that passes every test is either a
// sign of weak tests or an equivalent program (`i < n` vs `i <= n` where it cannot matter).
// To tell them apart, the reference and the mutant are run side by side on new inputs
// made from the tests' own argument literals (recombined across cases, integer literals
// nudged by ±1), inside the code verifier's sandbox; an input on which they disagree
// confirms the tests are weak. Needs tests whose cases bind arguments as
// `var argN = <literal>;` lines (MBJSP); other formats get no differential inputs.
import { Rng } from '../rng.ts';

/** Argument expressions per test case, when every case binds its arguments as `var argX = ...;`. */
export function caseArguments(cases: readonly string[]): string[][] | null {
  const out: string[][] = [];
  for (const c of cases) {
    const args = [...c.matchAll(/^var arg\w* = (.*);\s*$/gm)].map((m) => m[1]);
    if (args.length === 0) return null;
    out.push(args);
  }
  return out;
}

const LITERALS = /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?<![\w.])(\d+)(?![\w.])/g;

/** The expression with its integer literals (outside strings) moved by delta: all of them, or only the k-th. */
function nudge(expr: string, delta: number, k?: number): string {
  let seen = -1;
  return expr.replace(LITERALS, (m, str: string | undefined, n: string | undefined) => {
    if (str !== undefined) return str;
    seen++;
    return k === undefined || k === seen ? String(Math.max(0, Number(n) + delta)) : m;
  });
}

function countLiterals(expr: string): number {
  return [...expr.matchAll(LITERALS)].filter((m) => m[1] === undefined).length;
}

/** Up to `max` new argument tuples, distinct from the tests' own. */
export function variantArguments(args: readonly string[][], max: number, seed: number): string[][] {
  const seen = new Set(args.map((a) => a.join('\u0000')));
  const out: string[][] = [];
  const add = (a: string[]) => {
    const key = a.join('\u0000');
    if (seen.has(key) || out.length >= max) return;
    seen.add(key);
    out.push(a);
  };
  const candidates: string[][] = [];
  for (const a of args) {
    candidates.push(a.map((e) => nudge(e, 1)), a.map((e) => nudge(e, -1)));
    // One literal at a time: [3, 3, 3] -> [4, 3, 3] tells max from min where a uniform shift cannot.
    a.forEach((e, j) => {
      for (let k = 0; k < Math.min(countLiterals(e), 8); k++) {
        for (const d of [1, -1]) candidates.push(a.map((x, i) => (i === j ? nudge(x, d, k) : x)));
      }
    });
    for (let j = 0; j < a.length; j++) for (const b of args) if (b.length === a.length) candidates.push(a.map((e, k) => (k === j ? b[j] : e)));
  }
  for (const c of new Rng(seed).shuffle(candidates)) add(c);
  return out;
}

/**
 * Assert-style cases that run `reference` (wrapped in its own scope) and the program's
 * `entryPoint` on the same fresh arguments and throw when results or thrown-ness differ.
 */
export function differentialCases(reference: string, entryPoint: string, variants: readonly string[][]): string[] {
  const ref = `(function () {\n${reference}\nreturn ${entryPoint};\n})()`;
  return variants.map((args) =>
    [
      `{ const __aceRef = ${ref};`,
      `  const __aceArgs = () => [${args.join(', ')}];`,
      '  const __aceRun = (f) => { try { return { v: f(...__aceArgs()) }; } catch (e) { return { e: true }; } };',
      `  const __aceA = __aceRun(__aceRef), __aceB = __aceRun(${entryPoint});`,
      "  if (!(__aceA.e ? __aceB.e : !__aceB.e && require('lodash').isEqual(__aceA.v, __aceB.v))) throw new Error('reference and program differ on ' + JSON.stringify(__aceArgs()));",
      '}',
    ].join('\n'),
  );
}
