// Final-answer extraction from a model response (the recipe's math reward input): only the
// text after the last `</think>`, then the last brace-matched `\boxed{...}` / `\fbox{...}`
// (or `\boxed 5`). Linear in the response length, so a megabyte response is cheap.
// Not an answer normalizer (see normalize.ts) and not a fallback to "the last number".

export type Extraction = { ok: true; answer: string } | { ok: false; reason: string };

const THINK_END = '</think>';
const BOX_COMMANDS = ['\\boxed', '\\fbox'] as const;

export function extractAnswer(response: string): Extraction {
  const cut = response.lastIndexOf(THINK_END);
  if (cut < 0) return { ok: false, reason: 'no </think> in response: the answer section is missing' };
  return lastBoxed(response.slice(cut + THINK_END.length));
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
