// Readers for raw problem sets: JSON arrays and JSONL, gzipped or not (detected by the
// gzip magic bytes), with a field mapping per source. A malformed row is reported with
// its file and 1-based line number and skipped; nothing is dropped without a count.
// Not a general JSON streaming parser: a whole file is read into memory (ours are MBs).
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { datasetsDir } from '../datasets.ts';
import { Domain, toId, type MetaValue, type Problem } from './task.ts';
import { CodedError } from '../errors.ts';

/** How one output field is taken from a row. */
export const FieldSpec = z.union([
  /** A dotted path into the row, e.g. "problem" or "meta.year". */
  z.string(),
  /** The content of the last \boxed{...} in a text field (MATH solutions). */
  z.object({ lastBoxed: z.string() }).strict(),
  /** The text after the last occurrence of a marker in a field (GSM8K "#### 18"). */
  z.object({ after: z.string(), field: z.string() }).strict(),
  /** Several fields joined in order (e.g. prompt + canonical solution = reference). */
  z.object({ concat: z.array(z.string()).min(1) }).strict(),
  /** A string template with {path} placeholders, e.g. "https://leetcode.com/problems/{task_id}/". */
  z.object({ template: z.string() }).strict(),
]);
export type FieldSpec = z.infer<typeof FieldSpec>;

export const SourceConfig = z
  .object({
    /** Short name used in ids and the report. */
    name: z.string().min(1),
    /** File path, relative to the datasets folder (ACE_DATASETS) unless absolute. */
    file: z.string().min(1),
    domain: Domain,
    /** Field mapping; prompt is required, the rest as the domain needs. */
    fields: z
      .object({
        prompt: FieldSpec,
        id: FieldSpec.optional(),
        answer: FieldSpec.optional(),
        tests: FieldSpec.optional(),
        language: FieldSpec.optional(),
        entryPoint: FieldSpec.optional(),
        reference: FieldSpec.optional(),
        url: FieldSpec.optional(),
      })
      .strict(),
    /** Fixed language for code sources whose rows do not name one. */
    language: z.string().optional(),
    /**
     * How the mapped `tests` text becomes the code verifier's CodeTests: `assert-script`
     * (the whole text is one assert case), `assert-blocks` (split by `caseSplit`: the first
     * chunk is setup, each further chunk one case, e.g. MBJSP), `python-check` (a
     * `check(candidate)` function called on the entry point), `json` (already CodeTests).
     */
    testsFormat: z.enum(['assert-script', 'assert-blocks', 'python-check', 'json']).default('assert-script'),
    /** Regex source that splits the tests text into setup + cases for `assert-blocks`. */
    caseSplit: z.string().optional(),
    /** Extra row fields copied into meta (scalar values only). */
    meta: z.array(z.string()).default([]),
  })
  .strict();
export type SourceConfig = z.input<typeof SourceConfig>;
type SourceResolved = z.output<typeof SourceConfig>;

export type ReadIssue = { file: string; line: number; reason: 'json' | 'missing-field' | 'not-object'; message: string };
export type ReadResult = { source: string; file: string; rows: number; problems: Problem[]; issues: ReadIssue[] };

export class ReadError extends CodedError<'file-missing' | 'not-json-array' | 'truncated'> {}

export function resolveDataFile(file: string): string {
  return isAbsolute(file) ? file : join(datasetsDir(), file);
}

/** Text of a file, gunzipped when it starts with the gzip magic bytes. */
export function readMaybeGzip(path: string): string {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    throw new ReadError('file-missing', `cannot read ${path}: ${(err as Error).message}`);
  }
  const gz = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  return (gz ? gunzipSync(raw) : raw).toString('utf8');
}

/** A raw row: its parsed value, or the parse error, with its 1-based starting line. */
export type RawRow = { line: number; value?: unknown; error?: string };

