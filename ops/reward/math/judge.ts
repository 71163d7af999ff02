// judgeMath: is a predicted final answer equivalent to the gold answer? A cascade from cheap
// to expensive: normalized string, text, structure (tuples, intervals, sets, unions,
// matrices, relations), exact rationals, rational-function expansion, numeric value,
// seeded random substitution, compute-engine. Only a proof or a clear numeric verdict
// decides; an undecided comparison scores as wrong and says so. Pure, synchronous, no
// deadline of its own (the worker pool in pool.ts enforces it from outside).
import { type Bracket, type Node, freeVars, printNode } from './ast.ts';
import { casBox, casParse, compareByCas, compareParsedByCas } from './cas.ts';
import { type Cx, NotNumericError, absCx, exactValue, isFiniteCx, numericValue } from './evaluate.ts';
import { compareByExpansion } from './expand.ts';
import { extractAnswer } from './extract.ts';
import { type Normalized, compact, normalizeAnswer, textKey } from './normalize.ts';
import { MAX_ANSWER_CHARS, parseAnswer, type ParseResult } from './parse.ts';
import { type C, cEq, q, qNeg, qSub } from './rational.ts';
import { Rng } from '../../rng.ts';

/** Which cascade step decided, in cascade order. */
export const MATH_RULES = [
  'string', 'text', 'structure', 'exact', 'expand', 'numeric', 'substitution', 'cas',
  'undecided', 'parse', 'extract', 'deadline', 'internal',
] as const;
export type MathRule = (typeof MATH_RULES)[number];

export type MathJudgement = {
  kind: 'correct' | 'wrong' | 'unparseable' | 'error';
  rule: MathRule;
  /** Normalized gold answer. */
  gold: string;
  /** Normalized predicted answer. */
  pred: string;
  reason: string;
};

type Verdict = 'equal' | 'different' | 'undecided';
type Cmp = { v: Verdict; rule: MathRule; why: string };

const SUBSTITUTION_SEED = 0x5eed_0004;
const SUBSTITUTION_POINTS = 6;
/** Relative difference under which two numeric values count as equal. */
const EQUAL_REL_TOL = 1e-10;
/** Relative difference above which two numeric values count as different. */
const DIFFERENT_REL_TOL = 1e-7;
/** Below this magnitude, floating point cannot tell a value from zero after cancellation. */
const TINY = 1e-9;

type Prepared = { norm: Normalized; parsed: ParseResult; tooLong?: string };

const goldCache = new Map<string, Prepared>();
const GOLD_CACHE_SIZE = 2048;

/** Raw answers beyond this are not even normalized (normalization is linear, but not free). */
const MAX_RAW_ANSWER_CHARS = 4 * MAX_ANSWER_CHARS;

function prepare(raw: string): Prepared {
  if (raw.length > MAX_RAW_ANSWER_CHARS) {
    const reason = `answer longer than ${MAX_RAW_ANSWER_CHARS} characters`;
    return { norm: { s: `${raw.slice(0, 100)}...`, text: false, percent: false }, parsed: { ok: false, reason }, tooLong: reason };
  }
  const norm = normalizeAnswer(raw);
  return { norm, parsed: norm.text ? { ok: false, reason: 'text answer' } : parseAnswer(norm.s) };
}

function prepareGold(raw: string): Prepared {
  let p = goldCache.get(raw);
  if (!p) {
    if (goldCache.size >= GOLD_CACHE_SIZE) goldCache.clear();
    p = prepare(raw);
    goldCache.set(raw, p);
  }
  return p;
}

/** True when the verifier can compare against this gold answer (for data curation). */
export function canParseAnswer(latex: string): boolean {
  const p = prepare(latex);
  return p.norm.s !== '' && (p.norm.text || p.parsed.ok);
}

export function judgeMath(gold: string, pred: string): MathJudgement {
  let g: Prepared | null = null;
  let p: Prepared | null = null;
  try {
    g = prepareGold(gold);
    p = prepare(pred);
    return judgePrepared(g, p);
  } catch (err) {
    // A stack overflow or an engine fault is an unscorable case, never a crash of the caller.
    return {
      kind: 'error', rule: 'internal', gold: g?.norm.s ?? gold.slice(0, 200), pred: p?.norm.s ?? pred.slice(0, 200),
      reason: `internal error: ${(err as Error).message}`,
    };
  }
}

