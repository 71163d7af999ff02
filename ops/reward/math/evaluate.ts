// Two evaluators over answer trees: exact (Gaussian rationals; integers, fractions,
// decimals, factorials, perfect-square roots, i) and numeric (complex doubles, with a
// variable assignment, for constants like sqrt(2) and for random substitution). The numeric
// one flags overflow/underflow as unreliable, so `1/2004!` and `1/2006!` never meet at 0.
// Not symbolic: anything else returns null / NaN and the cascade moves on.
import type { Node } from './ast.ts';
import {
  type C, Q0, Q1, TooBigError, c, cAdd, cDiv, cIsReal, cIsZero, cMul, cNeg, cPowInt, q, qFactorial,
  qIsInt, qSqrt, qToNumber,
} from './rational.ts';

/** Exact value, or null when the tree is not an exact (Gaussian) rational or too big. */
export function exactValue(node: Node): C | null {
  try {
    return exact(node);
  } catch (err) {
    if (err instanceof TooBigError || err instanceof RangeError) return null;
    throw err;
  }
}

function exact(node: Node): C | null {
  switch (node.t) {
    case 'num':
      return c(node.v);
    case 'sym':
      return node.name === 'i' ? c(Q0, Q1) : null;
    case 'neg': {
      const a = exact(node.arg);
      return a && cNeg(a);
    }
    case 'add': {
      let acc = c(Q0);
      for (const arg of node.args) {
        const v = exact(arg);
        if (!v) return null;
        acc = cAdd(acc, v);
      }
      return acc;
    }
    case 'mul': {
      let acc = c(Q1);
      for (const arg of node.args) {
        const v = exact(arg);
        if (!v) return null;
        acc = cMul(acc, v);
      }
      return acc;
    }
    case 'div': {
      const a = exact(node.num);
      const b = a && exact(node.den);
      return a && b && !cIsZero(b) ? cDiv(a, b) : null;
    }
    case 'pow': {
      const e = exact(node.exp);
      if (!e || !cIsReal(e)) return null;
      const b = exact(node.base);
      if (!b) return null;
      if (qIsInt(e.re)) return cIsZero(b) && e.re.n < 0n ? null : cPowInt(b, e.re.n);
      if (e.re.d === 2n && cIsReal(b)) {
        const r = qSqrt(b.re);
        return r && cPowInt(c(r), e.re.n);
      }
      return null;
    }
    case 'fn':
      return exactFn(node.name, node.args);
    default:
      return null;
  }
}

function exactFn(name: string, args: Node[]): C | null {
  const vals = args.map(exact);
  if (vals.some((v) => !v || !cIsReal(v))) return null;
  const x = vals.map((v) => v!.re);
  if (name === 'sqrt') {
    const r = qSqrt(x[0]);
    return r && c(r);
  }
  if (name === 'abs') return c(x[0].n < 0n ? q(-x[0].n, x[0].d) : x[0]);
  if (name === 'fact') return qIsInt(x[0]) && x[0].n >= 0n ? c(qFactorial(x[0].n)) : null;
  if (name === 'binom' && qIsInt(x[0]) && qIsInt(x[1])) {
    const n = x[0].n;
    const k = x[1].n;
    if (k < 0n || n < 0n || k > n) return c(Q0);
    if (n > 100_000n) throw new TooBigError('binomial');
    let r = 1n;
    const kk = k < n - k ? k : n - k;
    for (let j = 1n; j <= kk; j++) r = (r * (n - kk + j)) / j;
    return c(q(r));
  }
  if (name === 'floor' || name === 'ceil') {
    const a = x[0];
    let f = a.n / a.d;
    if (a.n < 0n && f * a.d !== a.n) f -= 1n;
    return c(q(name === 'ceil' && f * a.d !== a.n ? f + 1n : f));
  }
  return null;
}

// ---- numeric --------------------------------------------------------------------------

export type Cx = { re: number; im: number };

export class NotNumericError extends Error {
  readonly code = 'not-numeric' as const;
}

