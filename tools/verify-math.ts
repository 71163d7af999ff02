// `ace verify math --jsonl FILE [--out FILE] [--workers N] [--deadline-ms MS]`: one JSON
// verdict line per input line, in input order. Input lines are {"gold", "pred"} (a bare
// answer) or {"gold", "response"} (a full model response). A malformed line yields an
// `error` verdict naming the line and the field; the run goes on. Blank lines are skipped
// (as in `ace verify code`). Not a server (see the verifier actor).
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { MathVerifierPool, type MathVerdict } from '../ops/reward/math/pool.ts';
import { defineCommand, runCommand } from './command.ts';
import { checkLine, openJsonlInput, openJsonlOutput, text, whenObject } from './jsonl.ts';

const EXPECTED = 'an object with gold and pred or response';
const InputLine = z
  .object({ gold: text(), pred: text().optional(), response: text().optional() })
  .refine((l) => l.pred !== undefined || l.response !== undefined, { path: ['pred or response'], message: 'required', ...whenObject });

export const command = defineCommand({
  name: 'verify math',
  summary: 'score answers: one JSON verdict line per input line, in input order',
  description:
    'Input lines are {"gold", "pred"} (a bare answer) or {"gold", "response"} (a full model response).\n' +
    'A malformed line gets an `error` verdict whose reason names the line and the field (`line 3: gold: required`), and the run goes on.\n' +
    'Blank lines are skipped: no verdict (line numbers still count them).',
  flags: {
    jsonl: { schema: z.string().min(1), help: "input JSONL file ('-' for stdin)", value: 'FILE' },
    out: { schema: z.string().optional(), help: 'output file (default: stdout)', value: 'FILE' },
    workers: { schema: z.int().min(1).max(64).default(2), help: 'math worker threads (one core each)' },
    'deadline-ms': { schema: z.int().min(10).max(600_000).default(2000), help: 'hard deadline per answer, ms', value: 'MS' },
  },
  examples: ['ace verify math --jsonl answers.jsonl --out verdicts.jsonl'],
  run: (f) => verifyMathFile({ jsonl: f.jsonl, out: f.out, workers: f.workers, deadlineMs: f['deadline-ms'] }),
});

export const run = (argv: string[]) => runCommand(command, argv);

async function verifyMathFile(opts: { jsonl: string; out?: string; workers: number; deadlineMs: number }): Promise<number> {
  const input = openJsonlInput(opts.jsonl);
  const out = openJsonlOutput(opts.out);
  const pool = new MathVerifierPool({ workers: opts.workers, deadlineMs: opts.deadlineMs });
  const lines = createInterface({ input, crlfDelay: Infinity });
  // Verdicts are produced concurrently and written strictly in input order.
  const pending: Promise<MathVerdict>[] = [];
  let written = 0;
  const flush = async (upTo: number) => {
    while (written < upTo) {
      await out.write(`${JSON.stringify(await pending[written])}\n`);
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
    await out.close();
  }
  return 0;
}

async function verifyLine(pool: MathVerifierPool, line: string, lineNo: number): Promise<MathVerdict> {
  const checked = checkLine(InputLine, line, lineNo, EXPECTED);
  if (!checked.ok) return { kind: 'error', reward: null, rule: 'internal', gold: '', pred: '', reason: checked.reason, elapsedMs: 0 };
  return pool.verify(checked.value);
}
