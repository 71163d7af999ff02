// `ace eval --checkpoint PATH --suite math --k 8 [--json]`: avg@k and unbiased pass@k on the
// held-out split, sampling as the paper evaluates (temperature 0.6, top-p 0.95 by default).
import { loadCheckpoint } from '../ops/model/checkpoint.ts';
import { Generator } from '../ops/model/generator.ts';
import { evaluateMath, type MathEvalReport } from '../ops/recipe/evaluate.ts';
import { MathVerifierPool } from '../ops/reward/math/pool.ts';
import { generateMathTasks } from '../ops/tasks/math.ts';
import { args, cli, CliError } from './session.ts';

export interface EvalRequest {
  checkpoint: string;
  k: number;
  problems: number;
  seed: number;
  temperature: number;
  topP: number;
  maxNewTokens: number;
  threads: number;
}

/** The held-out split used by `ace eval` and `ace train`: fixed by the seed. */
export function heldoutTasks(seed: number, problems: number) {
  return generateMathTasks({ seed, split: 'heldout', count: problems });
}

export async function evalCheckpoint(r: EvalRequest, onProgress?: (done: number, total: number) => void): Promise<MathEvalReport> {
  const ckpt = loadCheckpoint(r.checkpoint);
  const gen = await Generator.create(ckpt.config, ckpt.params, { threads: r.threads, maxBatch: 256, maxSeqLen: ckpt.config.max_position_embeddings });
  const verifier = new MathVerifierPool({ workers: 1, deadlineMs: 2000 });
  try {
    return await evaluateMath(gen, verifier, heldoutTasks(r.seed, r.problems), {
      k: r.k,
      temperature: r.temperature,
      topP: r.topP,
      maxNewTokens: r.maxNewTokens,
      seed: r.seed,
      onProgress,
    });
  } finally {
    await gen.dispose();
    await verifier.close();
  }
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export async function run(argv: string[]): Promise<number> {
  return cli(async () => {
    const { values } = args(argv, {
      checkpoint: { type: 'string', default: 'models/base' },
      suite: { type: 'string', default: 'math' },
      k: { type: 'string', default: '8' },
      problems: { type: 'string', default: '200' },
      seed: { type: 'string', default: '2024' },
      temperature: { type: 'string', default: '0.6' },
      'top-p': { type: 'string', default: '0.95' },
      'max-new-tokens': { type: 'string', default: '96' },
      threads: { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
    });
    if (values.suite !== 'math') throw new CliError('BAD_ARGS', `--suite: only 'math' is available, got '${values.suite}'`);
    const req: EvalRequest = {
      checkpoint: values.checkpoint!,
      k: Number(values.k),
      problems: Number(values.problems),
      seed: Number(values.seed),
      temperature: Number(values.temperature),
      topP: Number(values['top-p']),
      maxNewTokens: Number(values['max-new-tokens']),
      threads: Number(values.threads),
    };
    const report = await evalCheckpoint(req, (done, total) => process.stderr.write(`[eval] ${done}/${total} samples\n`));
    const { overall } = report;
    process.stderr.write(`[eval] ${req.checkpoint}: avg@${req.k} ${pct(overall.avgAtK)}  pass@${req.k} ${pct(overall.passAtK)}  (${overall.problems} problems)\n`);
    for (const [level, s] of Object.entries(report.byLevel)) process.stderr.write(`[eval]   level ${level}: avg@${req.k} ${pct(s.avgAtK)}  pass@${req.k} ${pct(s.passAtK)}\n`);
    const out = {
      checkpoint: req.checkpoint,
      suite: 'math',
      k: req.k,
      problems: overall.problems,
      avgAtK: overall.avgAtK,
      passAtK: overall.passAtK,
      byLevel: Object.fromEntries(Object.entries(report.byLevel).map(([l, s]) => [l, { avgAtK: s.avgAtK, passAtK: s.passAtK }])),
      meanResponseTokens: report.meanResponseTokens,
      truncatedFrac: report.truncatedFrac,
      sampling: { temperature: req.temperature, topP: req.topP, maxNewTokens: req.maxNewTokens, seed: req.seed },
    };
    if (values.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  });
}
