// The learner: one ONNX graph per bucketed (batch, length) shape computing the forward pass,
// the token-level policy-gradient loss, the mean-entropy metric and every parameter gradient,
// plus micro-batch gradient accumulation across a step. With A = 1 it is SFT.
// Not the optimizer (ops/model/adamw.ts applies the gradients to `params` in place) and not
// a scheduler: callers feed micro-batches and call takeGrads() once per step.
import { z } from 'zod';
import type { LlamaConfig } from './config.ts';
import { checkParams, paramShapes } from './config.ts';
import { buildForward, paramInputs } from './transformer.ts';
import { gradients } from '../tensor/autodiff.ts';
import { Graph } from '../tensor/graph.ts';
import { createSession, ort } from '../tensor/session.ts';
import { CodedError } from '../errors.ts';

export const LearnerOptions = z.strictObject({
  /** Micro-batch shapes, each (batch rows, sequence length in tokens); a micro-batch uses the smallest length >= its longest row (n tokens need n - 1), and shorter rows fill it. Default [{8,128},{4,256},{2,512}]. */
  buckets: z
    .array(z.strictObject({ batch: z.number().int().positive(), length: z.number().int().positive() }))
    .min(1)
    .default([
      { batch: 8, length: 128 },
      { batch: 4, length: 256 },
      { batch: 2, length: 512 },
    ]),
  /** ORT intra-op threads per session run (default 2). */
  threads: z.number().int().positive().default(2),
  /** Busy-wait of idle ORT threads (ops/tensor/session.ts); default true. */
  spinWait: z.boolean().default(true),
});
export type LearnerOptions = z.input<typeof LearnerOptions>;

export class LearnerError extends CodedError<'SEQUENCE_TOO_LONG' | 'BAD_BATCH' | 'BAD_BUCKET'> {}

/**
 * One micro-batch. tokens[i] is the full prompt+response id sequence. Response tokens are
 * positions >= responseStart[i] (>= 1), or those with responseMask[i][t] = 1 when a mask is
 * given (position 0 is never scored: it has no context). advantages[i] is A_i.
 */
export interface LearnerBatch {
  tokens: Int32Array[];
  responseStart?: number[];
  responseMask?: Uint8Array[];
  advantages: number[];
}

export interface AccumulateResult {
  /** -sum_i sum_t A_i log p(o_i,t) over this micro-batch's response tokens. */
  lossSum: number;
  /** Number of response tokens in this micro-batch. */
  tokenCount: number;
  /** Sum over response tokens of the policy's entropy at that position (nats). */
  entropySum: number;
  /** Per-sequence sums of log p over response tokens (for diagnostics, e.g. SFT NLL). */
  logpSums: number[];
}

export interface StepStats {
  tokenCount: number;
  /** Token-level loss of the step: lossSum / tokenCount. */
  loss: number;
  /** Mean token entropy over the step's response tokens (nats). */
  entropy: number;
  microBatches: number;
}

/** One batch's gradients (summed over its micro-batches, not yet normalized) and stats. */
export interface GradientPart {
  grads: Map<string, Float32Array> | null;
  microBatches: number;
  result: AccumulateResult;
}

interface Bucket {
  batch: number;
  length: number;
  /** Built on first use, then reused for every micro-batch of this shape. */
  session: Promise<ort.InferenceSession> | null;
}

export class Learner {
  readonly options: z.output<typeof LearnerOptions>;
  private readonly names: string[];
  private readonly buckets: Bucket[] = [];
  private accum: Map<string, Float32Array> | null = null;
  /** Gradient buffer sets free for reuse (see recycle()), and the scratch set of runMicroBatch. */
  private readonly pool: Map<string, Float32Array>[] = [];
  private scratch: Map<string, Float32Array> | null = null;
  private stats = { tokenCount: 0, lossSum: 0, entropySum: 0, microBatches: 0 };
  /** Stats of the last step closed by takeGrads(). */
  lastStep: StepStats | null = null;

  /**
   * `params` is kept by reference: the optimizer updates these arrays in place and the next
   * accumulate() sees the new weights (no graph rebuild).
   */
  constructor(
    readonly config: LlamaConfig,
    readonly params: Map<string, Float32Array>,
    options: LearnerOptions = {},
  ) {
    checkParams(config, params);
    this.options = LearnerOptions.parse(options);
    this.names = [...paramShapes(config).keys()];
    for (const b of this.options.buckets) {
      if (b.length > config.max_position_embeddings) {
        throw new LearnerError('BAD_BUCKET', `bucket length ${b.length} exceeds max_position_embeddings ${config.max_position_embeddings}`);
      }
    }
    const sorted = [...this.options.buckets].sort((a, b) => a.length - b.length);
    for (const b of sorted) this.buckets.push({ ...b, session: null });
  }

