// `ace verify math --jsonl FILE [--out FILE] [--workers N] [--deadline-ms MS]`: one JSON
// verdict line per input line, in input order. Input lines are {"gold", "pred"} (a bare
// answer) or {"gold", "response"} (a full model response). A malformed line yields an
// `error` verdict for that line; the run goes on. Not a server (see the verifier actor).
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { MathVerifierPool, type MathVerdict } from '../ops/reward/math/pool.ts';
import { defineCommand, runCommand } from './command.ts';

const InputLine = z.union([
  z.object({ gold: z.string(), pred: z.string() }),
  z.object({ gold: z.string(), response: z.string() }),
]);

export const command = defineCommand({
  name: 'verify math',
  summary: 'score answers: one JSON verdict line per input line, in input order',
  description: 'Input lines are {"gold", "pred"} (a bare answer) or {"gold", "response"} (a full model response);\na malformed line gets an `error` verdict and the run goes on.',
  flags: {
    jsonl: { schema: z.string().min(1), help: 'input JSONL file', value: 'FILE' },
    out: { schema: z.string().optional(), help: 'output file (default: stdout)', value: 'FILE' },
    workers: { schema: z.int().min(1).max(64).default(2), help: 'math worker threads (one core each)' },
    'deadline-ms': { schema: z.int().min(10).max(600_000).default(2000), help: 'hard deadline per answer, ms', value: 'MS' },
  },
  examples: ['ace verify math --jsonl answers.jsonl --out verdicts.jsonl'],
  run: (f) => verifyMathFile({ jsonl: f.jsonl, out: f.out, workers: f.workers, deadlineMs: f['deadline-ms'] }),
});

export const run = (argv: string[]) => runCommand(command, argv);

async function verifyMathFile(opts: { jsonl: string; out?: string; workers: number; deadlineMs: number }): Promise<number> {
  const pool = new MathVerifierPool({ workers: opts.workers, deadlineMs: opts.deadlineMs });
  const out = opts.out ? createWriteStream(opts.out) : process.stdout;
  const lines = createInterface({ input: createReadStream(opts.jsonl), crlfDelay: Infinity });
  // Verdicts are produced concurrently and written strictly in input order.
  const pending: Promise<MathVerdict>[] = [];
  let written = 0;
  const flush = async (upTo: number) => {
    while (written < upTo) {
      out.write(`${JSON.stringify(await pending[written])}\n`);
      delete pending[written];
      written++;
    }
  };
  try {
    let lineNo = 0;
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      pending.push(verifyLine(pool, line, lineNo));
      if (pending.length - written >= 4 * opts.workers + 16) await flush(written + 1);
    }
    await flush(pending.length);
  } finally {
    await pool.close();
    if (out !== process.stdout) await new Promise<void>((r) => (out as NodeJS.WritableStream).end(r));
  }
  return 0;
}

async function verifyLine(pool: MathVerifierPool, line: string, lineNo: number): Promise<MathVerdict> {
  let parsed: z.infer<typeof InputLine>;
  try {
    parsed = InputLine.parse(JSON.parse(line));
  } catch (err) {
    const reason = err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message;
    return { kind: 'error', reward: null, rule: 'internal', gold: '', pred: '', reason: `line ${lineNo}: ${reason}`, elapsedMs: 0 };
  }
  return pool.verify(parsed);
}