/** Evaluation context: a variable assignment and the reliability flag. */
export type NumericCtx = { vars: ReadonlyMap<string, number>; unreliable: boolean };

const cx = (re: number, im = 0): Cx => ({ re, im });
const NAN = cx(NaN, NaN);

export function numericValue(node: Node, ctx: NumericCtx): Cx {
  switch (node.t) {
    case 'num':
      return cx(qToNumber(node.v));
    case 'sym': {
      if (node.name === 'pi') return cx(Math.PI);
      if (node.name === 'e') return cx(Math.E);
      if (node.name === 'i') return cx(0, 1);
      if (node.name === 'inf') return cx(Infinity);
      const v = ctx.vars.get(node.name);
      if (v === undefined) throw new NotNumericError(`free symbol ${node.name}`);
      return cx(v);
    }
    case 'neg': {
      const a = numericValue(node.arg, ctx);
      return cx(-a.re, -a.im);
    }
    case 'add': {
      let re = 0;
      let im = 0;
      for (const arg of node.args) {
        const v = numericValue(arg, ctx);
        re += v.re;
        im += v.im;
      }
      return cx(re, im);
    }
    case 'mul': {
      let acc = cx(1);
      for (const arg of node.args) {
        const v = numericValue(arg, ctx);
        acc = guard(ctx, cmul(acc, v), acc, v);
      }
      return acc;
    }
    case 'div': {
      const a = numericValue(node.num, ctx);
      const b = numericValue(node.den, ctx);
      return guard(ctx, cdiv(a, b), a, b);
    }
    case 'pow': {
      const a = numericValue(node.base, ctx);
      const b = numericValue(node.exp, ctx);
      return guard(ctx, cpow(a, b), a, b);
    }
    case 'fn':
      return numericFn(node.name, node.args.map((arg) => numericValue(arg, ctx)), ctx);
    default:
      throw new NotNumericError(`${node.t} is not a number`);
  }
}

/** Marks the context unreliable when finite non-zero inputs gave 0 or a non-finite result. */
function guard(ctx: NumericCtx, r: Cx, a: Cx, b: Cx): Cx {
  const finiteIn = isFiniteCx(a) && isFiniteCx(b);
  if (finiteIn && !isFiniteCx(r) && !Number.isNaN(r.re)) ctx.unreliable = true;
  if (finiteIn && r.re === 0 && r.im === 0 && !isZero(a) && !isZero(b)) ctx.unreliable = true;
  return r;
}

const isZero = (a: Cx) => a.re === 0 && a.im === 0;
export const isFiniteCx = (a: Cx) => Number.isFinite(a.re) && Number.isFinite(a.im);
export const absCx = (a: Cx) => Math.hypot(a.re, a.im);

function cmul(a: Cx, b: Cx): Cx {
  if (a.im === 0 && b.im === 0) return cx(a.re * b.re);
  return cx(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
}

function cdiv(a: Cx, b: Cx): Cx {
  if (isZero(b)) return NAN;
  if (a.im === 0 && b.im === 0) return cx(a.re / b.re);
  const d = b.re * b.re + b.im * b.im;
  return cx((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}

function clog(a: Cx): Cx {
  return cx(Math.log(absCx(a)), Math.atan2(a.im, a.re));
}

function cexp(a: Cx): Cx {
  const m = Math.exp(a.re);
  return a.im === 0 ? cx(m) : cx(m * Math.cos(a.im), m * Math.sin(a.im));
}

function cpow(a: Cx, b: Cx): Cx {
  if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) <= 1e6) {
    if (a.im === 0) return cx(a.re ** b.re);
    let k = Math.abs(b.re);
    let r = cx(1);
    let base = a;
    while (k > 0) {
      if (k & 1) r = cmul(r, base);
      base = cmul(base, base);
      k = Math.floor(k / 2);
    }
    return b.re < 0 ? cdiv(cx(1), r) : r;
  }
  if (a.im === 0 && b.im === 0 && a.re >= 0) return cx(a.re ** b.re);
  if (isZero(a)) return b.re > 0 ? cx(0) : NAN;
  return cexp(cmul(b, clog(a)));
}

function csqrt(a: Cx): Cx {
  if (a.im === 0) return a.re >= 0 ? cx(Math.sqrt(a.re)) : cx(0, Math.sqrt(-a.re));
  const m = absCx(a);
  const re = Math.sqrt((m + a.re) / 2);
  const im = Math.sign(a.im) * Math.sqrt((m - a.re) / 2);
  return cx(re, im);
}

function csin(a: Cx): Cx {
  return cx(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im));
}

