// `ace verify math --jsonl FILE [--out FILE] [--workers N] [--deadline-ms MS]`: one JSON
// verdict line per input line, in input order. Input lines are {"gold", "pred"} (a bare
// answer) or {"gold", "response"} (a full model response). A malformed line yields an
// `error` verdict for that line; the run goes on. Not a server (see the verifier actor).
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { MathVerifierPool, type MathVerdict } from './pool.ts';

const InputLine = z.union([
  z.object({ gold: z.string(), pred: z.string() }),
  z.object({ gold: z.string(), response: z.string() }),
]);

const USAGE = 'usage: ace verify math --jsonl FILE [--out FILE] [--workers N] [--deadline-ms MS]\n';

export async function run(argv: string[]): Promise<number> {
  const opts = parseArgs(argv);
  if (!opts) {
    process.stderr.write(USAGE);
    return 2;
  }
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

function parseArgs(argv: string[]): { jsonl: string; out?: string; workers: number; deadlineMs: number } | null {
  let jsonl: string | undefined;
  let out: string | undefined;
  let workers = 2;
  let deadlineMs = 2000;
  for (let k = 0; k < argv.length; k++) {
    const value = argv[k + 1];
    if (argv[k] === '--jsonl' && value) jsonl = value;
    else if (argv[k] === '--out' && value) out = value;
    else if (argv[k] === '--workers' && value && /^\d+$/.test(value)) workers = Number(value);
    else if (argv[k] === '--deadline-ms' && value && /^\d+$/.test(value)) deadlineMs = Number(value);
    else return null;
    k++;
  }
  return jsonl ? { jsonl, out, workers, deadlineMs } : null;
}
