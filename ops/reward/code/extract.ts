// Extraction of the program from a model response: the last fenced code block after the
// last `</think>`, with its language tag. Not a Markdown parser: fences are ``` or ~~~
// lines (3+ characters) and a block is closed by a fence of the same kind and length or more.
import type { Language } from './types.ts';

const TAGS: Record<string, Language | 'typescript'> = {
  javascript: 'javascript',
  js: 'javascript',
  node: 'javascript',
  nodejs: 'javascript',
  mjs: 'javascript',
  typescript: 'typescript',
  ts: 'typescript',
  python: 'python',
  py: 'python',
  python3: 'python',
  py3: 'python',
};

export type Extraction =
  | { ok: true; code: string; language: Language | null; tag: string }
  | { ok: false; reason: string; tag?: string };

/**
 * The last fenced block after the last `</think>` (the whole response when there is no
 * reasoning; unparseable when a `<think>` is never closed).
 * An untagged block gives language null (the caller's `language` decides); a tag that is
 * not JavaScript or Python is unparseable (TypeScript is not supported: no transpiler).
 */
export function extractCode(response: string): Extraction {
  const thinkEnd = response.lastIndexOf('</think>');
  // Reasoning that never ended (a truncated response) has no answer yet.
  if (thinkEnd < 0 && response.includes('<think>')) return { ok: false, reason: 'unterminated <think> (no answer after the reasoning)' };
  const text = thinkEnd >= 0 ? response.slice(thinkEnd + '</think>'.length) : response;
  const blocks: { tag: string; code: string }[] = [];
  const lines = text.split('\n');
  let open: { fence: string; tag: string; body: string[] } | null = null;
  for (const line of lines) {
    const m = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/.exec(line);
    if (open) {
      if (m && m[1][0] === open.fence[0] && m[1].length >= open.fence.length && m[2] === '') {
        blocks.push({ tag: open.tag, code: open.body.join('\n') });
        open = null;
      } else {
        open.body.push(line);
      }
    } else if (m) {
      open = { fence: m[1], tag: m[2].toLowerCase(), body: [] };
    }
  }
  // An unclosed final block (truncated response) is not taken: the program may be cut off.
  const last = blocks[blocks.length - 1];
  if (!last) {
    return { ok: false, reason: thinkEnd >= 0 ? 'no fenced code block after </think>' : 'no fenced code block' };
  }
  if (last.code.trim() === '') return { ok: false, reason: 'last code block is empty', tag: last.tag };
  if (last.tag === '') return { ok: true, code: last.code, language: null, tag: '' };
  const lang = TAGS[last.tag];
  if (lang === undefined) return { ok: false, reason: `unsupported language tag '${last.tag}'`, tag: last.tag };
  if (lang === 'typescript') return { ok: false, reason: 'TypeScript is not supported (no transpiler in the sandbox)', tag: last.tag };
  return { ok: true, code: last.code, language: lang, tag: last.tag };
}

/** Normalizes a caller-given language name ('js', 'Python3', ...) or null when unknown. */
export function normalizeLanguage(name: string | undefined): Language | null {
  if (!name) return null;
  const lang = TAGS[name.trim().toLowerCase()];
  return lang === 'javascript' || lang === 'python' ? lang : null;
}
