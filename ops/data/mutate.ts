// Mutation operators for JavaScript reference solutions, used to find weak tests: a
// mutant that still passes every test means the tests cannot tell a wrong program from a
// right one (a false-positive reward). Operators: off-by-one (integer literal ±1, strict
// vs non-strict bound), swapped comparison, swapped arithmetic, dropped branch (an `if`
// whose condition becomes false, an `else` block emptied). Works on a token stream that
// knows strings, templates, comments and regex literals; not a parser, so a mutant is
// syntax-checked (compiled, never run) before it is offered.
import { Script } from 'node:vm';
import { Rng } from '../rng.ts';

export const MutationOperator = ['offByOne', 'swapComparison', 'swapArithmetic', 'dropBranch'] as const;
export type MutationOperator = (typeof MutationOperator)[number];

export type Mutant = {
  operator: MutationOperator;
  /** 1-based line of the change in the original source. */
  line: number;
  before: string;
  after: string;
  code: string;
};

type Tok = { type: 'ws' | 'comment' | 'string' | 'template' | 'regex' | 'number' | 'ident' | 'punct'; value: string; start: number };

const PUNCTS = ['>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=', '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>'];
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'instanceof', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'of']);

/** Tokens of a JavaScript source; the values concatenate back to the source. */
export function tokenizeJs(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let lastSig: Tok | undefined;
  const push = (type: Tok['type'], end: number) => {
    const t: Tok = { type, value: src.slice(i, end), start: i };
    toks.push(t);
    if (type !== 'ws' && type !== 'comment') lastSig = t;
    i = end;
  };
  const skipQuoted = (q: string, from: number) => {
    let j = from + 1;
    while (j < src.length && src[j] !== q) {
      if (src[j] === '\\') j++;
      else if (q !== '`' && src[j] === '\n') break;
      j++;
    }
    return Math.min(j + 1, src.length);
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      let j = i;
      while (j < src.length && /\s/.test(src[j])) j++;
      push('ws', j);
    } else if (src.startsWith('//', i)) {
      const j = src.indexOf('\n', i);
      push('comment', j < 0 ? src.length : j);
    } else if (src.startsWith('/*', i)) {
      const j = src.indexOf('*/', i + 2);
      push('comment', j < 0 ? src.length : j + 2);
    } else if (c === '"' || c === "'") push('string', skipQuoted(c, i));
    else if (c === '`') push('template', skipQuoted('`', i));
    else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:0[xXoObB][0-9a-fA-F_]+n?|(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?n?)/.exec(src.slice(i))!;
      push('number', i + m[0].length);
    } else if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      const m = /^[\w$\u0080-\uffff]+/.exec(src.slice(i))!;
      push('ident', i + m[0].length);
    } else if (c === '/' && regexAllowed(lastSig)) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== '\n') {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        else if (src[j] === '/' && !inClass) break;
        j++;
      }
      j++;
      while (j < src.length && /[a-z]/.test(src[j])) j++;
      push('regex', j);
    } else {
      const p = PUNCTS.find((x) => src.startsWith(x, i));
      push('punct', i + (p ? p.length : 1));
    }
  }
  return toks;
}

function regexAllowed(prev: Tok | undefined): boolean {
  if (!prev) return true;
  if (prev.type === 'ident') return REGEX_AFTER_WORD.has(prev.value);
  if (prev.type === 'punct') return ![')', ']', '}'].includes(prev.value);
  return false;
}

const SWAP_COMPARISON: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '===': '!==', '!==': '===', '==': '!=', '!=': '==' };
const BOUNDARY: Record<string, string> = { '<': '<=', '<=': '<', '>': '>=', '>=': '>' };
const SWAP_ARITH: Record<string, string> = { '+': '-', '-': '+', '*': '/', '/': '*', '+=': '-=', '-=': '+=', '*=': '/=', '/=': '*=', '++': '--', '--': '++', '%': '*' };

type Edit = { operator: MutationOperator; from: number; to: number; text: string };

function matching(toks: Tok[], open: number, o: string, c: string): number {
  let depth = 0;
  for (let k = open; k < toks.length; k++) {
    if (toks[k].type !== 'punct') continue;
    if (toks[k].value === o) depth++;
    else if (toks[k].value === c && --depth === 0) return k;
  }
  return -1;
}