function judgePrepared(g: Prepared, p: Prepared): MathJudgement {
  const out = (kind: MathJudgement['kind'], rule: MathRule, reason: string): MathJudgement => ({
    kind, rule, gold: g.norm.s, pred: p.norm.s, reason,
  });
  if (g.tooLong) return out('error', 'parse', `gold ${g.tooLong}`);
  if (p.tooLong) return out('unparseable', 'parse', `predicted ${p.tooLong}`);
  if (g.norm.s === '') return out('error', 'parse', 'gold answer is empty');
  if (p.norm.s === '') return out('unparseable', 'parse', 'predicted answer is empty');
  if (compact(g.norm.s) === compact(p.norm.s)) return out('correct', 'string', 'normalized strings match');
  if (g.norm.text || p.norm.text) {
    const same = textKey(g.norm.s) === textKey(p.norm.s) && textKey(g.norm.s) !== '';
    return out(same ? 'correct' : 'wrong', 'text', same ? 'text answers match' : 'text answers differ');
  }
  if (!g.parsed.ok || !p.parsed.ok) return judgeUnparsed(g, p, out);
  const cmp = compareNodes(g.parsed.node, p.parsed.node);
  if (cmp.v === 'equal') return out('correct', cmp.rule, cmp.why);
  if (g.norm.percent !== p.norm.percent) {
    // `25\%` against a plain `0.25`: the percent side also stands for its value over 100.
    const hundredth = (n: Node): Node => ({ t: 'div', num: n, den: { t: 'num', v: q(100n) } });
    const alt = g.norm.percent ? compareNodes(hundredth(g.parsed.node), p.parsed.node) : compareNodes(g.parsed.node, hundredth(p.parsed.node));
    if (alt.v === 'equal') return out('correct', alt.rule, `${alt.why} (reading the percentage as a fraction)`);
  }
  const second = secondReadings(g, p);
  if (second) return out('correct', second.rule, second.why);
  if (cmp.v === 'different') return out('wrong', cmp.rule, cmp.why);
  return out('wrong', 'undecided', `no step could decide (${cmp.why}); undecided is not equal`);
}

const PI_OVER_180: Node = { t: 'div', num: { t: 'sym', name: 'pi' }, den: { t: 'num', v: q(180n) } };
const hasPi = (n: Node): boolean => printNode(n).includes('pi');

/**
 * Readings tried only when the first comparison found no match: a decimal comma (`1000,99`
 * against a single value, never against a list), and degrees against radians where one side
 * carries an explicit degree sign and the other is a multiple of pi (`45^\circ` and `\frac{\pi}{4}`).
 */
function secondReadings(g: Prepared, p: Prepared): Cmp | null {
  if (!g.parsed.ok || !p.parsed.ok) return null;
  const gn = g.parsed.node;
  const pn = p.parsed.node;
  for (const [alt, other, altIsGold] of [[p.norm.alt, gn, false], [g.norm.alt, pn, true]] as const) {
    if (alt === undefined || other.t === 'seq' || other.t === 'matrix' || other.t === 'union') continue;
    const parsed = parseAnswer(alt);
    if (!parsed.ok) continue;
    const r = altIsGold ? compareNodes(parsed.node, other) : compareNodes(other, parsed.node);
    if (r.v === 'equal') return { ...r, why: `${r.why} (reading the comma as a decimal point)` };
  }
  if (Boolean(g.norm.degrees) !== Boolean(p.norm.degrees)) {
    const [deg, rad] = g.norm.degrees ? [gn, pn] : [pn, gn];
    if (!isStructure(deg) && !isStructure(rad) && hasPi(rad) && !hasPi(deg)) {
      const inRadians: Node = { t: 'mul', args: [deg, PI_OVER_180] };
      const r = g.norm.degrees ? compareNodes(inRadians, pn) : compareNodes(gn, inRadians);
      if (r.v === 'equal') return { ...r, why: `${r.why} (degrees as radians)` };
    }
  }
  return null;
}

/** One side failed our parser: compute-engine's parser gets a chance; errors never match. */
function judgeUnparsed(
  g: Prepared,
  p: Prepared,
  out: (kind: MathJudgement['kind'], rule: MathRule, reason: string) => MathJudgement,
): MathJudgement {
  const gb = g.parsed.ok ? null : casParse(g.norm.s);
  if (!g.parsed.ok && !gb) return out('error', 'parse', `gold answer cannot be parsed: ${g.parsed.reason}`);
  const pb = p.parsed.ok ? null : casParse(p.norm.s);
  if (!p.parsed.ok && !pb) return out('unparseable', 'parse', `predicted answer cannot be parsed: ${p.parsed.reason}`);
  // One side parsed only by compute-engine: the other must have a MathJSON form too.
  const gx = gb ?? (g.parsed.ok ? casBox(g.parsed.node) : null);
  const px = pb ?? (p.parsed.ok ? casBox(p.parsed.node) : null);
  if (!gx || !px) return out('wrong', 'undecided', 'one answer parses only as LaTeX for compute-engine, the other has no such form');
  const r = compareParsedByCas(gx, px);
  if (r === 'equal') return out('correct', 'cas', 'compute-engine: difference simplifies to 0');
  if (r === 'different') return out('wrong', 'cas', 'compute-engine: values differ');
  return out('wrong', 'undecided', 'compute-engine could not decide; undecided is not equal');
}

