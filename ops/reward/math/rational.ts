// Exact arithmetic for the math verifier: rationals over BigInt and Gaussian rationals
// (a + bi with rational a, b). Every result is size-checked so that a hostile answer
// (`10^{10^{10}}`, `5000!^{5000}`) throws TooBigError instead of eating the heap.
// Not a CAS: no radicals, no symbols (see expand.ts and evaluate.ts).

/** Largest numerator/denominator we keep exactly; beyond it the exact step is undecided. */
export const MAX_EXACT_BITS = 200_000;

export class TooBigError extends Error {
  readonly code = 'too-big' as const;
  constructor(what: string) {
    super(`exact value too large: ${what}`);
  }
}

export type Q = { readonly n: bigint; readonly d: bigint };

function bitLength(x: bigint): number {
  const a = x < 0n ? -x : x;
  return a === 0n ? 0 : a.toString(16).length * 4;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function q(n: bigint, d: bigint = 1n): Q {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  if (bitLength(n) > MAX_EXACT_BITS || bitLength(d) > MAX_EXACT_BITS) throw new TooBigError('rational');
  const g = gcd(n, d);
  return g === 1n ? { n, d } : { n: n / g, d: d / g };
}

export const Q0 = q(0n);
export const Q1 = q(1n);

export const qAdd = (a: Q, b: Q): Q => (a.d === b.d ? q(a.n + b.n, a.d) : q(a.n * b.d + b.n * a.d, a.d * b.d));
export const qSub = (a: Q, b: Q): Q => qAdd(a, qNeg(b));
export const qMul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
export const qNeg = (a: Q): Q => ({ n: -a.n, d: a.d });
export const qIsZero = (a: Q): boolean => a.n === 0n;
export const qEq = (a: Q, b: Q): boolean => a.n === b.n && a.d === b.d;
export const qIsInt = (a: Q): boolean => a.d === 1n;

export function qDiv(a: Q, b: Q): Q {
  if (b.n === 0n) throw new RangeError('division by zero');
  return q(a.n * b.d, a.d * b.n);
}

/** a^k for an integer k, refusing results beyond MAX_EXACT_BITS before computing them. */
export function qPowInt(a: Q, k: bigint): Q {
  if (k < 0n) return qPowInt(qDiv(Q1, a), -k);
  if (k === 0n) return Q1;
  if (a.n === 0n || (a.d === 1n && (a.n === 1n || a.n === -1n))) return k % 2n === 0n ? qMul(a, a) : a;
  const bits = Math.max(bitLength(a.n), bitLength(a.d));
  if (k > BigInt(MAX_EXACT_BITS) || Number(k) * Math.max(1, bits - 1) > MAX_EXACT_BITS) throw new TooBigError('power');
  return q(a.n ** k, a.d ** k);
}

/** Exact square root when numerator and denominator are perfect squares, else null. */
export function qSqrt(a: Q): Q | null {
  if (a.n < 0n) return null;
  const rn = isqrt(a.n);
  const rd = isqrt(a.d);
  return rn * rn === a.n && rd * rd === a.d ? q(rn, rd) : null;
}

function isqrt(x: bigint): bigint {
  if (x < 2n) return x;
  // Newton from a power-of-two start above the root; converges monotonically downwards.
  let r = 1n << BigInt(Math.ceil(bitLength(x) / 2) + 1);
  for (;;) {
    const next = (r + x / r) >> 1n;
    if (next >= r) return r;
    r = next;
  }
}

export function qToNumber(a: Q): number {
  const v = Number(a.n) / Number(a.d);
  if (Number.isFinite(v) && (v !== 0 || a.n === 0n)) return v;
  // Parts beyond double range: keep 60 leading bits of each and rescale (may still be 0 or Infinity).
  const s = Math.max(0, bitLength(a.n) - 60);
  const t = Math.max(0, bitLength(a.d) - 60);
  return (Number(a.n >> BigInt(s)) / Number(a.d >> BigInt(t))) * 2 ** (s - t);
}

export function qToString(a: Q): string {
  return a.d === 1n ? a.n.toString() : `${a.n}/${a.d}`;
}

/** Parse a decimal literal (`12`, `0.5`, `.0000672`, `6.72e-5`) exactly. */
export function qFromDecimal(text: string): Q {
  const m = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new RangeError(`not a decimal: ${text}`);
  const intPart = m[1] ?? '';
  const frac = m[2] ?? '';
  const exp = m[3] ? Number(m[3]) : 0;
  if (Math.abs(exp) > 100_000) throw new TooBigError('exponent');
  const digits = BigInt((intPart + frac) || '0');
  const scale = exp - frac.length;
  return scale >= 0 ? q(digits * 10n ** BigInt(scale)) : q(digits, 10n ** BigInt(-scale));
}

/** n! exactly, for n up to 5000 (about 16k digits). */
export function qFactorial(n: bigint): Q {
  if (n < 0n) throw new RangeError('factorial of a negative number');
  if (n > 5000n) throw new TooBigError('factorial');
  let r = 1n;
  for (let k = 2n; k <= n; k++) r *= k;
  return q(r);
}

// ---- Gaussian rationals --------------------------------------------------------------

export type C = { readonly re: Q; readonly im: Q };

export const c = (re: Q, im: Q = Q0): C => ({ re, im });
export const cAdd = (a: C, b: C): C => c(qAdd(a.re, b.re), qAdd(a.im, b.im));
export const cNeg = (a: C): C => c(qNeg(a.re), qNeg(a.im));
export const cEq = (a: C, b: C): boolean => qEq(a.re, b.re) && qEq(a.im, b.im);
export const cIsZero = (a: C): boolean => qIsZero(a.re) && qIsZero(a.im);
export const cIsReal = (a: C): boolean => qIsZero(a.im);

export function cMul(a: C, b: C): C {
  if (cIsReal(a) && cIsReal(b)) return c(qMul(a.re, b.re));
  return c(qSub(qMul(a.re, b.re), qMul(a.im, b.im)), qAdd(qMul(a.re, b.im), qMul(a.im, b.re)));
}

export function cDiv(a: C, b: C): C {
  if (cIsReal(b)) return c(qDiv(a.re, b.re), qDiv(a.im, b.re));
  // a / b = a * conj(b) / |b|^2
  const norm = qAdd(qMul(b.re, b.re), qMul(b.im, b.im));
  const num = cMul(a, c(b.re, qNeg(b.im)));
  return c(qDiv(num.re, norm), qDiv(num.im, norm));
}

export function cPowInt(a: C, k: bigint): C {
  if (cIsReal(a)) return c(qPowInt(a.re, k));
  if (k < 0n) return cPowInt(cDiv(c(Q1), a), -k);
  if (k > 4096n) throw new TooBigError('complex power');
  let result = c(Q1);
  let base = a;
  let e = k;
  while (e > 0n) {
    if (e & 1n) result = cMul(result, base);
    base = cMul(base, base);
    e >>= 1n;
  }
  return result;
}

export function cToString(a: C): string {
  if (cIsReal(a)) return qToString(a.re);
  return `${qToString(a.re)}+${qToString(a.im)}i`;
}
