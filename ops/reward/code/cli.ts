// `ace verify code --jsonl FILE [--out FILE]`: scores programs. Each input line has
// `language`, `code` (or a full `response`) and `tests`; one JSON line out per input, in
// order, with `reward`, `kind` and the verdict's details (an `id` field is echoed back).
// Not a dataset runner: the tests travel in each line.
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CodeVerifierPool } from './pool.ts';
import type { CodeVerdict } from './types.ts';

const USAGE = 'usage: ace verify code --jsonl FILE [--out FILE] [--js-workers N] [--py-workers N] [--per-test-ms MS] [--total-ms MS]\n';

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        jsonl: { type: 'string' },
        out: { type: 'string' },
        'js-workers': { type: 'string' },
        'py-workers': { type: 'string' },
        'per-test-ms': { type: 'string' },
        'total-ms': { type: 'string' },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!args.jsonl) {
    process.stderr.write(USAGE);
    return 2;
  }
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const pool = new CodeVerifierPool({
    jsWorkers: num(args['js-workers']),
    pyWorkers: num(args['py-workers']),
    ...(args['per-test-ms'] ? { perTestMs: num(args['per-test-ms']) } : {}),
    ...(args['total-ms'] ? { totalMs: num(args['total-ms']) } : {}),
  });
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