// ---- structure ------------------------------------------------------------------------

const RULE_ORDER = new Map(MATH_RULES.map((r, i) => [r, i]));
const maxRule = (a: MathRule, b: MathRule): MathRule => ((RULE_ORDER.get(a) ?? 0) >= (RULE_ORDER.get(b) ?? 0) ? a : b);

/** `x = 3`, `k=3`, `y = 2x+3`: an equation whose left side is one variable. */
function simpleEquationRhs(n: Node): Node | null {
  if (n.t !== 'rel' || n.ops.length !== 1 || n.ops[0] !== '=') return null;
  const lhs = n.args[0];
  return lhs.t === 'sym' && /^[a-zA-Z]/.test(lhs.name) && lhs.name !== 'pi' ? n.args[1] : null;
}

/** A name, not an expression: `x`, `V_1`, `AB` (a product of letters), `f(x)`, `|AB|`, `(p,q)`, `V_1:V_2`. */
function isLabel(n: Node): boolean {
  switch (n.t) {
    case 'sym':
      return n.name !== 'pi' && n.name !== 'e' && n.name !== 'i';
    case 'mul':
      return n.args[0].t === 'sym' && n.args.every((x) => x.t === 'sym' || x.t === 'num');
    case 'fn':
      return n.name === 'abs' && n.args.length === 1 && isLabel(n.args[0]);
    case 'seq':
      return n.open === '(' && n.items.every((x) => x.t === 'sym');
    case 'div':
      return isLabel(n.num) && isLabel(n.den);
    default:
      return false;
  }
}

/** The value an `=` chain states: its last member, when that is a constant (or, for a gold, when the chain starts with a label). */
function chainValue(n: Extract<Node, { t: 'rel' }>, gold: boolean): Node | null {
  if (n.args.length < 2 || !n.ops.every((op) => op === '=')) return null;
  const last = n.args[n.args.length - 1];
  if (gold && !isLabel(n.args[0])) return null;
  return freeVars(last).size === 0 || gold ? last : null;
}

/** `a ± b` -> [a + b, a - b], also inside sums, products, fractions and functions (at most 16). */
function expandPm(n: Node): Node[] {
  const product = (parts: Node[][]): Node[][] =>
    parts.reduce<Node[][]>((acc, alts) => acc.flatMap((prefix) => alts.map((x) => [...prefix, x])).slice(0, 16), [[]]);
  switch (n.t) {
    case 'pm': {
      const out: Node[] = [];
      for (const [l, r] of product([expandPm(n.lhs), expandPm(n.rhs)])) {
        out.push({ t: 'add', args: [l, n.sign === 1 ? r : { t: 'neg', arg: r }] });
        out.push({ t: 'add', args: [l, n.sign === 1 ? { t: 'neg', arg: r } : r] });
      }
      return out.slice(0, 16);
    }
    case 'add':
    case 'mul':
      return product(n.args.map(expandPm)).map((args) => ({ t: n.t, args }));
    case 'fn':
      return product(n.args.map(expandPm)).map((args) => ({ t: 'fn', name: n.name, args }));
    case 'neg':
      return expandPm(n.arg).map((arg) => ({ t: 'neg', arg }));
    case 'div':
      return product([expandPm(n.num), expandPm(n.den)]).map(([num, den]) => ({ t: 'div', num, den }));
    case 'pow':
      return product([expandPm(n.base), expandPm(n.exp)]).map(([base, exp]) => ({ t: 'pow', base, exp }));
    case 'rel': {
      if (n.args.length !== 2) return [n];
      return expandPm(n.args[1]).map((r) => ({ ...n, args: [n.args[0], r] }));
    }
    default:
      return [n];
  }
}

/** Answer lists: `1 ± √19` becomes the unordered list {1+√19, 1-√19}; sets expand their items. */
function canonical(n: Node): Node {
  if (n.t === 'seq' && (n.open === '' || n.open === '{')) return { ...n, items: n.items.flatMap(expandPm) };
  const alts = expandPm(n);
  return alts.length > 1 ? { t: 'seq', open: '', close: '', items: alts } : n;
}