/** Rows of a JSONL text, one per non-blank line. */
export function splitJsonl(text: string): RawRow[] {
  const rows: RawRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    try {
      rows.push({ line: i + 1, value: JSON.parse(line) });
    } catch (err) {
      rows.push({ line: i + 1, error: (err as Error).message });
    }
  }
  return rows;
}

/**
 * Elements of a top-level JSON array, each parsed on its own so that one bad element is
 * reported at its line and the others survive. The scan tracks strings and nesting depth.
 */
export function splitJsonArray(text: string, file = '<text>'): RawRow[] {
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n && text[i] !== '[') {
    if (text[i] === '\n') line++;
    else if (!/\s/.test(text[i])) throw new ReadError('not-json-array', `${file}:${line}: expected a JSON array or JSONL`);
    i++;
  }
  if (i === n) throw new ReadError('not-json-array', `${file}: no JSON array found`);
  i++;
  const rows: RawRow[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  let startLine = line;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped char (never a newline in valid JSON)
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      if (start < 0) (start = i), (startLine = line);
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 10) continue;
    if (depth === 0 && (c === 44 || c === 93)) {
      // ',' or ']' ends the current element
      if (start >= 0) rows.push(parseElement(text.slice(start, i), startLine));
      start = -1;
      if (c === 93) return rows;
      continue;
    }
    if (start < 0) (start = i), (startLine = line);
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  if (start >= 0) rows.push({ line: startLine, error: 'array not closed (truncated file?)' });
  return rows;
}

function parseElement(slice: string, line: number): RawRow {
  try {
    return { line, value: JSON.parse(slice) };
  } catch (err) {
    return { line, error: (err as Error).message };
  }
}

/** Rows of a file, JSON array or JSONL decided by the first non-blank character. */
export function readRawRows(path: string): RawRow[] {
  const text = readMaybeGzip(path);
  const first = text.match(/\S/)?.[0];
  return first === '[' ? splitJsonArray(text, path) : splitJsonl(text);
}

function getPath(row: Record<string, unknown>, path: string): unknown {
  let cur: unknown = row;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** The content of the last \boxed{...} (or \fbox{...}) in a text, braces matched. */
export function lastBoxed(text: string): string | undefined {
  const at = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
  if (at < 0) return undefined;
  let i = text.indexOf('{', at);
  const head = text.slice(at, i < 0 ? undefined : i).replace(/^\\(boxed|fbox)/, '');
  if (i < 0 || head.trim() !== '') {
    // "\boxed 5": the token after a space
    const m = /^\\(?:boxed|fbox)\s+([^\s$.,]+)/.exec(text.slice(at));
    return m?.[1];
  }
  let depth = 0;
  const begin = i + 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(begin, i);
  }
  return undefined;
}

