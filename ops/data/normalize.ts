// Text normalization and tokenization shared by decontamination and de-duplication.
// Two spellings of the same problem should give the same tokens: Unicode NFKC, lower
// case, LaTeX spacing and sizing commands dropped, \dfrac/\tfrac read as \frac, digit
// group commas removed. A math segment ($..$, $$..$$, \[..\], \(..\)) is ONE token with
// its spaces, braces and backslashes removed; outside math a token is a run of letters or
// digits. Word-level tokens keep a 9-gram meaningful: with one token per symbol, short
// formulas such as "f(x) = x^3 + 3" would fill a whole 9-gram. Not a LaTeX parser.

const LATEX_NOISE = /\\(?:left|right|big|bigg|Big|Bigg|displaystyle|textstyle|mathrm|mathbf|mathit|text|textbf|mbox|operatorname|quad|qquad|limits)\b|\\[,;:! ]/g;

/** Canonical text form: the input to tokenize, and to exact de-duplication. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(LATEX_NOISE, ' ')
    .replace(/\\[dt]frac\b/g, '\\frac')
    .replace(/\\(?:le|leq|leqslant)\b/g, '<=')
    .replace(/\\(?:ge|geq|geqslant)\b/g, '>=')
    .replace(/(\d),(?=\d{3}(?!\d))/g, '$1')
    .toLowerCase();
}

const TOKEN = /\$\$([^$]*)\$\$|\$([^$]*)\$|\\\[([\s\S]*?)\\\]|\\\(([\s\S]*?)\\\)|([a-z0-9]+)/g;
const MATH_NOISE = /[\s{}\\]+/g;

/** Tokens of normalized text. */
export function tokenize(text: string): string[] {
  const norm = normalizeText(text).replace(/\\\$/g, ' dollar ');
  const out: string[] = [];
  for (const m of norm.matchAll(TOKEN)) {
    if (m[5] !== undefined) out.push(m[5]);
    else {
      const math = (m[1] ?? m[2] ?? m[3] ?? m[4]).replace(MATH_NOISE, '').replace(/[.,;:]+$/, '');
      if (math !== '') out.push(math);
    }
  }
  return out;
}

/**
 * Token strings mapped to dense integer ids, shared by every text of one run so that
 * n-grams become integer tuples (hashable without strings, comparable exactly).
 */
export class Vocab {
  private readonly ids = new Map<string, number>();
  private readonly words: string[] = [];

  id(token: string): number {
    let id = this.ids.get(token);
    if (id === undefined) {
      id = this.words.length;
      this.ids.set(token, id);
      this.words.push(token);
    }
    return id;
  }

  word(id: number): string {
    return this.words[id];
  }

  get size(): number {
    return this.words.length;
  }

  /** Token ids of a text. */
  encode(text: string): Int32Array {
    const tokens = tokenize(text);
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.id(tokens[i]);
    return out;
  }

  decode(ids: ArrayLike<number>, from = 0, to = ids.length): string {
    const parts: string[] = [];
    for (let i = from; i < to; i++) parts.push(this.words[ids[i]]);
    return parts.join(' ');
  }
}

/** Text with Asymptote figure code ([asy]...[/asy]) removed: its label/draw boilerplate is not problem text. */
export function stripAsymptote(text: string): string {
  return text.replace(/\[asy\][\s\S]*?(\[\/asy\]|$)/g, ' ');
}
