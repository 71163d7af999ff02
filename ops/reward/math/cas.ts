// The symbolic step of the cascade, on @cortex-js/compute-engine: our tree becomes MathJSON,
// and two answers are equal only when CE simplifies their difference to a structural 0.
// CE's own `isEqual` and `is(0)` are tolerance-based (they call 1/2004! and 1/2006! equal),
// so only `isEqual === false` is trusted, for "different". Also a fallback LaTeX parser for
// answers our parser rejects. Slow (ms per call): the cascade reaches it last.
import { ComputeEngine } from '@cortex-js/compute-engine';
import type { Node } from './ast.ts';

type Json = number | string | Json[];
type Boxed = NonNullable<ReturnType<ComputeEngine['box']>>;

let engine: ComputeEngine | null = null;
function ce(): ComputeEngine {
  engine ??= new ComputeEngine();
  return engine;
}

const FN: Record<string, string> = {
  sqrt: 'Sqrt', root: 'Root', sin: 'Sin', cos: 'Cos', tan: 'Tan', cot: 'Cot', sec: 'Sec', csc: 'Csc',
  arcsin: 'Arcsin', arccos: 'Arccos', arctan: 'Arctan', sinh: 'Sinh', cosh: 'Cosh', tanh: 'Tanh',
  ln: 'Ln', exp: 'Exp', fact: 'Factorial', binom: 'Binomial', abs: 'Abs', floor: 'Floor', ceil: 'Ceil',
  max: 'Max', min: 'Min', gcd: 'GCD', lcm: 'LCM',
};
const SYM: Record<string, Json> = { pi: 'Pi', e: 'ExponentialE', i: 'ImaginaryUnit', inf: 'PositiveInfinity' };

class Unsupported extends Error {}

/** Beyond these, CE tries to build the exact value or expansion and can exhaust memory. */
const CAS_MAX_NODES = 200;
const CAS_MAX_EXPONENT = 64;
const CAS_MAX_FACTORIAL = 1000;
/** LaTeX longer than this is not handed to CE's parser. */
const CAS_MAX_LATEX = 1000;

/** False for trees CE would try to expand or evaluate exactly at ruinous cost. */
function casSafe(root: Node): boolean {
  let nodes = 0;
  const bigNumber = (n: Node, limit: number): boolean =>
    n.t === 'num' ? n.v.n > BigInt(limit) * n.v.d || -n.v.n > BigInt(limit) * n.v.d : n.t !== 'sym' && n.t !== 'neg' ? true : n.t === 'neg' && bigNumber(n.arg, limit);
  const walk = (n: Node): boolean => {
    if (++nodes > CAS_MAX_NODES) return false;
    switch (n.t) {
      case 'num':
      case 'sym':
      case 'text':
        return true;
      case 'neg':
        return walk(n.arg);
      case 'div':
        return walk(n.num) && walk(n.den);
      case 'pow':
        return !bigNumber(n.exp, CAS_MAX_EXPONENT) && walk(n.base) && walk(n.exp);
      case 'fn':
        if ((n.name === 'fact' || n.name === 'binom') && n.args.some((a) => bigNumber(a, CAS_MAX_FACTORIAL))) return false;
        return n.args.every(walk);
      case 'add':
      case 'mul':
      case 'union':
        return n.args.every(walk);
      default:
        return false;
    }
  };
  return walk(root);
}

/** MathJSON for a scalar tree; throws Unsupported for structures and unknown functions. */
function toJson(node: Node): Json {
  switch (node.t) {
    case 'num':
      return node.v.d === 1n ? bigintJson(node.v.n) : ['Rational', bigintJson(node.v.n), bigintJson(node.v.d)];
    case 'sym':
      if (/^\d/.test(node.name)) throw new Unsupported(node.name);
      return SYM[node.name] ?? node.name;
    case 'add':
      return ['Add', ...node.args.map(toJson)];
    case 'mul':
      return ['Multiply', ...node.args.map(toJson)];
    case 'neg':
      return ['Negate', toJson(node.arg)];
    case 'div':
      return ['Divide', toJson(node.num), toJson(node.den)];
    case 'pow':
      return ['Power', toJson(node.base), toJson(node.exp)];
    case 'fn': {
      if (node.name === 'log') return node.args.length === 2 ? ['Log', toJson(node.args[0]), toJson(node.args[1])] : ['Ln', toJson(node.args[0])];
      if (node.name === 'lg') return ['Log', toJson(node.args[0]), 10];
      const head = FN[node.name];
      if (!head) throw new Unsupported(node.name);
      return [head, ...node.args.map(toJson)];
    }
    default:
      throw new Unsupported(node.t);
  }
}

function bigintJson(n: bigint): Json {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : { num: n.toString() } as unknown as Json;
}

export type CasResult = 'equal' | 'different' | 'undecided';

function decide(a: Boxed, b: Boxed): CasResult {
  const diff = ce().box(['Subtract', a.json, b.json] as never).simplify();
  if (diff.json === 0) return 'equal';
  return a.isEqual(b) === false ? 'different' : 'undecided';
}

/** CE comparison of two scalar trees. */
export function compareByCas(a: Node, b: Node): CasResult {
  if (!casSafe(a) || !casSafe(b)) return 'undecided';
  try {
    const x = ce().box(toJson(a) as never);
    const y = ce().box(toJson(b) as never);
    if (!x.isValid || !y.isValid) return 'undecided';
    return decide(x, y);
  } catch {
    // Unsupported shapes and CE internal failures alike leave the step undecided.
    return 'undecided';
  }
}

/** CE's LaTeX parse, when valid (no Error nodes), for answers our parser rejects. */
export function casParse(latex: string): Boxed | null {
  if (latex.length > CAS_MAX_LATEX) return null;
  try {
    const x = ce().parse(latex);
    return x.isValid ? x : null;
  } catch {
    return null;
  }
}

/** CE comparison of two CE-parsed answers (the fallback path). */
export function compareParsedByCas(a: Boxed, b: Boxed): CasResult {
  try {
    return decide(a, b);
  } catch {
    return 'undecided';
  }
}

/** Converts our tree for the fallback path (null when it has no MathJSON form). */
export function casBox(node: Node): Boxed | null {
  if (!casSafe(node)) return null;
  try {
    const x = ce().box(toJson(node) as never);
    return x.isValid ? x : null;
  } catch {
    return null;
  }
}