/** Apply one field spec to a row; undefined when the field is absent or not text. */
export function extractField(row: Record<string, unknown>, spec: FieldSpec): string | undefined {
  if (typeof spec === 'string') return scalarText(getPath(row, spec));
  if ('lastBoxed' in spec) {
    const text = scalarText(getPath(row, spec.lastBoxed));
    return text === undefined ? undefined : lastBoxed(text);
  }
  if ('after' in spec) {
    const text = scalarText(getPath(row, spec.field));
    const at = text?.lastIndexOf(spec.after) ?? -1;
    return text === undefined || at < 0 ? undefined : text.slice(at + spec.after.length).trim();
  }
  if ('concat' in spec) {
    const parts = spec.concat.map((p) => scalarText(getPath(row, p)));
    return parts.some((p) => p === undefined) ? undefined : parts.join('');
  }
  let missing = false;
  const out = spec.template.replace(/\{([^}]+)\}/g, (_, p: string) => {
    const v = scalarText(getPath(row, p));
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}

const REQUIRED: Record<Domain, readonly (keyof SourceResolved['fields'])[]> = {
  math: ['prompt', 'answer'],
  code: ['prompt', 'tests'],
};

function testsOf(cfg: SourceResolved, text: string, language: string | undefined, entryPoint: string | undefined): { ok: true; tests: unknown } | { ok: false; message: string } {
  const format = cfg.testsFormat;
  const lang = language !== undefined ? { language } : {};
  if (format === 'assert-blocks') {
    if (cfg.caseSplit === undefined) return { ok: false, message: 'assert-blocks tests need caseSplit' };
    const [setup, ...cases] = text.split(new RegExp(cfg.caseSplit));
    if (cases.length === 0) return { ok: false, message: `tests do not split into cases at /${cfg.caseSplit}/` };
    return { ok: true, tests: { format: 'assert', ...lang, setup, cases } };
  }
  if (format === 'json') {
    try {
      return { ok: true, tests: JSON.parse(text) };
    } catch (err) {
      return { ok: false, message: `tests are not JSON: ${(err as Error).message}` };
    }
  }
  if (format === 'python-check') {
    if (entryPoint === undefined) return { ok: false, message: 'python-check tests need an entryPoint mapping' };
    return { ok: true, tests: { format: 'assert', language: 'python', setup: text, cases: [`check(${entryPoint})`] } };
  }
  return { ok: true, tests: { format: 'assert', ...lang, cases: [text] } };
}

/**
 * Read one source into problems; malformed rows become issues with file and line.
 * `promptOnly` (benchmarks) requires only the prompt and skips the tests conversion.
 */
export function readSource(input: SourceConfig, opts: { promptOnly?: boolean } = {}): ReadResult {
  const cfg = SourceConfig.parse(input);
  const file = resolveDataFile(cfg.file);
  const raw = readRawRows(file);
  const problems: Problem[] = [];
  const issues: ReadIssue[] = [];
  raw.forEach((r, index) => {
    if (r.error !== undefined) {
      issues.push({ file, line: r.line, reason: 'json', message: r.error });
      return;
    }
    if (r.value === null || typeof r.value !== 'object' || Array.isArray(r.value)) {
      issues.push({ file, line: r.line, reason: 'not-object', message: `row is ${JSON.stringify(r.value)?.slice(0, 40)}` });
      return;
    }
    const row = r.value as Record<string, unknown>;
    const got: Partial<Record<keyof SourceResolved['fields'], string>> = {};
    for (const [key, spec] of Object.entries(cfg.fields) as [keyof SourceResolved['fields'], FieldSpec | undefined][]) {
      if (spec !== undefined) got[key] = extractField(row, spec);
    }
    const missing = (opts.promptOnly ? (['prompt'] as const) : REQUIRED[cfg.domain]).filter((k) => got[k] === undefined || got[k]!.trim() === '');
    if (missing.length > 0) {
      issues.push({ file, line: r.line, reason: 'missing-field', message: `no ${missing.join(', ')} (mapping ${JSON.stringify(missing.map((k) => cfg.fields[k]))})` });
      return;
    }
    const meta: Record<string, MetaValue> = {};
    for (const key of cfg.meta) {
      const v = getPath(row, key);
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') meta[key] = v;
    }
    const language = got.language ?? cfg.language;
    let tests: unknown;
    if (got.tests !== undefined && !opts.promptOnly) {
      const t = testsOf(cfg, got.tests, language, got.entryPoint);
      if (!t.ok) {
        issues.push({ file, line: r.line, reason: 'missing-field', message: t.message });
        return;
      }
      tests = t.tests;
    }
    problems.push({
      id: toId(`${cfg.name}:${got.id ?? index}`),
      source: cfg.name,
      domain: cfg.domain,
      origin: { file, line: r.line },
      prompt: got.prompt!,
      meta,
      ...(got.answer !== undefined ? { answer: got.answer.trim() } : {}),
      ...(tests !== undefined ? { tests } : {}),
      ...(language !== undefined ? { language } : {}),
      ...(got.entryPoint !== undefined ? { entryPoint: got.entryPoint } : {}),
      ...(got.reference !== undefined ? { reference: got.reference } : {}),
      ...(got.url !== undefined ? { url: got.url } : {}),
    });
  });
  return { source: cfg.name, file, rows: raw.length, problems, issues };
}
