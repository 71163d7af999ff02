// Final-answer extraction from a model response (the recipe's math reward input): only the
// text after the last `</think>`, then the last brace-matched `\boxed{...}` / `\fbox{...}`
// (or `\boxed 5`). Linear in the response length, so a megabyte response is cheap.
// Not an answer normalizer (see normalize.ts) and not a fallback to "the last number"; a prose
// fallback for models that do not box is an option, off by default (extractAnswer's opts).

export type Extraction = { ok: true; answer: string } | { ok: false; reason: string };

const THINK_END = '</think>';
const BOX_COMMANDS = ['\\boxed', '\\fbox'] as const;

export type ExtractOptions = {
  /**
   * For evaluating models that do not box (off by default, never for RL rewards): a response
   * without `</think>` is all answer section, and a section without a box gives the value of
   * its last `The answer is ...` (or `answer: ...`) phrase, else its last `$...$` / `\(...\)`.
   */
  proseFallback?: boolean;
};

export function extractAnswer(response: string, opts: ExtractOptions = {}): Extraction {
  const cut = response.lastIndexOf(THINK_END);
  if (cut < 0 && !opts.proseFallback) return { ok: false, reason: 'no </think> in response: the answer section is missing' };
  const section = cut < 0 ? response : response.slice(cut + THINK_END.length);
  const boxed = lastBoxed(section);
  if (boxed.ok || !opts.proseFallback) return boxed;
  return proseAnswer(section) ?? { ok: false, reason: `${boxed.reason}, and no "the answer is" phrase or $...$ to fall back on` };
}

/** The prose fallback: the last `answer is X` / `answer: X` phrase (to the end of its sentence), else the last inline math. */
function proseAnswer(text: string): Extraction | null {
  const tail = text.slice(-20_000);
  let phrase: string | null = null;
  const re = /\banswer\s*(?:is|:)\s*:?\s*/gi;
  for (let m = re.exec(tail); m; m = re.exec(tail)) {
    // The sentence ends at a newline or at a period followed by a space or the end (not `3.5`).
    const rest = tail.slice(m.index + m[0].length);
    const end = rest.search(/\n|\.(?=\s|$)/);
    const value = (end < 0 ? rest : rest.slice(0, end)).trim();
    if (value !== '') phrase = value;
  }
  if (phrase !== null) return { ok: true, answer: phrase.slice(0, 2000) };
  let math: string | null = null;
  const inline = /\$([^$]+)\$|\\\((.+?)\\\)/g;
  for (let m = inline.exec(tail); m; m = inline.exec(tail)) math = (m[1] ?? m[2]).trim();
  return math ? { ok: true, answer: math } : null;
}

/** The content of the last brace-matched `\boxed{}`/`\fbox{}` in `text` (no `</think>` rule). */
export function lastBoxed(text: string): Extraction {
  const starts: number[] = [];
  for (const cmd of BOX_COMMANDS) {
    for (let i = text.indexOf(cmd); i >= 0; i = text.indexOf(cmd, i + 1)) {
      if (!/[a-zA-Z]/.test(text[i + cmd.length] ?? '')) starts.push(i + cmd.length);
    }
  }
  if (starts.length === 0) return { ok: false, reason: 'no \\boxed{} in the answer section' };
  starts.sort((a, b) => b - a);
  const close = matchBraces(text);
  let sawUnbalanced = false;
  for (const start of starts) {
    let i = start;
    while (text[i] === ' ') i++;
    if (text[i] === '{') {
      const end = close[i];
      if (end < 0) {
        sawUnbalanced = true;
        continue;
      }
      const answer = text.slice(i + 1, end).trim();
      if (answer === '') return { ok: false, reason: 'empty \\boxed{}' };
      return { ok: true, answer };
    }
    // `\boxed 5`: the argument runs to the next space, `$` or end of line.
    const m = /^[^\s$]+/.exec(text.slice(i, i + 10_000));
    if (m && i > start) return { ok: true, answer: m[0].replace(/[.,;]$/, '') };
  }
  return { ok: false, reason: sawUnbalanced ? 'unbalanced braces in \\boxed{' : 'no \\boxed{} argument found' };
}

/**
 * Every brace-matched `\boxed{...}` / `\fbox{...}` in `text`, in order, with the text between
 * them (`outside` has one more entry than `contents`). Unbalanced boxes are left in `outside`.
 */
export function allBoxed(text: string): { contents: string[]; outside: string[] } {
  const close = matchBraces(text);
  const contents: string[] = [];
  const outside: string[] = [];
  let last = 0;
  const re = /\\(?:boxed|fbox)(?![a-zA-Z])\s*\{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const open = m.index + m[0].length - 1;
    const end = close[open];
    if (end < 0) continue;
    outside.push(text.slice(last, m.index));
    contents.push(text.slice(open + 1, end).trim());
    last = end + 1;
    re.lastIndex = last;
  }
  outside.push(text.slice(last));
  return { contents, outside };
}

/**
 * For every `{` the index of its matching `}` (-1 when unmatched), in one pass.
 * Escaped braces `\{ \}` are content, not grouping.
 */
function matchBraces(text: string): Int32Array {
  const close = new Int32Array(text.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 92 /* \ */) {
      i++; // skip the escaped character (covers `\{`, `\}` and `\\`)
      continue;
    }
    if (ch === 123 /* { */) stack.push(i);
    else if (ch === 125 /* } */ && stack.length > 0) close[stack.pop()!] = i;
  }
  return close;
}
