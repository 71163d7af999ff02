// `ace eval --checkpoint PATH --suite math --k 8 [--json]`: avg@k and unbiased pass@k on the
// held-out split, sampling as the paper evaluates (temperature 0.6, top-p 0.95 by default).
import { loadCheckpoint } from '../ops/model/checkpoint.ts';
import { Generator } from '../ops/model/generator.ts';
import { evaluateMath, type MathEvalReport } from '../ops/recipe/evaluate.ts';
import { MathVerifierPool } from '../ops/reward/math/pool.ts';
import { generateMathTasks } from '../ops/tasks/math.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { JSON_FLAG } from './session.ts';

/** How a checkpoint is evaluated; the defaults are the paper's sampling (T 0.6, top-p 0.95). */
export const EvalRequest = z.strictObject({
  checkpoint: z.string().default('models/base'),
  /** Samples per problem. */
  k: z.int().min(1).max(1024).default(8),
  /** Held-out problems. */
  problems: z.int().min(1).max(100_000).default(200),
  /** Seed of the held-out draw and of the sampling. */
  seed: z.int().default(2024),
  temperature: z.number().min(0).max(10).default(0.6),
  topP: z.number().gt(0).max(1).default(0.95),
  maxNewTokens: z.int().min(1).max(65_536).default(96),
  threads: z.int().min(1).max(256).default(2),
});
export type EvalRequest = z.output<typeof EvalRequest>;
const E = EvalRequest.shape;

/** The evaluation flags, shared with `ace train` (which prefixes them with eval-). */
export const EVAL_FLAGS = {
  k: { schema: E.k, help: 'samples per problem (avg@k, pass@k)' },
  problems: { schema: E.problems, help: 'held-out problems' },
  seed: { schema: E.seed, help: 'seed of the held-out draw and of the sampling' },
} as const;

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

export const command = defineCommand({
  name: 'eval',
  summary: 'avg@k and unbiased pass@k of a checkpoint on the held-out split',
  description: 'Samples as the paper evaluates (temperature 0.6, top-p 0.95 by default); one line per level on stderr.',
  flags: {
    checkpoint: { schema: E.checkpoint, help: 'checkpoint directory (model.safetensors + config.json)', value: 'DIR' },
    suite: { schema: z.enum(['math']).default('math'), help: 'task suite' },
    ...EVAL_FLAGS,
    temperature: { schema: E.temperature, help: 'softmax temperature; 0 = greedy' },
    'top-p': { schema: E.topP, help: 'nucleus mass' },
    'max-new-tokens': { schema: E.maxNewTokens, help: 'response cap, tokens' },
    threads: { schema: E.threads, help: 'ORT threads' },
    ...JSON_FLAG,
  },
  examples: ['ace eval --checkpoint models/base', 'ace eval --checkpoint runs/default/checkpoints/step-00080 --k 16 --problems 500 --json'],
  async run(values) {
    const req: EvalRequest = {
      checkpoint: values.checkpoint,
      k: values.k,
      problems: values.problems,
      seed: values.seed,
      temperature: values.temperature,
      topP: values['top-p'],
      maxNewTokens: values['max-new-tokens'],
      threads: values.threads,
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
  },
});
