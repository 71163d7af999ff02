// `ace verify code --jsonl FILE [--out FILE]`: scores programs. Each input line has
// `language`, `code` (or a full `response`) and `tests`; one JSON line out per input, in
// order, with `reward`, `kind` and the verdict's details (an `id` field is echoed back). A
// malformed line gets an `error` verdict naming the line and the field; blank lines are
// skipped (as in `ace verify math`). Not a dataset runner: the tests travel in each line.
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { CodeVerifierPool } from '../ops/reward/code/pool.ts';
import { CodeLimits, type CodeVerdict } from '../ops/reward/code/types.ts';
import { defineCommand, runCommand } from './command.ts';
import { checkLine, type JsonlOutput, openJsonlInput, openJsonlOutput, text, whenObject } from './jsonl.ts';

const EXPECTED = 'an object with tests and code or response';
/** The line's shape; the pool checks `tests` itself (CodeTests) and the language's name. */
const InputLine = z
  .object({ id: z.unknown().optional(), language: text().optional(), code: text().optional(), response: text().optional(), tests: z.unknown().optional() })
  .refine((l) => l.tests !== undefined, { path: ['tests'], message: 'required', ...whenObject })
  .refine((l) => l.code !== undefined || l.response !== undefined, { path: ['code or response'], message: 'required', ...whenObject });

export const command = defineCommand({
  name: 'verify code',
  summary: 'score programs: one JSON verdict line per input line, in input order',
  description:
    'Each input line has `language`, `code` (or a full `response`) and `tests`; an `id` field is echoed back.\n' +
    'A malformed line gets an `error` verdict whose reason names the line and the field (`line 3: tests: required`), and the run goes on.\n' +
    'Blank lines are skipped: no verdict (line numbers still count them).',
  flags: {
    jsonl: { schema: z.string().min(1), help: "input JSONL file ('-' for stdin)", value: 'FILE' },
    out: { schema: z.string().optional(), help: 'output file (default: stdout)', value: 'FILE' },
    'js-workers': { schema: z.int().min(1).max(64).optional(), help: 'JavaScript worker processes (default: one per core)' },
    'py-workers': { schema: z.int().min(1).max(64).optional(), help: 'Python sandboxes (default: one per core)' },
    'per-test-ms': { schema: CodeLimits.shape.perTestMs, help: 'time limit per test case, ms', value: 'MS' },
    'total-ms': { schema: CodeLimits.shape.totalMs, help: 'time limit per program over all its tests, ms', value: 'MS' },
  },
  examples: ['ace verify code --jsonl programs.jsonl --js-workers 2 --out verdicts.jsonl'],
  async run(args) {
    const input = openJsonlInput(args.jsonl);
    const out = openJsonlOutput(args.out);
    const pool = new CodeVerifierPool({ jsWorkers: args['js-workers'], pyWorkers: args['py-workers'], perTestMs: args['per-test-ms'], totalMs: args['total-ms'] });
    return verifyCodeFile(pool, input, out);
  },
});

export const run = (argv: string[]) => runCommand(command, argv);

async function verifyCodeFile(pool: CodeVerifierPool, input: Readable, out: JsonlOutput): Promise<number> {
  // Bounded in flight; results are written in input order as they complete.
  const maxInFlight = 256;
  const pending: Promise<string>[] = [];
  let lines = 0;
  const counts: Record<string, number> = {};
  const flush = async (keep: number) => {
    while (pending.length > keep) {
      await out.write(`${await (pending.shift() as Promise<string>)}\n`);
    }
  };
  try {
    let lineNo = 0;
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++;
      if (raw.trim() === '') continue;
      lines++;
      pending.push(verifyLine(pool, raw, lineNo).then((o) => ((counts[o.kind] = (counts[o.kind] ?? 0) + 1), JSON.stringify(o))));
      await flush(maxInFlight);
    }
    await flush(0);
  } finally {
    await pool.close();
    await out.close();
  }
  process.stderr.write(`verified ${lines} programs: ${JSON.stringify(counts)}\n`);
  return 0;
}

type OutLine = Partial<CodeVerdict> & { id?: unknown; kind: CodeVerdict['kind']; reward: CodeVerdict['reward'] };

async function verifyLine(pool: CodeVerifierPool, raw: string, lineNo: number): Promise<OutLine> {
  const checked = checkLine(InputLine, raw, lineNo, EXPECTED);
  if (!checked.ok) {
    const id = checked.object?.id;
    return { ...(id !== undefined ? { id } : {}), kind: 'error', reward: null, reason: checked.reason };
  }
  const { id, ...input } = checked.value;
  const v = await pool.verify({ ...input, tests: input.tests });
  // The pool's own input errors (e.g. `tests.cases: ...`) name the field; add the line.
  const verdict = v.kind === 'error' && v.reason ? { ...v, reason: `line ${lineNo}: ${v.reason}` } : v;
  return id !== undefined ? { id, ...verdict } : verdict;
}