function compareNodes(a0: Node, b0: Node): Cmp {
  const a = canonical(a0);
  const b = canonical(b0);
  const ra = simpleEquationRhs(a);
  const rb = simpleEquationRhs(b);
  if (ra && rb) {
    const la = (a as { args: Node[] }).args[0];
    const lb = (b as { args: Node[] }).args[0];
    if (la.t === 'sym' && lb.t === 'sym' && la.name === lb.name) return compareNodes(ra, rb);
  }
  if (ra && b.t !== 'rel') return compareNodes(ra, b);
  if (rb && a.t !== 'rel') return compareNodes(a, rb);
  // A predicted `=` chain states its value in its last member (`x=5+5+1=7=11` means 11, `a+b=6`
  // means 6); a gold one only when its left side names the value (`f(x)=1`, `|AB|=1`,
  // `(p,q)=(3,2)`, `V_1:V_2=11:21`): a gold equation such as `x+y=5` asks for an equation.
  const cb = b.t === 'rel' && a.t !== 'rel' ? chainValue(b, false) : null;
  if (cb) return compareNodes(a, cb);
  const ca = a.t === 'rel' && b.t !== 'rel' ? chainValue(a, true) : null;
  if (ca) return compareNodes(ca, b);
  if (a.t === 'text' || b.t === 'text') {
    const same = a.t === 'text' && b.t === 'text' && a.s === b.s;
    return { v: same ? 'equal' : 'different', rule: 'text', why: same ? 'same text' : 'text vs math' };
  }
  if (a.t === 'rel' && b.t === 'rel') return compareRel(a, b);
  const ia = a.t === 'rel' && (b.t === 'seq' || b.t === 'union') ? relToInterval(a) : null;
  if (ia) return compareNodes(ia, b);
  const ib = b.t === 'rel' && (a.t === 'seq' || a.t === 'union') ? relToInterval(b) : null;
  if (ib) return compareNodes(a, ib);
  // `x < 2 or x > 5` against a union: each inequality as its interval.
  const ua = b.t === 'union' && a.t === 'seq' && a.open === '' ? relsToUnion(a.items) : null;
  if (ua) return compareNodes(ua, b);
  const ub = a.t === 'union' && b.t === 'seq' && b.open === '' ? relsToUnion(b.items) : null;
  if (ub) return compareNodes(a, ub);
  // `x = 3, y = 4` against the tuple `(3, 4)`: the values in the order written.
  const ta = a.t === 'seq' && a.open === '(' && b.t === 'seq' && b.open === '' ? equationValues(b.items) : null;
  if (ta && a.t === 'seq' && ta.length === a.items.length) return matchOrdered(a.items, ta);
  const tb = b.t === 'seq' && b.open === '(' && a.t === 'seq' && a.open === '' ? equationValues(a.items) : null;
  if (tb && b.t === 'seq' && tb.length === b.items.length) return matchOrdered(tb, b.items);
  if (a.t === 'seq' && b.t === 'seq') return compareSeq(a, b);
  if (a.t === 'seq' && (a.open === '' || a.open === '{') && a.items.length === 1 && b.t !== 'seq') return compareNodes(a.items[0], b);
  if (b.t === 'seq' && (b.open === '' || b.open === '{') && b.items.length === 1 && a.t !== 'seq') return compareNodes(a, b.items[0]);
  if (a.t === 'union' && b.t === 'union') {
    if (a.args.length !== b.args.length) return { v: 'different', rule: 'structure', why: 'unions of different sizes' };
    return matchUnordered(a.args, b.args);
  }
  if (a.t === 'matrix' && b.t === 'matrix') {
    if (a.rows.length !== b.rows.length || a.rows[0].length !== b.rows[0].length) {
      return { v: 'different', rule: 'structure', why: 'matrix shapes differ' };
    }
    return matchOrdered(a.rows.flat(), b.rows.flat());
  }
  // A one-row or one-column matrix and a tuple are the same vector.
  const va = a.t === 'matrix' && b.t === 'seq' && b.open === '(' && b.close === ')' ? vectorItems(a) : null;
  if (va && b.t === 'seq' && va.length === b.items.length) return matchOrdered(va, b.items);
  const vb = b.t === 'matrix' && a.t === 'seq' && a.open === '(' && a.close === ')' ? vectorItems(b) : null;
  if (vb && a.t === 'seq' && vb.length === a.items.length) return matchOrdered(a.items, vb);
  if (isStructure(a) || isStructure(b)) {
    return { v: 'different', rule: 'structure', why: `${describe(a)} vs ${describe(b)}` };
  }
  return compareScalar(a, b);
}

function vectorItems(m: Extract<Node, { t: 'matrix' }>): Node[] | null {
  if (m.rows.length === 1) return m.rows[0];
  return m.rows.every((r) => r.length === 1) ? m.rows.map((r) => r[0]) : null;
}

function relsToUnion(items: Node[]): Node | null {
  const parts = items.map((x) => (x.t === 'rel' ? relToInterval(x) : null));
  return parts.length > 1 && parts.every((x) => x !== null) ? { t: 'union', args: parts.flatMap((x) => (x!.t === 'union' ? x!.args : [x!])) } : null;
}

/** The right sides of `x = 3, y = 4` (one equation per distinct variable), else null. */
function equationValues(items: Node[]): Node[] | null {
  const names = new Set<string>();
  const values: Node[] = [];
  for (const x of items) {
    const rhs = simpleEquationRhs(x);
    if (!rhs || x.t !== 'rel' || x.args[0].t !== 'sym' || names.has(x.args[0].name)) return null;
    names.add(x.args[0].name);
    values.push(rhs);
  }
  return values.length > 1 ? values : null;
}

