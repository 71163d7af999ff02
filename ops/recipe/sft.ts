// Supervised warm-up of the base policy from scratch on teacher solutions of the synthetic
// math and code suites (a share of each step's sequences is code): our stand-in for the
// paper's distilled starting model. The token-level loss is
// the learner's policy-gradient loss with A = 1 (negative log-likelihood of the reply).
// Seeded end to end: the same config reproduces the same checkpoint on the same machine.
import { z } from 'zod';
import { AdamW } from '../model/adamw.ts';
import { type LlamaConfig, initParams, paramCount, parseLlamaConfig } from '../model/config.ts';
import { Learner } from '../model/learner.ts';
import { lrAt } from '../model/schedule.ts';
import { Rng } from '../rng.ts';
import { type CodeTask, generateCodeTasks } from '../tasks/code.ts';
import { generateMathTasks, type MathTask } from '../tasks/math.ts';
import { bytePromptFormat, type PromptFormat } from './template.ts';
import { tokenizerConfigIds } from '../model/tokenizer.ts';

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
  /** Distinct math training tasks drawn from the train split. Default 20000. */
  trainTasks: z.int().min(1).default(20_000),
  /** Share of each step's sequences that are code teacher traces (rounded). Default 0: math only. */
  codeFraction: z.number().min(0).max(1).default(0),
  /** Distinct code training tasks drawn from the code suite's train split. Default 8000. */
  codeTrainTasks: z.int().min(1).default(8000),
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
  /** Micro-batch shapes (rows, tokens): every math teacher example fits in 128 tokens, every code one in 256. */
  microBatch: z.int().min(1).default(16),
  seqLength: z.int().min(8).default(128),
  codeSeqLength: z.int().min(8).default(256),
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

/** One domain's teacher examples in a seeded order, reshuffled after each pass. */
class Epochs<T> {
  private cursor: number;
  constructor(
    private readonly pool: T[],
    private readonly order: Rng,
  ) {
    this.cursor = pool.length;
  }
  take(n: number): T[] {
    const out: T[] = [];
    while (out.length < n) {
      if (this.cursor >= this.pool.length) {
        this.order.shuffle(this.pool);
        this.cursor = 0;
      }
      out.push(this.pool[this.cursor++]);
    }
    return out;
  }
}

type Example = { tokens: Int32Array; responseStart: number };

/** The teacher examples of each step: `mathRows` math and `codeRows` code, each domain in its own seeded epochs. */
export class SftData {
  readonly mathRows: number;
  readonly codeRows: number;
  readonly mathPool: MathTask[];
  readonly codePool: CodeTask[];
  private readonly math: Epochs<MathTask>;
  private readonly code: Epochs<CodeTask>;

  /** `format` turns a teacher solution into tokens (default the embedded byte-level format). */
  constructor(
    cfg: SftConfig,
    rng: Rng,
    private readonly format: PromptFormat = bytePromptFormat,
  ) {
    this.codeRows = Math.round(cfg.batch * cfg.codeFraction);
    this.mathRows = cfg.batch - this.codeRows;
    this.mathPool = this.mathRows > 0 ? generateMathTasks({ seed: cfg.seed, split: 'train', count: cfg.trainTasks }) : [];
    this.math = new Epochs(this.mathPool, rng.fork());
    this.codePool = this.codeRows > 0 ? generateCodeTasks({ seed: cfg.seed, split: 'train', count: cfg.codeTrainTasks }) : [];
    this.code = new Epochs(this.codePool, rng.fork());
  }

  /** The next step's examples, math then code, each sorted by length when code is in the mix. */
  next(): { math: Example[]; code: Example[] } {
    const math = this.math.take(this.mathRows).map((t) => this.format.sftExample(t.question, t.solution));
    const code = this.code.take(this.codeRows).map((t) => this.format.sftExample(t.prompt, t.solution));
    if (this.codeRows > 0) for (const ex of [math, code]) ex.sort((a, b) => a.tokens.length - b.tokens.length);
    return { math, code };
  }
}

/**
 * SFT from a seeded initialisation. With a model's prompt format (its tokenizer and chat
 * template) the model's vocabulary and special ids are the tokenizer's (tokenizerConfigIds);
 * by default the embedded byte-level format and its 272-id vocabulary.
 */
export async function runSft(cfg: SftConfig, onStep?: SftHook, format: PromptFormat = bytePromptFormat): Promise<SftResult> {
  const config = parseLlamaConfig(format === bytePromptFormat ? cfg.model : { ...cfg.model, ...tokenizerConfigIds(format.tokenizer) });
  const rng = new Rng(cfg.seed);
  const params = initParams(config, rng.fork());
  const data = new SftData(cfg, rng, format);
  const { mathRows, codeRows } = data;
  // Math alone: the one shape of the math-only runs (their digests stay reproducible). With
  // code: shapes every 32 tokens from 96, and each domain's rows sorted by length, so a
  // micro-batch is padded to little more than its longest row.
  const lengths = codeRows === 0 ? [cfg.seqLength] : [...new Set([...Array.from({ length: 8 }, (_, i) => 96 + 32 * i).filter((n) => n < cfg.codeSeqLength), cfg.seqLength, cfg.codeSeqLength])].sort((a, b) => a - b);
  const buckets = lengths.map((length) => ({ batch: cfg.microBatch, length }));
  const learner = new Learner(config, params, { buckets, threads: cfg.threads });
  const optimizer = new AdamW({ weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm });
  const schedule = { peakLr: cfg.peakLr, warmupSteps: cfg.warmupSteps, kind: cfg.schedule, totalSteps: cfg.steps, minLrRatio: 0.1 };
  const history: SftProgress[] = [];
  process.stderr.write(
    `[sft] ${paramCount(config)} parameters, ${data.mathPool.length} math + ${data.codePool.length} code tasks, ${cfg.steps} steps x (${mathRows} math + ${codeRows} code) sequences\n`,
  );
  for (let step = 0; step < cfg.steps; step++) {
    const t0 = performance.now();
    // Each domain in its own micro-batches, so short math rows are not padded to code's length.
    const { math, code } = data.next();
    for (const ex of [math, code]) {
      for (let i = 0; i < ex.length; i += cfg.microBatch) {
        const mb = ex.slice(i, i + cfg.microBatch);
        await learner.accumulate({ tokens: mb.map((e) => e.tokens), responseStart: mb.map((e) => e.responseStart), advantages: mb.map(() => 1) });
      }
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
