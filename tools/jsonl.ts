// Input and output of the batch JSONL commands (`ace verify math`, `ace verify code`): files
// opened before any worker starts (a missing or unreadable one is a JsonlError with a HINT,
// exit 2), each line checked into an object or a reason that names the line and the field,
// and output write errors (a full disk) surfaced as a JsonlError, not an unhandled 'error'.
// Line numbers count every line of the file, blank ones included. Not a general JSONL library.
import { once } from 'node:events';
import { createReadStream, createWriteStream, fstatSync, openSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import { formatIssues } from '../contracts/issues.ts';
import { CodedError } from '../ops/errors.ts';

export class JsonlError extends CodedError<'INPUT_UNREADABLE' | 'OUTPUT_UNWRITABLE'> {}

const WHY: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOSPC: 'disk full',
  EROFS: 'read-only file system',
};
const why = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return WHY[code] ? `${WHY[code]} (${code})` : (e as Error).message;
};

/** The input file (or stdin for '-'), opened now. */
export function openJsonlInput(path: string, flag = '--jsonl'): Readable {
  if (path === '-') return process.stdin;
  try {
    const fd = openSync(path, 'r');
    if (fstatSync(fd).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return createReadStream(path, { fd });
  } catch (e) {
    throw new JsonlError('INPUT_UNREADABLE', `cannot read ${flag} ${path}: ${why(e)}\nHINT: pass a readable JSONL file (one JSON object per line); relative paths start at ${process.cwd()}`);
  }
}

export interface JsonlOutput {
  /** Resolves once the line is accepted (waits while the file is behind). */
  write(line: string): Promise<void>;
  close(): Promise<void>;
}

/** The output file (truncated now), or stdout when none is given. */
export function openJsonlOutput(path: string | undefined, flag = '--out'): JsonlOutput {
  let stream: Writable = process.stdout;
  if (path !== undefined) {
    try {
      stream = createWriteStream(path, { fd: openSync(path, 'w') });
    } catch (e) {
      throw new JsonlError('OUTPUT_UNWRITABLE', `cannot write ${flag} ${path}: ${why(e)}\nHINT: choose a file in a directory you can write to`);
    }
  }
  let failed: Error | null = null;
  stream.on('error', (e) => (failed ??= e));
  const check = () => {
    if (!failed) return;
    const full = (failed as NodeJS.ErrnoException).code === 'ENOSPC';
    throw new JsonlError('OUTPUT_UNWRITABLE', `cannot write ${flag} ${path ?? '(stdout)'}: ${why(failed)}\nHINT: ${full ? 'free space on that file system, or write elsewhere' : 'write elsewhere'}`);
  };
  return {
    async write(line) {
      check();
      // `once` rejects if the stream fails while we wait.
      if (!stream.write(line)) await once(stream, 'drain').catch(() => {});
      check();
    },
    async close() {
      // end's callback can see a failed last write before the 'error' listener does.
      if (stream !== process.stdout && !failed) await new Promise<void>((r) => stream.end((e?: Error | null) => ((failed ??= e ?? null), r())));
      check();
    },
  };
}

/** A checked input line, or why it is not one (`line N: field: message`) and the object it was, if one. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string; object?: Record<string, unknown> };

const kindOf = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'an array' : `a ${typeof x}`);
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A string field whose issues read `required` or `expected a string, got a number`. */
export const text = () => z.string({ error: (iss) => (iss.input === undefined ? 'required' : `expected a string, got ${kindOf(iss.input)}`) });

/** For a refinement across fields: runs even when a field failed (all issues at once), on objects only. */
export const whenObject = { when: (p: { value: unknown }) => isObject(p.value) };

/** Parses one line: JSON, then an object (`expected` says which), then `schema`. */
export function checkLine<S extends z.ZodType>(schema: S, line: string, lineNo: number, expected: string): Checked<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (e) {
    return { ok: false, reason: `line ${lineNo}: not JSON (${(e as Error).message})` };
  }
  if (!isObject(json)) return { ok: false, reason: `line ${lineNo}: expected ${expected}, got ${kindOf(json)}` };
  const r = schema.safeParse(json);
  return r.success ? { ok: true, value: r.data } : { ok: false, reason: `line ${lineNo}: ${formatIssues(r.error.issues).join('; ')}`, object: json };
}
