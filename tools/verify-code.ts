// `ace verify code --jsonl FILE [--out FILE]`: scores programs. Each input line has
// `language`, `code` (or a full `response`) and `tests`; one JSON line out per input, in
// order, with `reward`, `kind` and the verdict's details (an `id` field is echoed back).
// Not a dataset runner: the tests travel in each line.
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { CodeVerifierPool } from '../ops/reward/code/pool.ts';
import { CodeLimits, type CodeVerdict } from '../ops/reward/code/types.ts';
import { defineCommand, runCommand } from './command.ts';

export const command = defineCommand({
  name: 'verify code',
  summary: 'score programs: one JSON verdict line per input line, in input order',
  description: 'Each input line has `language`, `code` (or a full `response`) and `tests`; an `id` field is echoed back.',
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
    const pool = new CodeVerifierPool({ jsWorkers: args['js-workers'], pyWorkers: args['py-workers'], perTestMs: args['per-test-ms'], totalMs: args['total-ms'] });
    return verifyCodeFile(pool, args.jsonl, args.out);
  },
});

export const run = (argv: string[]) => runCommand(command, argv);

async function verifyCodeFile(pool: CodeVerifierPool, jsonl: string, outFile: string | undefined): Promise<number> {
  const args = { jsonl, out: outFile };
  const out: NodeJS.WritableStream = args.out ? createWriteStream(args.out) : process.stdout;
  const input = args.jsonl === '-' ? process.stdin : createReadStream(args.jsonl);
  // Bounded in flight; results are written in input order as they complete.
  const maxInFlight = 256;
  const pending: Promise<string>[] = [];
  let lines = 0;
  const counts: Record<string, number> = {};
  const flush = async (keep: number) => {
    while (pending.length > keep) {
      const line = await (pending.shift() as Promise<string>);
      if (!out.write(line + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  };
  try {
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      if (raw.trim() === '') continue;
      lines++;
      pending.push(verifyLine(pool, raw).then((o) => ((counts[o.kind] = (counts[o.kind] ?? 0) + 1), JSON.stringify(o))));
      await flush(maxInFlight);
    }
    await flush(0);
  } finally {
    await pool.close();
    if (out !== process.stdout) await new Promise<void>((r) => out.end(() => r()));
  }
  process.stderr.write(`verified ${lines} programs: ${JSON.stringify(counts)}\n`);
  return 0;
}

type OutLine = Partial<CodeVerdict> & { id?: unknown; kind: CodeVerdict['kind']; reward: CodeVerdict['reward'] };

async function verifyLine(pool: CodeVerifierPool, raw: string): Promise<OutLine> {
  let row: Record<string, unknown>;
  try {
    row = JSON.parse(raw) as Record<string, unknown>;
  } catch (e) {
    return { kind: 'error', reward: null, reason: `bad JSON line: ${(e as Error).message}` };
  }
  const v = await pool.verify({
    language: typeof row.language === 'string' ? row.language : undefined,
    code: typeof row.code === 'string' ? row.code : undefined,
    response: typeof row.response === 'string' ? row.response : undefined,
    tests: row.tests,
  });
  return 'id' in row ? { id: row.id, ...v } : v;
}