  /** Builds the learner graph for one (B, T) shape; exported for tests and the bench. */
  static buildGraph(config: LlamaConfig, B: number, T: number): Graph {
    const g = new Graph(`learner_${B}x${T}`);
    const p = paramInputs(g, config);
    const tokens = g.input('tokens', 'int64', [B, T]); // (B, T) inputs
    const targets = g.input('targets', 'int64', [B * T, 1]); // (B*T, 1) next tokens
    const weights = g.input('weights', 'float32', [B * T, 1]); // (B*T, 1) A_i on response targets, else 0
    const mask = g.input('mask', 'float32', [B * T, 1]); // (B*T, 1) 1 on response targets
    const { logits } = buildForward(g, config, p, tokens); // (B*T, V)
    const logp = g.logSoftmax(logits, -1); // (B*T, V)
    const tokenLogp = g.gatherElements(logp, targets, 1); // (B*T, 1)
    // loss = -sum A_i log p over response tokens; normalized by the step's token count outside.
    const lossSum = g.neg(g.sumAll(g.mul(tokenLogp, weights)));
    // Entropy H = -sum_v p log p per position; a metric only, so it is not differentiated.
    const ent = g.neg(g.reduceSum(g.mul(g.exp(logp), logp), [1], true)); // (B*T, 1)
    const entropySum = g.sumAll(g.mul(ent, mask));
    const names = [...p.keys()];
    const grads = gradients(g, lossSum, names.map((n) => p.get(n)!));
    g.output(lossSum, 'lossSum');
    g.output(entropySum, 'entropySum');
    g.output(g.mul(tokenLogp, mask), 'tokenLogp');
    grads.forEach((d, i) => g.output(d, `grad.${names[i]}`));
    return g;
  }

  private session(b: Bucket): Promise<ort.InferenceSession> {
    b.session ??= createSession(Learner.buildGraph(this.config, b.batch, b.length), { intraOpNumThreads: this.options.threads, spinWait: this.options.spinWait });
    return b.session;
  }

  /** Builds every bucket's session now (otherwise each is built on first use). */
  async warmup(): Promise<void> {
    await Promise.all(this.buckets.map((b) => this.session(b)));
  }

  private responseMask(batch: LearnerBatch, i: number): Uint8Array {
    const toks = batch.tokens[i];
    if (batch.responseMask) {
      const m = batch.responseMask[i];
      if (!m || m.length !== toks.length) throw new LearnerError('BAD_BATCH', `responseMask[${i}] length ${m?.length} != tokens length ${toks.length}`);
      return m;
    }
    const start = batch.responseStart?.[i];
    if (start === undefined || start < 1 || start > toks.length) {
      throw new LearnerError('BAD_BATCH', `responseStart[${i}] = ${start} must be in [1, ${toks.length}]`);
    }
    const m = new Uint8Array(toks.length);
    m.fill(1, start);
    return m;
  }

  /** Forward + backward over the batch (split into bucketed micro-batches); gradients are summed into the step. */
  async accumulate(batch: LearnerBatch): Promise<AccumulateResult> {
    const part = await this.gradientsOf(batch);
    this.addGradients(part);
    return part.result;
  }

