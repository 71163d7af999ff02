// A recursive-descent parser for final answers in LaTeX or plain text (`\frac{\pi}{2}`,
// `pi/2`, `sqrt(3)`, `(-\infty, 2) \cup (3, \infty)`, `\begin{pmatrix}..`, `y = 2x+3`) into
// the tree of ast.ts. Runs on normalize.ts output. Failures are data ({ok:false}); depth
// and length are bounded so hostile input fails fast. Not a full TeX parser: no macros.
import type { Bracket, Node, RelOp } from './ast.ts';
import { TooBigError, qFromDecimal, qIsInt } from './rational.ts';

export class ParseError extends Error {
  readonly code = 'parse-error' as const;
}

export type ParseResult = { ok: true; node: Node } | { ok: false; reason: string };

/** Answers longer than this are not parsed (no real final answer comes close). */
export const MAX_ANSWER_CHARS = 4000;
const MAX_DEPTH = 150;

type Tok =
  | { k: 'num'; v: string }
  | { k: 'id'; v: string }
  | { k: 'cmd'; v: string; latex: boolean }
  | { k: 'op'; v: string }
  | { k: 'begin' | 'end'; v: string }
  | { k: 'eof'; v: '' };

const FUNCTIONS = new Set([
  'sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh',
  'ln', 'log', 'lg', 'exp', 'max', 'min', 'gcd', 'lcm', 'det',
]);
const ARC: Record<string, string> = { sin: 'arcsin', cos: 'arccos', tan: 'arctan' };
const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota',
  'kappa', 'lambda', 'mu', 'nu', 'xi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi', 'chi', 'psi',
  'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Sigma', 'Phi', 'Psi', 'Omega',
]);
const CMD_OPS: Record<string, string> = {
  cdot: '*', times: '*', ast: '*', div: '/', le: '<=', leq: '<=', leqslant: '<=', ge: '>=', geq: '>=',
  geqslant: '>=', ne: '!=', neq: '!=', lt: '<', gt: '>', pm: '±', mp: '∓', cup: '∪', lvert: '|', rvert: '|',
  vert: '|', mid: '|', lbrace: '\\{', rbrace: '\\}', colon: ':', to: ':',
};
// Plain-text words, matched longest first inside a run of letters (`sqrt3`, `2pi`, `sinx`).
const WORDS = ['arcsin', 'arccos', 'arctan', 'infinity', 'sqrt', 'sinh', 'cosh', 'tanh', 'sin', 'cos', 'tan',
  'cot', 'sec', 'csc', 'log', 'exp', 'inf', 'and', 'pi', 'ln', 'or', 'oo'];
const UNICODE: Record<string, Tok> = {
  '√': { k: 'cmd', v: 'sqrt', latex: false }, 'π': { k: 'cmd', v: 'pi', latex: false },
  '∞': { k: 'cmd', v: 'infty', latex: false }, '≤': { k: 'op', v: '<=' }, '≥': { k: 'op', v: '>=' },
  '≠': { k: 'op', v: '!=' }, '×': { k: 'op', v: '*' }, '·': { k: 'op', v: '*' }, '⋅': { k: 'op', v: '*' },
  '÷': { k: 'op', v: '/' }, '−': { k: 'op', v: '-' }, '–': { k: 'op', v: '-' }, '∪': { k: 'op', v: '∪' },
  '±': { k: 'op', v: '±' },
};
const SINGLE_OPS = new Set('+-*/^_()[]{},!|=<>&;:\''.split(''));