const isStructure = (n: Node): boolean => n.t === 'seq' || n.t === 'union' || n.t === 'matrix' || n.t === 'rel';

function describe(n: Node): string {
  if (n.t === 'seq') return n.open === '' ? 'a list' : n.open === '{' ? 'a set' : `${n.open}..${n.close}`;
  if (n.t === 'union') return 'a union';
  if (n.t === 'matrix') return 'a matrix';
  if (n.t === 'rel') return 'a relation';
  return 'a value';
}

function compareSeq(a: Extract<Node, { t: 'seq' }>, b: Extract<Node, { t: 'seq' }>): Cmp {
  // A gold set asks for a set: its elements listed in parentheses are the same answer (`a` is
  // the gold side). Not the reverse: a gold in parentheses may be a point or an interval.
  if (a.open === '{' && b.open === '(' && b.close === ')' && a.items.length === b.items.length) return matchUnordered(a.items, b.items);
  const unorderedA = a.open === '' || a.open === '{';
  const unorderedB = b.open === '' || b.open === '{';
  if (unorderedA !== unorderedB || (!unorderedA && (a.open !== b.open || a.close !== b.close))) {
    return { v: 'different', rule: 'structure', why: `${describe(a)} vs ${describe(b)}` };
  }
  if (a.items.length !== b.items.length) {
    return { v: 'different', rule: 'structure', why: `${a.items.length} vs ${b.items.length} elements` };
  }
  return unorderedA ? matchUnordered(a.items, b.items) : matchOrdered(a.items, b.items);
}

function matchOrdered(xs: Node[], ys: Node[]): Cmp {
  let rule: MathRule = 'structure';
  let undecided: Cmp | null = null;
  for (let k = 0; k < xs.length; k++) {
    const r = compareNodes(xs[k], ys[k]);
    if (r.v === 'different') return { ...r, why: `element ${k + 1}: ${r.why}` };
    if (r.v === 'undecided') undecided ??= r;
    else rule = maxRule(rule, r.rule);
  }
  return undecided ?? { v: 'equal', rule, why: `all ${xs.length} elements equal` };
}

/** Multiset match, greedy: each gold item takes the first unused equal predicted item. */
function matchUnordered(xs: Node[], ys: Node[]): Cmp {
  const used = new Array<boolean>(ys.length).fill(false);
  let rule: MathRule = 'structure';
  let sawUndecided = false;
  for (let k = 0; k < xs.length; k++) {
    let found = false;
    for (let j = 0; j < ys.length && !found; j++) {
      if (used[j]) continue;
      const r = compareNodes(xs[k], ys[j]);
      if (r.v === 'equal') {
        used[j] = true;
        found = true;
        rule = maxRule(rule, r.rule);
      } else if (r.v === 'undecided') {
        sawUndecided = true;
      }
    }
    if (!found) {
      const why = `no match for element ${printNode(xs[k]).slice(0, 60)}`;
      return { v: sawUndecided ? 'undecided' : 'different', rule: sawUndecided ? 'undecided' : rule === 'structure' ? 'structure' : rule, why };
    }
  }
  return { v: 'equal', rule, why: `all ${xs.length} elements matched` };
}

const INF: Node = { t: 'sym', name: 'inf' };
const NEG_INF: Node = { t: 'neg', arg: INF };

