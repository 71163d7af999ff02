// The expansion step: both sides become rational functions (polynomial / polynomial with
// exact rational coefficients) over atoms, and are compared by cross-multiplication. Atoms
// are variables, pi, e, i (reduced by i^2 = -1) and opaque sub-terms (sqrt(x), sin(x)).
// Equal expansions prove equality. Unequal ones prove inequality only when every atom is a
// variable, i or pi; with opaque atoms the step is undecided. Sizes are bounded.
import { type Node, printNode } from './ast.ts';
import { exactValue } from './evaluate.ts';
import { type Q, Q1, TooBigError, cIsReal, qAdd, qEq, qIsInt, qIsZero, qMul, qNeg } from './rational.ts';

const MAX_TERMS = 2000;
const MAX_POWER = 24;

type Mono = [string, number][]; // sorted by atom name
type Term = { m: Mono; c: Q };
type Poly = Map<string, Term>; // keyed by monoKey(m)
type Rat = { num: Poly; den: Poly };

const monoKey = (m: Mono): string => m.map(([a, e]) => `${a}^${e}`).join('*');

function constPoly(c: Q): Poly {
  return qIsZero(c) ? new Map() : new Map([['', { m: [], c }]]);
}

function addInto(p: Poly, t: Term): void {
  const key = monoKey(t.m);
  const prev = p.get(key);
  const c = prev ? qAdd(prev.c, t.c) : t.c;
  if (qIsZero(c)) p.delete(key);
  else p.set(key, { m: t.m, c });
  if (p.size > MAX_TERMS) throw new TooBigError('expansion');
}

function polyAdd(a: Poly, b: Poly): Poly {
  const r: Poly = new Map(a);
  for (const t of b.values()) addInto(r, t);
  return r;
}

function polyScale(a: Poly, k: Q): Poly {
  const r: Poly = new Map();
  for (const t of a.values()) addInto(r, { m: t.m, c: qMul(t.c, k) });
  return r;
}

function monoMul(a: Mono, b: Mono): { m: Mono; sign: 1 | -1 } {
  const merged = new Map<string, number>(a);
  for (const [atom, e] of b) merged.set(atom, (merged.get(atom) ?? 0) + e);
  let sign: 1 | -1 = 1;
  const ie = merged.get('i');
  if (ie !== undefined) {
    // i^2 = -1 keeps polynomials in i canonical.
    if (Math.floor(ie / 2) % 2 === 1) sign = -1;
    if (ie % 2 === 0) merged.delete('i');
    else merged.set('i', 1);
  }
  const m = [...merged.entries()].filter(([, e]) => e !== 0).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return { m, sign };
}

function polyMul(a: Poly, b: Poly): Poly {
  if (a.size * b.size > MAX_TERMS * 10) throw new TooBigError('expansion');
  const r: Poly = new Map();
  for (const x of a.values()) {
    for (const y of b.values()) {
      const { m, sign } = monoMul(x.m, y.m);
      const c = qMul(x.c, y.c);
      addInto(r, { m, c: sign === 1 ? c : qNeg(c) });
    }
  }
  return r;
}

function polyEq(a: Poly, b: Poly): boolean {
  if (a.size !== b.size) return false;
  for (const [k, t] of a) {
    const u = b.get(k);
    if (!u || !qEq(t.c, u.c)) return false;
  }
  return true;
}

class Expander {
  /** Set when an atom other than a variable, i or pi appeared. */
  opaque = false;

  rat(node: Node): Rat {
    switch (node.t) {
      case 'num':
        return { num: constPoly(node.v), den: constPoly(Q1) };
      case 'sym':
        if (node.name === 'inf') throw new TooBigError('infinity is not a polynomial');
        if (node.name === 'e' || /^\d/.test(node.name)) this.opaque = true;
        return this.atom(node.name);
      case 'neg': {
        const a = this.rat(node.arg);
        return { num: polyScale(a.num, qNeg(Q1)), den: a.den };
      }
      case 'add':
        return node.args.map((n) => this.rat(n)).reduce((a, b) => ({
          num: polyAdd(polyMul(a.num, b.den), polyMul(b.num, a.den)),
          den: polyMul(a.den, b.den),
        }));
      case 'mul':
        return node.args.map((n) => this.rat(n)).reduce((a, b) => ({ num: polyMul(a.num, b.num), den: polyMul(a.den, b.den) }));
      case 'div': {
        const a = this.rat(node.num);
        const b = this.rat(node.den);
        if (b.num.size === 0) throw new RangeError('division by zero');
        return { num: polyMul(a.num, b.den), den: polyMul(a.den, b.num) };
      }
      case 'pow': {
        const e = node.exp.t === 'num' ? node.exp.v : node.exp.t === 'neg' && node.exp.arg.t === 'num' ? qNeg(node.exp.arg.v) : null;
        if (e && qIsInt(e) && e.n <= BigInt(MAX_POWER) && e.n >= -BigInt(MAX_POWER)) {
          const k = Number(e.n);
          const base = this.rat(node.base);
          if (k < 0 && base.num.size === 0) throw new RangeError('division by zero');
          let num = constPoly(Q1);
          let den = constPoly(Q1);
          for (let j = 0; j < Math.abs(k); j++) {
            num = polyMul(num, base.num);
            den = polyMul(den, base.den);
          }
          return k >= 0 ? { num, den } : { num: den, den: num };
        }
        return this.opaqueAtom(node);
      }
      default:
        return this.opaqueAtom(node);
    }
  }

  private atom(name: string): Rat {
    return { num: new Map([[`${name}^1`, { m: [[name, 1]], c: Q1 }]]), den: constPoly(Q1) };
  }

  private opaqueAtom(node: Node): Rat {
    // Exact constants hidden in functions (`2004!`, `\sqrt{4}`, `\binom{5}{2}`) are coefficients, not atoms.
    const exact = exactValue(node);
    if (exact && cIsReal(exact)) return { num: constPoly(exact.re), den: constPoly(Q1) };
    this.opaque = true;
    return this.atom(`[${printNode(node)}]`);
  }
}

export type ExpandResult = 'equal' | 'different' | 'undecided';

/** Compares two scalar trees by exact rational-function expansion. */
export function compareByExpansion(a: Node, b: Node): ExpandResult {
  const ex = new Expander();
  try {
    const x = ex.rat(a);
    const y = ex.rat(b);
    const equal = polyEq(polyMul(x.num, y.den), polyMul(y.num, x.den));
    if (equal) return 'equal';
    return ex.opaque ? 'undecided' : 'different';
  } catch (err) {
    if (err instanceof TooBigError || err instanceof RangeError) return 'undecided';
    throw err;
  }
}