function tokenize(s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const m = /^\d*\.?\d*(?:[eE][+-]?\d+(?![a-zA-Z]))?/.exec(s.slice(i, i + 400))!;
      let text = m[0];
      if (/[eE]/.test(text) && /[a-zA-Z]/.test(s[i + text.length] ?? '')) text = text.replace(/[eE].*$/, '');
      toks.push({ k: 'num', v: text });
      i += text.length;
    } else if (ch === '\\') {
      const m = /^[a-zA-Z]+/.exec(s.slice(i + 1, i + 40));
      if (!m) {
        const next = s[i + 1] ?? '';
        if (next === '{' || next === '}') toks.push({ k: 'op', v: `\\${next}` });
        else if (next === '\\') toks.push({ k: 'op', v: '\\\\' });
        else if (next === '|') toks.push({ k: 'op', v: '|' });
        else throw new ParseError(`unknown escape \\${next}`);
        i += 2;
        continue;
      }
      const name = m[0];
      i += 1 + name.length;
      if (name === 'begin' || name === 'end') {
        const env = /^\s*\{([a-zA-Z*]+)\}/.exec(s.slice(i, i + 40));
        if (!env) throw new ParseError(`\\${name} without environment`);
        toks.push({ k: name, v: env[1] });
        i += env[0].length;
      } else if (CMD_OPS[name]) {
        toks.push({ k: 'op', v: CMD_OPS[name] });
      } else {
        toks.push({ k: 'cmd', v: name, latex: true });
      }
    } else if (/[a-zA-Z]/.test(ch)) {
      const run = /^[a-zA-Z]+/.exec(s.slice(i, i + 200))![0];
      if (run === 'and' || run === 'or') {
        toks.push({ k: 'op', v: ',' });
        i += run.length;
        continue;
      }
      let j = 0;
      while (j < run.length) {
        const word = WORDS.find((w) => w !== 'and' && w !== 'or' && run.startsWith(w, j));
        if (word) {
          const v = word === 'infinity' || word === 'inf' || word === 'oo' ? 'infty' : word;
          toks.push({ k: 'cmd', v, latex: false });
          j += word.length;
        } else {
          toks.push({ k: 'id', v: run[j] });
          j++;
        }
      }
      i += run.length;
    } else if (UNICODE[ch]) {
      toks.push(UNICODE[ch]);
      i++;
    } else {
      const two = s.slice(i, i + 2);
      if (two === '<=' || two === '>=' || two === '!=' || two === '**') {
        toks.push({ k: 'op', v: two === '**' ? '^' : two });
        i += 2;
      } else if (SINGLE_OPS.has(ch)) {
        toks.push({ k: 'op', v: ch });
        i++;
      } else {
        throw new ParseError(`unexpected character U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
      }
    }
  }
  toks.push({ k: 'eof', v: '' });
  return toks;
}

const num = (text: string): Node => {
  const v = qFromDecimal(text);
  // A plain decimal keeps how many digits it gives: judge.ts reads a long one as a value
  // printed by a calculator (see longDecimal there).
  const m = /^(\d*)\.(\d+)$/.exec(text);
  return m ? { t: 'num', v, places: m[2].length, sig: `${m[1]}${m[2]}`.replace(/^0+/, '').length } : { t: 'num', v };
};
const mul = (a: Node, b: Node): Node => ({ t: 'mul', args: [...(a.t === 'mul' ? a.args : [a]), ...(b.t === 'mul' ? b.args : [b])] });

class Parser {
  private pos = 0;
  private depth = 0;
  private absDepth = 0;

  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.pos];
  }
  private next(): Tok {
    return this.toks[this.pos++];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.k === 'op' && t.v === v;
  }
  private expectOp(v: string): void {
    const t = this.next();
    if (t.k !== 'op' || t.v !== v) throw new ParseError(`expected '${v}' but found '${t.v || 'end'}'`);
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new ParseError(`nesting deeper than ${MAX_DEPTH}`);
  }

  parseTop(): Node {
    const items = this.parseList();
    if (this.peek().k !== 'eof') throw new ParseError(`unexpected '${this.peek().v}'`);
    return items.length === 1 ? items[0] : { t: 'seq', open: '', close: '', items };
  }

  /** Comma/semicolon-separated items up to a closing token (not consumed). */
  private parseList(): Node[] {
    const items: Node[] = [];
    if (this.atListEnd()) return items;
    items.push(this.parseUnion());
    while (this.isOp(',') || this.isOp(';')) {
      this.next();
      if (this.atListEnd()) break; // trailing comma
      items.push(this.parseUnion());
    }
    return items;
  }

  private atListEnd(): boolean {
    const t = this.peek();
    return t.k === 'eof' || t.k === 'end' || (t.k === 'op' && [')', ']', '}', '\\}', '&', '\\\\'].includes(t.v));
  }

  private parseUnion(): Node {
    const first = this.parseRel();
    if (!this.isOp('∪')) return first;
    const args = [first];
    while (this.isOp('∪')) {
      this.next();
      args.push(this.parseRel());
    }
    return { t: 'union', args };
  }

  private parseRel(): Node {
    const args = [this.parseRatio()];
    const ops: RelOp[] = [];
    for (;;) {
      const t = this.peek();
      if (t.k !== 'op' || !['=', '<', '>', '<=', '>=', '!='].includes(t.v)) break;
      this.next();
      ops.push(t.v as RelOp);
      args.push(this.parseRatio());
    }
    return ops.length === 0 ? args[0] : { t: 'rel', ops, args };
  }

  /** A ratio `a:b` stands for its value a/b, on either side of a relation (`V_1:V_2=11:21`). */
  private parseRatio(): Node {
    let first = this.parseAdditive();
    while (this.isOp(':')) {
      this.next();
      first = { t: 'div', num: first, den: this.parseAdditive() };
    }
    return first;
  }

  private parseAdditive(): Node {
    this.enter();
    let terms: Node[] = [this.parseTerm()];
    for (;;) {
      if (this.isOp('+')) {
        this.next();
        terms.push(this.parseTerm());
      } else if (this.isOp('-')) {
        this.next();
        terms.push({ t: 'neg', arg: this.parseTerm() });
      } else if (this.isOp('±') || this.isOp('∓')) {
        const sign = this.next().v === '±' ? 1 : -1;
        const lhs: Node = terms.length === 1 ? terms[0] : { t: 'add', args: terms };
        terms = [{ t: 'pm', lhs, rhs: this.parseTerm(), sign }];
      } else {
        break;
      }
    }
    this.depth--;
    return terms.length === 1 ? terms[0] : { t: 'add', args: terms };
  }

  private parseTerm(fnArg = false): Node {
    let acc = this.parseUnary();
    for (;;) {
      if (this.isOp('*')) {
        this.next();
        acc = mul(acc, this.parseUnary());
      } else if (this.isOp('/')) {
        this.next();
        acc = { t: 'div', num: acc, den: this.parseUnary() };
      } else if (this.startsImplicitFactor(fnArg)) {
        acc = mul(acc, this.parsePower());
      } else {
        return acc;
      }
    }
  }

  private startsImplicitFactor(fnArg: boolean): boolean {
    const t = this.peek();
    if (t.k === 'num' || t.k === 'id' || t.k === 'begin') return true;
    if (t.k === 'cmd') return !(fnArg && (FUNCTIONS.has(t.v) || t.v === 'frac'));
    if (t.k === 'op') return t.v === '(' || t.v === '{' || (t.v === '|' && this.absDepth === 0 && !fnArg);
    return false;
  }

  private parseUnary(): Node {
    if (this.isOp('-')) {
      this.next();
      this.enter();
      const arg = this.parseUnary();
      this.depth--;
      return { t: 'neg', arg };
    }
    if (this.isOp('+')) {
      this.next();
      return this.parseUnary();
    }
    if (this.isOp('±') || this.isOp('∓')) {
      const sign = this.next().v === '±' ? 1 : -1;
      return { t: 'pm', lhs: { t: 'num', v: qFromDecimal('0') }, rhs: this.parseTerm(), sign };
    }
    return this.parsePower();
  }

  private parsePower(): Node {
    const base = this.parsePostfix();
    if (!this.isOp('^')) return base;
    this.next();
    return { t: 'pow', base, exp: this.parseExponent() };
  }

  private parseExponent(): Node {
    this.enter();
    let e: Node;
    if (this.isOp('{')) e = this.parseBraced();
    else if (this.isOp('-')) {
      this.next();
      e = { t: 'neg', arg: this.parseExponent() };
    } else {
      e = this.parsePostfix();
      if (this.isOp('^')) {
        this.next();
        e = { t: 'pow', base: e, exp: this.parseExponent() };
      }
    }
    this.depth--;
    return e;
  }

  private parsePostfix(): Node {
    let p = this.parsePrimary();
    while (this.isOp('!')) {
      this.next();
      p = { t: 'fn', name: 'fact', args: [p] };
    }
    return p;
  }

  private parseBraced(): Node {
    this.expectOp('{');
    const items = this.parseList();
    this.expectOp('}');
    if (items.length === 0) throw new ParseError('empty group {}');
    return items.length === 1 ? items[0] : { t: 'seq', open: '{', close: '}', items };
  }

  /** A TeX macro argument: a braced group, or one token (one digit of a number). */
  private parseArg(latex: boolean): Node {
    const t = this.peek();
    if (t.k === 'op' && t.v === '{') return this.parseBraced();
    if (t.k === 'op' && t.v === '(') return this.parsePrimary();
    if (t.k === 'num') {
      if (latex && t.v.length > 1) {
        this.toks[this.pos] = { k: 'num', v: t.v.slice(1) };
        return num(t.v[0]);
      }
      this.next();
      return num(t.v);
    }
    if (t.k === 'id' || t.k === 'cmd') return this.parsePrimary();
    throw new ParseError(`missing argument before '${t.v || 'end'}'`);
  }

  private parsePrimary(): Node {
    this.enter();
    const node = this.primary();
    this.depth--;
    return node;
  }

  private primary(): Node {
    const t = this.next();
    switch (t.k) {
      case 'num': {
        const n = num(t.v);
        if (this.isOp('_') && /^\d+$/.test(t.v)) {
          this.next();
          const base = this.parseArg(false);
          if (base.t !== 'num' || !qIsInt(base.v)) throw new ParseError('base subscript must be an integer');
          return { t: 'sym', name: `${t.v}_${base.v.n}` };
        }
        const nt = this.peek();
        if (nt.k === 'cmd' && nt.v === 'frac' && /^\d+$/.test(t.v)) {
          const save = this.pos;
          this.next();
          const frac = this.fracTail(nt.latex);
          const isMixed = frac.t === 'div' && frac.num.t === 'num' && frac.den.t === 'num' && qIsInt(frac.num.v) && qIsInt(frac.den.v);
          if (isMixed) return { t: 'add', args: [n, frac] };
          this.pos = save;
        }
        return n;
      }
      case 'id': {
        let name = t.v;
        if (this.isOp('_')) {
          this.next();
          const sub = this.parseArg(false);
          name = `${name}_${sub.t === 'num' || sub.t === 'sym' ? (sub.t === 'num' ? `${sub.v.n}` : sub.name) : 'x'}`;
        }
        return { t: 'sym', name };
      }
      case 'begin':
        return this.matrix(t.v);
      case 'cmd':
        return this.command(t.v, t.latex);
      case 'op':
        return this.opPrimary(t.v);
      default:
        throw new ParseError(`unexpected ${t.k === 'eof' ? 'end of answer' : `'${t.v}'`}`);
    }
  }

  private opPrimary(v: string): Node {
    if (v === '(' || v === '[') {
      const items = this.parseList();
      const close = this.next();
      if (close.k !== 'op' || (close.v !== ')' && close.v !== ']')) throw new ParseError(`unclosed '${v}'`);
      if (items.length === 0) throw new ParseError('empty brackets');
      if (items.length === 1 && (v === '(') === (close.v === ')')) return items[0];
      return { t: 'seq', open: v as Bracket, close: close.v as Bracket, items };
    }
    if (v === '{') {
      this.pos--;
      return this.parseBraced();
    }
    if (v === '\\{') {
      const items = this.parseList();
      this.expectOp('\\}');
      return { t: 'seq', open: '{', close: '}', items };
    }
    if (v === '|') {
      this.absDepth++;
      const arg = this.parseAdditive();
      this.expectOp('|');
      this.absDepth--;
      return { t: 'fn', name: 'abs', args: [arg] };
    }
    throw new ParseError(`unexpected '${v}'`);
  }

  private fracTail(latex: boolean): Node {
    const a = this.parseArg(latex);
    const b = this.parseArg(latex);
    return { t: 'div', num: a, den: b };
  }

  private command(name: string, latex: boolean): Node {
    if (name === 'frac' || name === 'cfrac') return this.fracTail(latex);
    if (name === 'binom') return { t: 'fn', name: 'binom', args: [this.parseArg(latex), this.parseArg(latex)] };
    if (name === 'sqrt') {
      if (this.isOp('[')) {
        this.next();
        const index = this.parseAdditive();
        this.expectOp(']');
        return { t: 'fn', name: 'root', args: [this.parseArg(latex), index] };
      }
      return { t: 'fn', name: 'sqrt', args: [this.parseArg(latex)] };
    }
    if (name === 'pi') return { t: 'sym', name: 'pi' };
    if (name === 'infty') return { t: 'sym', name: 'inf' };
    if (name === 'emptyset' || name === 'varnothing') return { t: 'seq', open: '{', close: '}', items: [] };
    if (name === 'dots') return { t: 'text', s: '...' };
    if (GREEK.has(name)) return { t: 'sym', name };
    if (name === 'lfloor' || name === 'lceil') {
      const arg = this.parseAdditive();
      const close = this.next();
      if (close.k !== 'cmd' || close.v !== (name === 'lfloor' ? 'rfloor' : 'rceil')) throw new ParseError(`unclosed \\${name}`);
      return { t: 'fn', name: name === 'lfloor' ? 'floor' : 'ceil', args: [arg] };
    }
    if (FUNCTIONS.has(name)) return this.functionCall(name, latex);
    throw new ParseError(`unsupported command \\${name}`);
  }

  private functionCall(name: string, latex: boolean): Node {
    let power: Node | null = null;
    let base: Node | null = null;
    if (this.isOp('_') && (name === 'log')) {
      this.next();
      base = this.parseArg(latex);
    }
    if (this.isOp('^')) {
      this.next();
      power = this.parseExponent();
      if (power.t === 'neg' && power.arg.t === 'num' && power.arg.v.n === 1n && power.arg.v.d === 1n && ARC[name]) {
        name = ARC[name];
        power = null;
      }
    }
    let args: Node[];
    if (this.isOp('(')) {
      this.next();
      args = this.parseList();
      this.expectOp(')');
      if (args.length === 0) throw new ParseError(`\\${name}() without argument`);
    } else {
      args = [this.parseTerm(true)];
    }
    if (base) args = [args[0], base];
    const call: Node = { t: 'fn', name, args };
    return power ? { t: 'pow', base: call, exp: power } : call;
  }

  private matrix(env: string): Node {
    if (!/^(?:[pbBvV]?matrix|smallmatrix|array)\*?$/.test(env)) throw new ParseError(`unsupported environment ${env}`);
    if (env === 'array' && this.isOp('{')) {
      while (!this.isOp('}')) if (this.next().k === 'eof') throw new ParseError('unclosed array spec');
      this.next();
    }
    const rows: Node[][] = [];
    let row: Node[] = [];
    for (;;) {
      row.push(this.parseUnion());
      const t = this.next();
      if (t.k === 'op' && t.v === '&') continue;
      if (t.k === 'op' && t.v === '\\\\') {
        rows.push(row);
        row = [];
        if (this.peek().k === 'end') {
          this.next();
          break;
        }
        continue;
      }
      if (t.k === 'end') {
        rows.push(row);
        break;
      }
      throw new ParseError(`unexpected '${t.v || 'end'}' in matrix`);
    }
    if (rows.some((r) => r.length !== rows[0].length)) throw new ParseError('ragged matrix');
    if (env.startsWith('v') || env.startsWith('V')) return { t: 'fn', name: 'det', args: [{ t: 'matrix', rows }] };
    return { t: 'matrix', rows };
  }
}

/** Parses a normalized answer; never throws. */
export function parseAnswer(s: string): ParseResult {
  if (s.length > MAX_ANSWER_CHARS) return { ok: false, reason: `answer longer than ${MAX_ANSWER_CHARS} characters` };
  if (s.trim() === '') return { ok: false, reason: 'empty answer' };
  try {
    return { ok: true, node: new Parser(tokenize(s)).parseTop() };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, reason: err.message };
    if (err instanceof RangeError || err instanceof TooBigError) return { ok: false, reason: `parse failed: ${err.message}` };
    throw err;
  }
}