/** `2 \le x < 5` -> [2, 5), `x > 3` -> (3, inf): a one-variable inequality as the interval it describes. */
function relToInterval(n: Extract<Node, { t: 'rel' }>): Node | null {
  const flip = n.ops.every((op) => op === '>' || op === '>=');
  const ops = flip ? n.ops.map((op) => FLIP[op]) : n.ops;
  const args = flip ? [...n.args].reverse() : n.args;
  if (!ops.every((op) => op === '<' || op === '<=')) return null;
  // The middle is a variable or names one quantity (`f(x)`, parsed as a product of letters).
  const isVar = (x: Node) => (x.t === 'sym' && freeVars(x).size === 1) || (x.t === 'mul' && x.args.every((y) => y.t === 'sym') && freeVars(x).size > 0);
  const bracket = (op: string, open: boolean) => (op === '<=' ? (open ? '[' : ']') : open ? '(' : ')');
  // `|x|` or `|x + k|` (k constant): the centre -k, so that |x + k| < r is (-k - r, -k + r).
  const absCentre = (x: Node): Node | null | false => {
    if (x.t !== 'fn' || x.name !== 'abs' || x.args.length !== 1) return false;
    const inner = x.args[0];
    if (isVar(inner)) return null;
    if (inner.t !== 'add' || inner.args.length !== 2 || !isVar(inner.args[0]) || freeVars(inner.args[1]).size > 0) return false;
    return { t: 'neg', arg: inner.args[1] };
  };
  const nonNegative = (x: Node): boolean => {
    const v = exactValue(x);
    return v !== null && v.im.n === 0n && v.re.n >= 0n;
  };
  // `a <= |x| < b` (0 <= a) -> [-b, -a] and [a, b]; `|x| < b` -> (-b, b); `|x| > a` -> (-inf, -a) and (a, inf); shifted by the centre.
  const neg = (x: Node): Node => ({ t: 'neg', arg: x });
  const flipB = (b: string) => (b === '[' ? ']' : b === '(' ? ')' : b === ']' ? '[' : '(');
  const at = (c: Node | null, x: Node): Node => (c === null ? x : { t: 'add', args: [c, x] });
  const c2 = ops.length === 2 ? absCentre(args[1]) : false;
  if (c2 !== false && freeVars(args[0]).size === 0 && freeVars(args[2]).size === 0 && nonNegative(args[0])) {
    const lo = bracket(ops[0], true) as Bracket;
    const hi = bracket(ops[1], false) as Bracket;
    return { t: 'union', args: [{ t: 'seq', open: flipB(hi) as Bracket, close: flipB(lo) as Bracket, items: [at(c2, neg(args[2])), at(c2, neg(args[0]))] }, { t: 'seq', open: lo, close: hi, items: [at(c2, args[0]), at(c2, args[2])] }] };
  }
  const cl = ops.length === 1 ? absCentre(args[0]) : false;
  if (cl !== false && freeVars(args[1]).size === 0) {
    const hi = bracket(ops[0], false) as Bracket;
    return { t: 'seq', open: flipB(hi) as Bracket, close: hi, items: [at(cl, neg(args[1])), at(cl, args[1])] };
  }
  const cr = ops.length === 1 ? absCentre(args[1]) : false;
  if (cr !== false && freeVars(args[0]).size === 0) {
    const lo = bracket(ops[0], true) as Bracket;
    return { t: 'union', args: [{ t: 'seq', open: '(', close: flipB(lo) as Bracket, items: [NEG_INF, at(cr, neg(args[0]))] }, { t: 'seq', open: lo, close: ')', items: [at(cr, args[0]), INF] }] };
  }
  if (ops.length === 2 && isVar(args[1]) && freeVars(args[0]).size === 0 && freeVars(args[2]).size === 0) {
    return { t: 'seq', open: bracket(ops[0], true), close: bracket(ops[1], false), items: [args[0], args[2]] };
  }
  if (ops.length === 1 && isVar(args[0]) && freeVars(args[1]).size === 0) {
    return { t: 'seq', open: '(', close: bracket(ops[0], false), items: [NEG_INF, args[1]] };
  }
  if (ops.length === 1 && isVar(args[1]) && freeVars(args[0]).size === 0) {
    return { t: 'seq', open: bracket(ops[0], true), close: ')', items: [args[0], INF] };
  }
  return null;
}

const FLIP: Record<string, string> = { '>': '<', '>=': '<=', '<': '>', '<=': '>=' };

/** Relations: `=`/`!=` equal when lhs-rhs agree up to a non-zero factor; inequalities up to a positive one. */
function compareRel(a: Extract<Node, { t: 'rel' }>, b: Extract<Node, { t: 'rel' }>): Cmp {
  const orient = (n: Extract<Node, { t: 'rel' }>) =>
    n.ops.every((op) => op === '>' || op === '>=')
      ? { ops: n.ops.map((op) => FLIP[op]), args: [...n.args].reverse() }
      : { ops: n.ops, args: n.args };
  const x = orient(a);
  const y = orient(b);
  if (x.ops.join() !== y.ops.join()) return { v: 'different', rule: 'structure', why: 'different relation symbols' };
  // Chains, and relations between constants (`0.56 = 56\%`), compare side by side.
  if (x.ops.length > 1 || freeVars(a, freeVars(b)).size === 0) return matchOrdered(x.args, y.args);
  const dx: Node = { t: 'add', args: [x.args[1], { t: 'neg', arg: x.args[0] }] };
  const dy: Node = { t: 'add', args: [y.args[1], { t: 'neg', arg: y.args[0] }] };
  const same = compareScalar(dx, dy);
  if (same.v === 'equal') return same;
  const symmetric = x.ops[0] === '=' || x.ops[0] === '!=';
  if (symmetric) {
    const opposite = compareScalar(dx, { t: 'neg', arg: dy });
    if (opposite.v === 'equal') return opposite;
  }
  return proportional(dx, dy, symmetric);
}