  /**
   * The batch's summed gradients (unnormalized) and stats, without touching the step: with
   * addGradients, a caller can compute parts as they arrive and add them in a fixed order,
   * which makes the step's sum independent of arrival order (float addition is not
   * associative).
   */
  async gradientsOf(batch: LearnerBatch): Promise<GradientPart> {
    const n = batch.tokens.length;
    if (batch.advantages.length !== n) throw new LearnerError('BAD_BATCH', `${batch.advantages.length} advantages for ${n} sequences`);
    const maxLen = this.buckets[this.buckets.length - 1].length;
    // Each row's class: the smallest bucket that fits it. Rows go longest class first (input
    // order within a class); a micro-batch takes the bucket of its first row and as many of
    // the following rows as that bucket holds, so shorter rows fill a longer micro-batch
    // instead of opening a mostly empty one. With one bucket this is plain input order.
    const cls = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const need = batch.tokens[i].length - 1;
      if (need < 1) throw new LearnerError('BAD_BATCH', `sequence ${i} has ${batch.tokens[i].length} tokens; need >= 2`);
      cls[i] = this.buckets.findIndex((bk) => bk.length >= need);
      if (cls[i] < 0) throw new LearnerError('SEQUENCE_TOO_LONG', `sequence ${i} needs length ${need} > largest bucket ${maxLen}`);
    }
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => cls[b] - cls[a] || a - b);
    const part: GradientPart = { grads: null, microBatches: 0, result: { lossSum: 0, tokenCount: 0, entropySum: 0, logpSums: new Array<number>(n).fill(0) } };
    for (let s = 0; s < n; ) {
      const b = this.buckets[cls[order[s]]];
      await this.runMicroBatch(b, batch, order.slice(s, s + b.batch), part);
      s += b.batch;
    }
    return part;
  }

  /** Adds a part from gradientsOf into the step (its arrays may be taken over: do not reuse it). */
  addGradients(part: GradientPart): void {
    if (part.grads) {
      if (!this.accum) this.accum = part.grads;
      else {
        for (const name of this.names) {
          const acc = this.accum.get(name)!;
          const d = part.grads.get(name)!;
          for (let k = 0; k < acc.length; k++) acc[k] += d[k];
        }
        this.pool.push(part.grads);
      }
      part.grads = null;
    }
    this.stats.tokenCount += part.result.tokenCount;
    this.stats.lossSum += part.result.lossSum;
    this.stats.entropySum += part.result.entropySum;
    this.stats.microBatches += part.microBatches;
  }

  private async runMicroBatch(b: Bucket, batch: LearnerBatch, rows: number[], part: GradientPart): Promise<void> {
    const res = part.result;
    const { batch: B, length: T } = b;
    const pad = BigInt(this.config.pad_token_id);
    const tokens = new BigInt64Array(B * T).fill(pad);
    const targets = new BigInt64Array(B * T).fill(pad);
    const weights = new Float32Array(B * T);
    const mask = new Float32Array(B * T);
    let count = 0;
    rows.forEach((i, r) => {
      const toks = batch.tokens[i];
      const m = this.responseMask(batch, i);
      const a = batch.advantages[i];
      // Row position t reads token t and predicts token t+1 (scored when t+1 is a response token).
      for (let t = 0; t < toks.length - 1; t++) {
        tokens[r * T + t] = BigInt(toks[t]);
        targets[r * T + t] = BigInt(toks[t + 1]);
        if (m[t + 1]) {
          weights[r * T + t] = a;
          mask[r * T + t] = 1;
          count++;
        }
      }
    });
    const feeds: Record<string, ort.Tensor> = {
      tokens: new ort.Tensor('int64', tokens, [B, T]),
      targets: new ort.Tensor('int64', targets, [B * T, 1]),
      weights: new ort.Tensor('float32', weights, [B * T, 1]),
      mask: new ort.Tensor('float32', mask, [B * T, 1]),
    };
    const shapes = paramShapes(this.config);
    for (const name of this.names) feeds[name] = new ort.Tensor('float32', this.params.get(name)!, shapes.get(name)!);
    // Gradients go straight into pooled buffers (ORT writes pre-allocated outputs), so a step
    // does not fault in fresh memory for every micro-batch: the first micro-batch of a part
    // writes the part's own buffers, later ones a scratch set that is then added in.
    const target = part.grads ? (this.scratch ??= this.takeBuffers()) : this.takeBuffers();
    const fetches: Record<string, ort.Tensor | null> = { lossSum: null, entropySum: null, tokenLogp: null };
    for (const name of this.names) fetches[`grad.${name}`] = new ort.Tensor('float32', target.get(name)!, shapes.get(name)!);
    const out = (await (await this.session(b)).run(feeds, fetches)) as Record<string, ort.Tensor>;
    res.lossSum += (out.lossSum.data as Float32Array)[0];
    res.entropySum += (out.entropySum.data as Float32Array)[0];
    res.tokenCount += count;
    const tl = out.tokenLogp.data as Float32Array;
    rows.forEach((i, r) => {
      let s = 0;
      for (let t = 0; t < T; t++) s += tl[r * T + t];
      res.logpSums[i] += s;
    });
    if (!part.grads) part.grads = target;
    else {
      for (const name of this.names) {
        const acc = part.grads.get(name)!;
        const d = target.get(name)!;
        for (let k = 0; k < acc.length; k++) acc[k] += d[k];
      }
    }
    part.microBatches++;
  }

  private takeBuffers(): Map<string, Float32Array> {
    const free = this.pool.pop();
    if (free) return free;
    const shapes = paramShapes(this.config);
    return new Map(this.names.map((name) => [name, new Float32Array(shapes.get(name)!.reduce((a, b) => a * b, 1))]));
  }

  /** Hands gradients from takeGrads() back for reuse once the optimizer is done with them. */
  recycle(grads: Map<string, Float32Array>): void {
    if (this.names.every((name) => grads.get(name)?.length === this.params.get(name)!.length)) this.pool.push(grads);
  }

  /**
   * Closes the step: returns d loss / d param for the token-level loss
   * -(1 / sum of response tokens in the step) * sum_i sum_t A_i log p(o_i,t), i.e. the summed
   * micro-batch gradients divided by the step's token count (zeros when it is 0), and resets.
   */
  takeGrads(): Map<string, Float32Array> {
    const { tokenCount, lossSum, entropySum, microBatches } = this.stats;
    const scale = tokenCount > 0 ? 1 / tokenCount : 0;
    const out = new Map<string, Float32Array>();
    const shapes = paramShapes(this.config);
    for (const name of this.names) {
      // The accumulators are handed out (scaled in place); a fresh step starts new ones.
      const acc = this.accum?.get(name) ?? new Float32Array(shapes.get(name)!.reduce((p, q) => p * q, 1));
      for (let k = 0; k < acc.length; k++) acc[k] *= scale;
      out.set(name, acc);
    }
    this.lastStep = { tokenCount, loss: lossSum * scale, entropy: entropySum * scale, microBatches };
    this.accum = null;
    this.stats = { tokenCount: 0, lossSum: 0, entropySum: 0, microBatches: 0 };
    return out;
  }

  /** Releases the ORT sessions. */
  async close(): Promise<void> {
    for (const b of this.buckets) if (b.session) await (await b.session).release();
  }
}