function nextSig(toks: Tok[], k: number): number {
  for (let j = k + 1; j < toks.length; j++) if (toks[j].type !== 'ws' && toks[j].type !== 'comment') return j;
  return -1;
}

/** Every single-site edit the operators offer for a source, in source order. */
function edits(src: string): Edit[] {
  const toks = tokenizeJs(src);
  const out: Edit[] = [];
  const end = (t: Tok) => t.start + t.value.length;
  toks.forEach((t, k) => {
    if (t.type === 'number' && /^\d+$/.test(t.value)) {
      const v = Number(t.value);
      out.push({ operator: 'offByOne', from: t.start, to: end(t), text: String(v + 1) });
      out.push({ operator: 'offByOne', from: t.start, to: end(t), text: v === 0 ? '(-1)' : String(v - 1) });
    }
    if (t.type === 'punct') {
      if (BOUNDARY[t.value]) out.push({ operator: 'offByOne', from: t.start, to: end(t), text: BOUNDARY[t.value] });
      if (SWAP_COMPARISON[t.value]) out.push({ operator: 'swapComparison', from: t.start, to: end(t), text: SWAP_COMPARISON[t.value] });
      if (SWAP_ARITH[t.value]) out.push({ operator: 'swapArithmetic', from: t.start, to: end(t), text: SWAP_ARITH[t.value] });
    }
    if (t.type === 'ident' && t.value === 'if') {
      const open = nextSig(toks, k);
      if (open < 0 || toks[open].value !== '(') return;
      const close = matching(toks, open, '(', ')');
      if (close > open) out.push({ operator: 'dropBranch', from: end(toks[open]), to: toks[close].start, text: 'false' });
    }
    if (t.type === 'ident' && t.value === 'else') {
      const open = nextSig(toks, k);
      if (open < 0 || toks[open].value !== '{') return;
      const close = matching(toks, open, '{', '}');
      if (close > open) out.push({ operator: 'dropBranch', from: end(toks[open]), to: toks[close].start, text: ' ' });
    }
  });
  return out;
}

function compiles(code: string): boolean {
  try {
    new Script(code);
    return true;
  } catch {
    return false;
  }
}

/**
 * Up to `max` distinct mutants that compile, spread over the operators (round robin,
 * sites shuffled with the seed). `region` limits edits to [from, to) of the source,
 * e.g. the solution body after a given prompt.
 */
export function mutants(src: string, opts: { max: number; seed: number; region?: [number, number]; operators?: readonly MutationOperator[] }): Mutant[] {
  const [lo, hi] = opts.region ?? [0, src.length];
  const rng = new Rng(opts.seed);
  const byOp = new Map<MutationOperator, Edit[]>(MutationOperator.map((o) => [o, []]));
  for (const e of edits(src)) if (e.from >= lo && e.to <= hi && src.slice(e.from, e.to) !== e.text) byOp.get(e.operator)!.push(e);
  for (const list of byOp.values()) rng.shuffle(list);
  const out: Mutant[] = [];
  const seen = new Set<string>();
  let progressed = true;
  while (out.length < opts.max && progressed) {
    progressed = false;
    for (const op of opts.operators ?? MutationOperator) {
      const list = byOp.get(op)!;
      while (list.length > 0 && out.length < opts.max) {
        const e = list.pop()!;
        const code = src.slice(0, e.from) + e.text + src.slice(e.to);
        if (seen.has(code) || !compiles(code)) continue;
        seen.add(code);
        const line = src.slice(0, e.from).split('\n').length;
        const lineStart = src.lastIndexOf('\n', e.from - 1) + 1;
        const lineEnd = src.indexOf('\n', e.from);
        const before = src.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).trim();
        const afterEnd = code.indexOf('\n', lineStart + (e.from - lineStart) + e.text.length);
        const after = code.slice(lineStart, afterEnd < 0 ? undefined : afterEnd).trim();
        out.push({ operator: op, line, before, after, code });
        progressed = true;
        break;
      }
    }
  }
  return out;
}
