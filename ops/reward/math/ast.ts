// The answer tree the math verifier compares: scalars (numbers, symbols, operators,
// functions) and the structures answers come in (tuples, intervals, sets, unions,
// matrices, relations, text). Also the canonical printer used for normalized output and
// as a key for opaque sub-terms. Not a general LaTeX AST: only what final answers use.
import { type Q, qToString } from './rational.ts';

export type Bracket = '(' | ')' | '[' | ']' | '{' | '}' | '';

export type Node =
  | { t: 'num'; v: Q; places?: number; sig?: number } // exact literal (integers, decimals, scientific notation); a plain decimal keeps its decimal places and significant digits
  | { t: 'sym'; name: string } // variable, `pi`, `e`, `i`, `inf`, or an opaque base-b numeral like `204_5`
  | { t: 'add'; args: Node[] }
  | { t: 'mul'; args: Node[] }
  | { t: 'neg'; arg: Node }
  | { t: 'div'; num: Node; den: Node }
  | { t: 'pow'; base: Node; exp: Node }
  | { t: 'fn'; name: string; args: Node[] } // sqrt, root, sin, log, fact, binom, abs, floor, ...
  | { t: 'pm'; lhs: Node; rhs: Node; sign: 1 | -1 } // a ± b (sign -1 for ∓)
  | { t: 'text'; s: string }
  | { t: 'seq'; open: Bracket; close: Bracket; items: Node[] } // tuple, interval, set, bare list
  | { t: 'union'; args: Node[] }
  | { t: 'matrix'; rows: Node[][] }
  | { t: 'rel'; ops: RelOp[]; args: Node[] }; // a op0 b op1 c ...

export const REL_OPS = ['=', '<', '<=', '>', '>=', '!='] as const;
export type RelOp = (typeof REL_OPS)[number];

const CONSTANTS = new Set(['pi', 'e', 'i', 'inf']);

/** Symbols that stand for numbers we know (everything else is a free variable). */
export function isConstantSymbol(name: string): boolean {
  return CONSTANTS.has(name);
}

/** Free variables of a tree, sorted. Base-b numerals are opaque symbols, not variables. */
export function freeVars(node: Node, out: Set<string> = new Set()): Set<string> {
  switch (node.t) {
    case 'sym':
      if (!isConstantSymbol(node.name) && !/^\d/.test(node.name)) out.add(node.name);
      break;
    case 'num':
    case 'text':
      break;
    case 'neg':
      freeVars(node.arg, out);
      break;
    case 'div':
      freeVars(node.num, out);
      freeVars(node.den, out);
      break;
    case 'pow':
      freeVars(node.base, out);
      freeVars(node.exp, out);
      break;
    case 'pm':
      freeVars(node.lhs, out);
      freeVars(node.rhs, out);
      break;
    case 'matrix':
      for (const row of node.rows) for (const cell of row) freeVars(cell, out);
      break;
    case 'seq':
      for (const item of node.items) freeVars(item, out);
      break;
    default:
      for (const arg of node.args) freeVars(arg, out);
  }
  return out;
}

/** A canonical, unambiguous text form (fully parenthesized where it matters). */
export function printNode(node: Node): string {
  switch (node.t) {
    case 'num':
      return qToString(node.v);
    case 'sym':
      return node.name;
    case 'text':
      return `"${node.s}"`;
    case 'add':
      return node.args.map((a, i) => (i > 0 && a.t === 'neg' ? `-${wrap(a.arg)}` : (i > 0 ? '+' : '') + printNode(a))).join('');
    case 'mul':
      return node.args.map(wrap).join('*');
    case 'neg':
      return `-${wrap(node.arg)}`;
    case 'div':
      return `${wrap(node.num)}/${wrap(node.den)}`;
    case 'pow':
      return `${wrap(node.base)}^${wrap(node.exp)}`;
    case 'fn':
      return `${node.name}(${node.args.map(printNode).join(',')})`;
    case 'pm':
      return `${printNode(node.lhs)}${node.sign === 1 ? '±' : '∓'}${wrap(node.rhs)}`;
    case 'seq':
      return `${node.open}${node.items.map(printNode).join(',')}${node.close}`;
    case 'union':
      return node.args.map(printNode).join('∪');
    case 'matrix':
      return `[${node.rows.map((r) => `[${r.map(printNode).join(',')}]`).join(',')}]`;
    case 'rel':
      return node.args.map((a, i) => (i > 0 ? node.ops[i - 1] : '') + printNode(a)).join('');
  }
}

function wrap(node: Node): string {
  const s = printNode(node);
  return node.t === 'num' || node.t === 'sym' || node.t === 'fn' || node.t === 'seq' ? (node.t === 'num' && s.includes('/') ? `(${s})` : s) : `(${s})`;
}
