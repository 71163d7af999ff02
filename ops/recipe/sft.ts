// Supervised warm-up of the base policy from scratch on teacher solutions of the synthetic
// math suite: our stand-in for the paper's distilled starting model. The token-level loss is
// the learner's policy-gradient loss with A = 1 (negative log-likelihood of the reply).
// Seeded end to end: the same config reproduces the same checkpoint on the same machine.
import { z } from 'zod';
import { AdamW } from '../model/adamw.ts';
import { type LlamaConfig, initParams, paramCount, parseLlamaConfig } from '../model/config.ts';
import { Learner } from '../model/learner.ts';
import { lrAt } from '../model/schedule.ts';
import { Rng } from '../rng.ts';
import { generateMathTasks, type MathTask } from '../tasks/math.ts';
import { sftExample } from './template.ts';

export const SftConfig = z.strictObject({
  /** The one seed: data order, initialization. Default 1234. */
  seed: z.int().default(1234),
  /** Model shape (LlamaConfig fields); the rest takes LlamaConfig defaults. */
  model: z
    .strictObject({
      hidden_size: z.int().positive().default(256),
      intermediate_size: z.int().positive().default(768),
      num_hidden_layers: z.int().positive().default(4),
      num_attention_heads: z.int().positive().default(4),
      num_key_value_heads: z.int().positive().default(4),
      max_position_embeddings: z.int().positive().default(256),
    })
    .default({ hidden_size: 256, intermediate_size: 768, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 4, max_position_embeddings: 256 }),
  /** Optimizer steps. Default 500. */
  steps: z.int().min(1).default(500),
  /** Sequences per optimizer step. Default 64. */
  batch: z.int().min(1).default(64),
  /** Distinct training tasks drawn from the train split. Default 20000. */
  trainTasks: z.int().min(1).default(20_000),
  /** Peak learning rate after linear warmup. Default 2e-3. */
  peakLr: z.number().positive().default(2e-3),
  /**
   * After warmup: constant (default), so the checkpoint after N steps of a longer run is the
   * checkpoint of a run with steps = N; or cosine decay to 10% at `steps`.
   */
  schedule: z.enum(['constant', 'cosine']).default('constant'),
  warmupSteps: z.int().min(0).default(30),
  weightDecay: z.number().min(0).default(0.01),
  maxGradNorm: z.number().min(0).default(1),
  /** Micro-batch shape (rows, tokens); every teacher example fits in 128 tokens. */
  microBatch: z.int().min(1).default(16),
  seqLength: z.int().min(8).default(128),
  threads: z.int().min(1).default(2),
});
export type SftConfig = z.infer<typeof SftConfig>;

export interface SftProgress {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  responseTokensPerSec: number;
}

export interface SftResult {
  config: LlamaConfig;
  params: Map<string, Float32Array>;
  optimizer: AdamW;
  history: SftProgress[];
}

export type SftHook = (p: SftProgress, params: Map<string, Float32Array>, config: LlamaConfig) => void | Promise<void>;

export async function runSft(cfg: SftConfig, onStep?: SftHook): Promise<SftResult> {
  const config = parseLlamaConfig(cfg.model);
  const rng = new Rng(cfg.seed);
  const params = initParams(config, rng.fork());
  const pool: MathTask[] = generateMathTasks({ seed: cfg.seed, split: 'train', count: cfg.trainTasks });
  const learner = new Learner(config, params, { buckets: [{ batch: cfg.microBatch, length: cfg.seqLength }], threads: cfg.threads });
  const optimizer = new AdamW({ weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm });
  const schedule = { peakLr: cfg.peakLr, warmupSteps: cfg.warmupSteps, kind: cfg.schedule, totalSteps: cfg.steps, minLrRatio: 0.1 };
  const order = rng.fork();
  let cursor = pool.length;
  const history: SftProgress[] = [];
  process.stderr.write(`[sft] ${paramCount(config)} parameters, ${pool.length} tasks, ${cfg.steps} steps x ${cfg.batch} sequences\n`);
  for (let step = 0; step < cfg.steps; step++) {
    const t0 = performance.now();
    const batch: MathTask[] = [];
    while (batch.length < cfg.batch) {
      if (cursor >= pool.length) {
        order.shuffle(pool);
        cursor = 0;
      }
      batch.push(pool[cursor++]);
    }
    for (let i = 0; i < batch.length; i += cfg.microBatch) {
      const ex = batch.slice(i, i + cfg.microBatch).map((t) => sftExample(t.question, t.solution));
      await learner.accumulate({ tokens: ex.map((e) => e.tokens), responseStart: ex.map((e) => e.responseStart), advantages: ex.map(() => 1) });
    }
    const grads = learner.takeGrads();
    const stats = learner.lastStep!;
    const lr = lrAt(schedule, step);
    const report = optimizer.step(params, grads, lr);
    learner.recycle(grads);
    const p: SftProgress = { step, loss: stats.loss, lr, gradNorm: report.gradNorm, responseTokensPerSec: stats.tokenCount / ((performance.now() - t0) / 1000) };
    history.push(p);
    await onStep?.(p, params, config);
  }
  return { config, params, optimizer, history };
}