function ccos(a: Cx): Cx {
  return cx(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im));
}

function realOnly(args: Cx[], f: (...x: number[]) => number): Cx {
  if (args.some((a) => a.im !== 0)) return NAN;
  return cx(f(...args.map((a) => a.re)));
}

function factorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) return NaN;
  if (n > 170) return Infinity;
  let r = 1;
  for (let k = 2; k <= n; k++) r *= k;
  return r;
}

function gcdNum(a: number, b: number): number {
  if (!Number.isInteger(a) || !Number.isInteger(b)) return NaN;
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

function numericFn(name: string, args: Cx[], ctx: NumericCtx): Cx {
  const [a, b] = args;
  switch (name) {
    case 'sqrt':
      return csqrt(a);
    case 'root': {
      if (a.im === 0 && b.im === 0 && Number.isInteger(b.re) && b.re % 2 !== 0 && a.re < 0) return cx(-((-a.re) ** (1 / b.re)));
      return cpow(a, cdiv(cx(1), b));
    }
    case 'sin':
      return csin(a);
    case 'cos':
      return ccos(a);
    case 'tan':
      return cdiv(csin(a), ccos(a));
    case 'cot':
      return cdiv(ccos(a), csin(a));
    case 'sec':
      return cdiv(cx(1), ccos(a));
    case 'csc':
      return cdiv(cx(1), csin(a));
    case 'arcsin':
      return realOnly(args, Math.asin);
    case 'arccos':
      return realOnly(args, Math.acos);
    case 'arctan':
      return realOnly(args, Math.atan);
    case 'sinh':
      return realOnly(args, Math.sinh);
    case 'cosh':
      return realOnly(args, Math.cosh);
    case 'tanh':
      return realOnly(args, Math.tanh);
    case 'ln':
      return isZero(a) ? NAN : clog(a);
    case 'log':
      if (isZero(a)) return NAN;
      return args.length === 2 ? cdiv(clog(a), clog(b)) : clog(a);
    case 'lg':
      return isZero(a) ? NAN : cdiv(clog(a), cx(Math.LN10));
    case 'exp':
      return guard(ctx, cexp(a), a, cx(1));
    case 'abs':
      return cx(absCx(a));
    case 'fact': {
      const r = realOnly(args, factorial);
      if (r.re === Infinity) ctx.unreliable = true;
      return r;
    }
    case 'binom':
      return realOnly(args, binomNum);
    case 'floor':
      return realOnly(args, Math.floor);
    case 'ceil':
      return realOnly(args, Math.ceil);
    case 'max':
      return realOnly(args, Math.max);
    case 'min':
      return realOnly(args, Math.min);
    case 'gcd':
      return realOnly(args, (...x) => x.reduce(gcdNum));
    case 'lcm':
      return realOnly(args, (...x) => x.reduce((p, v) => Math.abs(p * v) / gcdNum(p, v)));
    default:
      throw new NotNumericError(`no numeric rule for ${name}`);
  }
}

/** C(x, k) for a non-negative integer k and any real x, as the falling factorial over k!. */
function binomNum(x: number, k: number): number {
  if (!Number.isInteger(k) || k > 10_000) return NaN;
  if (k < 0 || (Number.isInteger(x) && k > x && x >= 0)) return 0;
  let r = 1;
  for (let j = 1; j <= k; j++) r = (r * (x - k + j)) / j;
  return Number.isInteger(x) ? Math.round(r) : r;
}