/** Seeded check that dx = k * dy for one constant k (k > 0 unless `symmetric`). */
function proportional(dx: Node, dy: Node, symmetric: boolean): Cmp {
  const vars = [...freeVars(dx, freeVars(dy))];
  const rng = new Rng(SUBSTITUTION_SEED);
  let k: Cx | null = null;
  let agree = 0;
  try {
    for (let p = 0; p < SUBSTITUTION_POINTS; p++) {
      const ctx = { vars: new Map(vars.map((v) => [v, samplePoint(rng, p)])), unreliable: false };
      const u = numericValue(dx, ctx);
      const w = numericValue(dy, ctx);
      if (ctx.unreliable || !isFiniteCx(u) || !isFiniteCx(w) || absCx(w) < TINY || absCx(u) < TINY) continue;
      const r = cdivCx(u, w);
      if (!k) k = r;
      else if (close(r, k) === 'different') return { v: 'different', rule: 'substitution', why: 'relations are not multiples of each other' };
      else if (close(r, k) === 'equal') agree++;
    }
  } catch (err) {
    if (!(err instanceof NotNumericError)) throw err;
    return { v: 'undecided', rule: 'undecided', why: err.message };
  }
  if (!k || agree < 2) return { v: 'undecided', rule: 'undecided', why: 'too few sample points for the relation' };
  if (Math.abs(k.im) > TINY || (!symmetric && k.re <= 0)) return { v: 'different', rule: 'substitution', why: 'relation direction differs' };
  return { v: 'equal', rule: 'substitution', why: 'relations agree up to a constant factor' };
}

function cdivCx(a: Cx, b: Cx): Cx {
  const d = b.re * b.re + b.im * b.im;
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
}

// ---- scalars --------------------------------------------------------------------------

/** Four positive points, then two negative ones (so |x| and x are told apart). */
function samplePoint(rng: Rng, p: number): number {
  const v = 0.25 + 2 * rng.next();
  return p < 4 ? v : -v;
}

function close(a: Cx, b: Cx): Verdict {
  if (!isFiniteCx(a) || !isFiniteCx(b)) {
    if (Number.isNaN(a.re) || Number.isNaN(b.re) || Number.isNaN(a.im) || Number.isNaN(b.im)) return 'undecided';
    return a.re === b.re && a.im === b.im ? 'equal' : 'different';
  }
  const scale = Math.max(absCx(a), absCx(b));
  const diff = Math.hypot(a.re - b.re, a.im - b.im);
  if (diff <= EQUAL_REL_TOL * scale) return 'equal';
  if (scale < TINY) return 'undecided';
  return diff > DIFFERENT_REL_TOL * scale ? 'different' : 'undecided';
}

function compareScalar(a: Node, b: Node): Cmp {
  const ea = exactValue(a);
  const eb = ea && exactValue(b);
  if (ea && eb) {
    const same = cEq(ea, eb);
    if (!same && ((longDecimalMatches(a, eb) && !isLiteral(b)) || (longDecimalMatches(b, ea) && !isLiteral(a)))) return { v: 'equal', rule: 'exact', why: 'a decimal of 10 or more significant digits equal to the exact value to its last digit' };
    return { v: same ? 'equal' : 'different', rule: 'exact', why: same ? 'equal exact values' : 'different exact values' };
  }
  const near = longDecimalNear(a, b) ?? longDecimalNear(b, a);
  if (near) return near;
  const ex = compareByExpansion(a, b);
  if (ex !== 'undecided') return { v: ex, rule: 'expand', why: ex === 'equal' ? 'equal after expansion' : 'different polynomials' };
  const vars = [...freeVars(a, freeVars(b))];
  const numeric = vars.length === 0 ? compareConstants(a, b) : substitute(a, b, vars);
  if (numeric.v !== 'undecided') return numeric;
  const cas = compareByCas(a, b);
  if (cas !== 'undecided') return { v: cas, rule: 'cas', why: cas === 'equal' ? 'compute-engine: difference simplifies to 0' : 'compute-engine: values differ' };
  return numeric;
}

/** A number as written (`3`, `0.25`, `-1.5`): it states its own value, so no rounding rule applies against it. */
const isLiteral = (n: Node): boolean => n.t === 'num' || (n.t === 'neg' && n.arg.t === 'num');

/** Significant digits from which a decimal reads as a value printed by a calculator or a double. */
const LONG_DECIMAL_DIGITS = 10;

/**
 * `0.0833333333333333` against `\frac{1}{12}`: a plain decimal (maybe negated) giving at least
 * LONG_DECIMAL_DIGITS significant digits matches an exact value that lies within one unit of its
 * last decimal place (rounded or cut off there), when the other side is not itself a number as
 * written (a fraction, a root, a multiple of pi). Shorter decimals are roundings a person chose,
 * and the exact value was asked for: `0.333` is not 1/3.
 */
