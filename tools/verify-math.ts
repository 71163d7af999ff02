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
/**
 * A worker takes about half a second of one core to start (compute-engine's load dominates) and
 * then judges several hundred cases a second, so a further worker pays for itself only past a few
 * hundred cases: a short input gets one worker per this many lines, and no spare worker.
 */
export const CASES_PER_WORKER = 256;
/** How long the start waits for the first lines to size the pool (a slow stdin gets the full pool). */
const SIZING_WAIT_MS = 50;
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
    workers: { schema: z.int().min(1).max(64).default(2), help: `math worker threads (one core each); at most one per ${CASES_PER_WORKER} lines of a short input` },
    'deadline-ms': { schema: z.int().min(10).max(600_000).default(2000), help: 'hard deadline per answer, ms', value: 'MS' },
    'prose-fallback': { schema: z.boolean().default(false), help: 'for models that do not box: a response without </think> is all answer, and without a box its last "the answer is ..." or $...$ is the answer (never used for RL rewards; docs/math-verifier.md)' },
  },
  examples: ['ace verify math --jsonl answers.jsonl --out verdicts.jsonl'],
  run: (f) => verifyMathFile({ jsonl: f.jsonl, out: f.out, workers: f.workers, deadlineMs: f['deadline-ms'], proseFallback: f['prose-fallback'] }),
});

export const run = (argv: string[]) => runCommand(command, argv);

async function verifyMathFile(opts: { jsonl: string; out?: string; workers: number; deadlineMs: number; proseFallback: boolean }): Promise<number> {
  const input = openJsonlInput(opts.jsonl);
  const out = openJsonlOutput(opts.out);
  const lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let pool: MathVerifierPool | null = null;
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
    // The first lines size the pool: a one-line file starts one worker, not two and a spare;
    // an empty one none.
    const head = await readHead(lines, CASES_PER_WORKER * opts.workers, SIZING_WAIT_MS);
    if (head.done && head.nonBlank === 0) return 0;
    const workers = head.done ? Math.min(opts.workers, Math.ceil(head.nonBlank / CASES_PER_WORKER)) : opts.workers;
    const judge = new MathVerifierPool({ workers, deadlineMs: opts.deadlineMs, ...(head.done ? { spares: 0 } : {}) });
    pool = judge;
    let lineNo = 0;
    const take = async (line: string) => {
      lineNo++;
      if (line.trim() === '') return;
      pending.push(verifyLine(judge, line, lineNo, opts.proseFallback));
      if (pending.length - written >= 4 * workers + 16) await flush(written + 1);
    };
    for (const line of head.lines) await take(line);
    if (!head.done) for (let r = await (head.next ?? lines.next()); !r.done; r = await lines.next()) await take(r.value);
    await flush(pending.length);
  } finally {
    await lines.return?.(); // closes the input when a write failed midway
    await pool?.close();
    await out.close();
  }
  return 0;
}

type Head = { lines: string[]; nonBlank: number; done: boolean; next: Promise<IteratorResult<string>> | null };

/** Up to `max` non-blank lines, or all of them, or those that came within `waitMs`; `next` is a read still under way. */
async function readHead(lines: AsyncIterator<string>, max: number, waitMs: number): Promise<Head> {
  const head: Head = { lines: [], nonBlank: 0, done: false, next: null };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, waitMs, null)));
  try {
    while (head.nonBlank < max) {
      const next = lines.next();
      const r = await Promise.race([next, late]);
      if (r === null) {
        head.next = next;
        return head;
      }
      if (r.done) {
        head.done = true;
        return head;
      }
      head.lines.push(r.value);
      if (r.value.trim() !== '') head.nonBlank++;
    }
    return head;
  } finally {
    clearTimeout(timer);
  }
}

async function verifyLine(pool: MathVerifierPool, line: string, lineNo: number, proseFallback: boolean): Promise<MathVerdict> {
  const checked = checkLine(InputLine, line, lineNo, EXPECTED);
  if (!checked.ok) return { kind: 'error', reward: null, rule: 'internal', gold: '', pred: '', reason: checked.reason, elapsedMs: 0 };
  return pool.verify(proseFallback ? { ...checked.value, proseFallback: true } : checked.value);
}