function longDecimalMatches(n: Node, exact: C): boolean {
  const lit = n.t === 'neg' ? n.arg : n;
  if (lit.t !== 'num' || lit.places === undefined || (lit.sig ?? 0) < LONG_DECIMAL_DIGITS || exact.im.n !== 0n) return false;
  const value = n.t === 'neg' ? qNeg(lit.v) : lit.v;
  const diff = qSub(value, exact.re);
  const absDiff = diff.n < 0n ? -diff.n : diff.n;
  // |diff| <= 10^-places  <=>  |n| * 10^places <= d
  return absDiff * 10n ** BigInt(lit.places) <= diff.d;
}

/** The long-decimal rule against a constant that is not rational (`1.047197551` and pi/3), in doubles. */
function longDecimalNear(dec: Node, other: Node): Cmp | null {
  const lit = dec.t === 'neg' ? dec.arg : dec;
  if (lit.t !== 'num' || lit.places === undefined || (lit.sig ?? 0) < LONG_DECIMAL_DIGITS || isLiteral(other) || freeVars(other).size > 0) return null;
  try {
    const ctx = { vars: new Map<string, number>(), unreliable: false };
    const v = numericValue(other, ctx);
    const d = numericValue(dec, ctx);
    if (ctx.unreliable || !isFiniteCx(v) || Math.abs(v.im) > TINY) return null;
    const ok = Math.abs(d.re - v.re) <= 10 ** -lit.places + 4 * Number.EPSILON * Math.abs(v.re);
    return ok ? { v: 'equal', rule: 'numeric', why: `a decimal of ${lit.sig} significant digits equal to ${fmt(v)} to its last digit` } : null;
  } catch (err) {
    if (err instanceof NotNumericError) return null;
    throw err;
  }
}

function compareConstants(a: Node, b: Node): Cmp {
  try {
    const ctx = { vars: new Map<string, number>(), unreliable: false };
    const va = numericValue(a, ctx);
    const vb = numericValue(b, ctx);
    if (ctx.unreliable) return { v: 'undecided', rule: 'undecided', why: 'values overflow or underflow doubles' };
    const v = close(va, vb);
    return { v, rule: v === 'undecided' ? 'undecided' : 'numeric', why: `numeric values ${fmt(va)} and ${fmt(vb)}` };
  } catch (err) {
    if (err instanceof NotNumericError) return { v: 'undecided', rule: 'undecided', why: err.message };
    throw err;
  }
}

function substitute(a: Node, b: Node, vars: string[]): Cmp {
  const rng = new Rng(SUBSTITUTION_SEED);
  let equal = 0;
  let different = 0;
  try {
    for (let p = 0; p < SUBSTITUTION_POINTS; p++) {
      const ctx = { vars: new Map(vars.map((v) => [v, samplePoint(rng, p)])), unreliable: false };
      const va = numericValue(a, ctx);
      const vb = numericValue(b, ctx);
      if (ctx.unreliable) continue;
      const v = close(va, vb);
      if (v === 'equal') equal++;
      else if (v === 'different') different++;
    }
  } catch (err) {
    if (err instanceof NotNumericError) return { v: 'undecided', rule: 'undecided', why: err.message };
    throw err;
  }
  if (different > 0 && equal === 0) return { v: 'different', rule: 'substitution', why: `differ at ${different} random points` };
  if (equal >= 3 && different === 0) return { v: 'equal', rule: 'substitution', why: `agree at ${equal} random points` };
  return { v: 'undecided', rule: 'undecided', why: `random points: ${equal} agree, ${different} differ` };
}

function fmt(v: Cx): string {
  return v.im === 0 ? v.re.toPrecision(12) : `${v.re.toPrecision(12)}${v.im >= 0 ? '+' : ''}${v.im.toPrecision(12)}i`;
}

// ---- whole inputs ---------------------------------------------------------------------

/** One verification request: a bare predicted answer, or a full model response. */
export type MathVerifyInput = { gold: string; pred?: string; response?: string; proseFallback?: boolean };

/** Extraction (when given a response) then judgeMath, in-process and without a deadline. */
export function judgeInput(input: MathVerifyInput): MathJudgement {
  if (typeof input.pred === 'string') return judgeMath(input.gold, input.pred);
  if (typeof input.response !== 'string') {
    return { kind: 'error', rule: 'internal', gold: input.gold, pred: '', reason: 'input has neither pred nor response' };
  }
  const extracted = extractAnswer(input.response, { proseFallback: input.proseFallback === true });
  if (!extracted.ok) return { kind: 'unparseable', rule: 'extract', gold: normalizeAnswer(input.gold).s, pred: '', reason: extracted.reason };
  return judgeMath(input.gold, extracted.answer);
}

/** Builds the compute-engine instance now, so the first real case does not pay for it. */
export function warmUp(): void {
  casParse('x+1');
  judgeMath('\\frac{1}{2}', '0.5');
}
