// The learner: one ONNX graph per bucketed (batch, length) shape computing the forward pass,
// the token-level policy-gradient loss, the mean-entropy metric and every parameter gradient,
// plus micro-batch gradient accumulation across a step. With A = 1 it is SFT.
// Not the optimizer (ops/model/adamw.ts applies the gradients to `params` in place) and not
// a scheduler: callers feed micro-batches and call takeGrads() once per step.
import { z } from 'zod';
import type { LlamaConfig } from './config.ts';
import { checkParams, paramShapes } from './config.ts';
import { causalBiasData, MASK_NEG } from './layers.ts';
import { buildForward, buildForwardShared, paramInputs } from './transformer.ts';
import { gradients } from '../tensor/autodiff.ts';
import { Graph, type Value } from '../tensor/graph.ts';
import { ExecutionProvider, createSession, ort } from '../tensor/session.ts';
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
  /** ORT execution provider (default cpu); cuda is checked when the first session is built: warmup() (ops/tensor/session.ts). */
  executionProvider: ExecutionProvider.default('cpu'),
  /** ORT's CPU memory arena (default true); false lowers the peak of large models (ops/tensor/session.ts). */
  cpuMemArena: z.boolean().default(true),
  /**
   * Prompt sharing: when > 0, a batch whose rows all start with the same prompt of at most
   * this many tokens + 1 (a GRPO group; same responseStart, no responseMask) computes the
   * prompt once per micro-batch, every row attending to its keys and values, instead of once
   * per row (buildForwardShared). The bucket length then bounds the response (+1). 0 = off.
   */
  sharedPrefix: z.number().int().min(0).default(0),
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

interface MicroBatchFeeds {
  feeds: Record<string, ort.Tensor>;
  /** Scored (response) tokens in the micro-batch. */
  count: number;
}

interface Bucket {
  batch: number;
  length: number;
  /**
   * Sessions of this shape by graph (flat or prompt-sharing) and thread count, each built on
   * first use and then reused for every micro-batch of this shape.
   */
  sessions: Map<string, Promise<ort.InferenceSession>>;
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
    for (const b of sorted) this.buckets.push({ ...b, sessions: new Map() });
  }

  /** Builds the learner graph for one (B, T) shape; exported for tests and the bench. */
  static buildGraph(config: LlamaConfig, B: number, T: number): Graph {
    const g = new Graph(`learner_${B}x${T}`);
    const p = paramInputs(g, config);
    const tokens = g.input('tokens', 'int64', [B, T]); // (B, T) inputs
    const { logits } = buildForward(g, config, p, tokens); // (B*T, V)
    return Learner.lossAndGradients(g, p, logits, B * T);
  }

  /**
   * The prompt-sharing learner graph: R rows continuing one P-slot prefix, T slots each
   * (inputs ids, positions, rowBias as in buildForwardShared; targets, weights and mask
   * cover the rows' R*T slots only).
   */
  static buildSharedGraph(config: LlamaConfig, R: number, P: number, T: number): Graph {
    const g = new Graph(`learner_shared_${P}+${R}x${T}`);
    const p = paramInputs(g, config);
    const N = P + R * T;
    const ids = g.input('ids', 'int64', [N]);
    const positions = g.input('positions', 'int64', [N, 1]);
    const rowBias = g.input('rowBias', 'float32', [T, P + T]);
    const { logits } = buildForwardShared(g, config, p, { ids, positions, rowBias }, { prefix: P, rows: R, length: T });
    return Learner.lossAndGradients(g, p, logits, R * T);
  }

  /** Loss, entropy and per-token log p over `rows` scored slots of `logits`, and every parameter gradient. */
  private static lossAndGradients(g: Graph, p: Map<string, Value>, logits: Value, rows: number): Graph {
    const targets = g.input('targets', 'int64', [rows, 1]); // next tokens
    const weights = g.input('weights', 'float32', [rows, 1]); // A_i on response targets, else 0
    const mask = g.input('mask', 'float32', [rows, 1]); // 1 on response targets
    const logp = g.logSoftmax(logits, -1); // (rows, V)
    const tokenLogp = g.gatherElements(logp, targets, 1); // (rows, 1)
    // loss = -sum A_i log p over response tokens; normalized by the step's token count outside.
    const lossSum = g.neg(g.sumAll(g.mul(tokenLogp, weights)));
    // Entropy H = -sum_v p log p per position; a metric only, so it is not differentiated.
    const ent = g.neg(g.reduceSum(g.mul(g.exp(logp), logp), [1], true)); // (rows, 1)
    const entropySum = g.sumAll(g.mul(ent, mask));
    const names = [...p.keys()];
    const grads = gradients(g, lossSum, names.map((n) => p.get(n)!));
    g.output(lossSum, 'lossSum');
    g.output(entropySum, 'entropySum');
    g.output(g.mul(tokenLogp, mask), 'tokenLogp');
    grads.forEach((d, i) => g.output(d, `grad.${names[i]}`));
    return g;
  }

  private session(b: Bucket, shared: boolean, threads: number): Promise<ort.InferenceSession> {
    const key = `${shared ? 'shared' : 'flat'}:${threads}`;
    let s = b.sessions.get(key);
    if (!s) {
      const graph = shared ? Learner.buildSharedGraph(this.config, b.batch, this.options.sharedPrefix, b.length) : Learner.buildGraph(this.config, b.batch, b.length);
      s = createSession(graph, { intraOpNumThreads: threads, spinWait: this.options.spinWait, executionProvider: this.options.executionProvider, cpuMemArena: this.options.cpuMemArena });
      b.sessions.set(key, s);
    }
    return s;
  }

  /**
   * Builds every bucket's session now for each thread count (default: options.threads), the
   * prompt-sharing ones when sharedPrefix > 0; otherwise each is built on first use.
   */
  async warmup(threads: readonly number[] = [this.options.threads]): Promise<void> {
    await Promise.all(this.buckets.flatMap((b) => threads.map((n) => this.session(b, this.options.sharedPrefix > 0, n))));
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
   * associative). `threads` picks the ORT width for this batch (default options.threads);
   * the kernels split work so that every width gives the same bits (test).
   */
  async gradientsOf(batch: LearnerBatch, opts: { threads?: number } = {}): Promise<GradientPart> {
    const threads = opts.threads ?? this.options.threads;
    const n = batch.tokens.length;
    if (batch.advantages.length !== n) throw new LearnerError('BAD_BATCH', `${batch.advantages.length} advantages for ${n} sequences`);
    const maxLen = this.buckets[this.buckets.length - 1].length;
    const prefix = this.sharedPrompt(batch);
    // Each row's class: the smallest bucket that fits it. Rows go longest class first (input
    // order within a class); a micro-batch takes the bucket of its first row and as many of
    // the following rows as that bucket holds, so shorter rows fill a longer micro-batch
    // instead of opening a mostly empty one. With one bucket this is plain input order.
    // Sharing a prompt of p + 1 tokens, a row needs one slot per response token (the first
    // reads the prompt's last token); a row without response tokens has nothing to score.
    const cls = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const need = prefix ? batch.tokens[i].length - prefix.length - 1 : batch.tokens[i].length - 1;
      if (batch.tokens[i].length < 2) throw new LearnerError('BAD_BATCH', `sequence ${i} has ${batch.tokens[i].length} tokens; need >= 2`);
      if (prefix && batch.tokens[i].length - 1 > this.config.max_position_embeddings) {
        throw new LearnerError('SEQUENCE_TOO_LONG', `sequence ${i} has ${batch.tokens[i].length} tokens, past the context (${this.config.max_position_embeddings} positions)`);
      }
      cls[i] = prefix && need === 0 ? -1 : this.buckets.findIndex((bk) => bk.length >= need);
      if (cls[i] < 0 && !(prefix && need === 0)) throw new LearnerError('SEQUENCE_TOO_LONG', `sequence ${i} needs length ${need} > largest bucket ${maxLen}`);
    }
    const order = Array.from({ length: n }, (_, i) => i)
      .filter((i) => cls[i] >= 0)
      .sort((a, b) => cls[b] - cls[a] || a - b);
    const part: GradientPart = { grads: null, microBatches: 0, result: { lossSum: 0, tokenCount: 0, entropySum: 0, logpSums: new Array<number>(n).fill(0) } };
    for (let s = 0; s < order.length; ) {
      const b = this.buckets[cls[order[s]]];
      const rows = order.slice(s, s + b.batch);
      const feeds = prefix ? this.sharedFeeds(b, batch, rows, prefix) : this.flatFeeds(b, batch, rows);
      await this.runMicroBatch(b, feeds, rows, part, await this.session(b, prefix !== null, threads));
      s += b.batch;
    }
    return part;
  }

  /**
   * The prompt shared by every row of the batch minus its last token (the prefix computed
   * once), or null when prompt sharing is off or does not apply.
   */
  private sharedPrompt(batch: LearnerBatch): Int32Array | null {
    const P = this.options.sharedPrefix;
    const starts = batch.responseStart;
    if (P === 0 || batch.responseMask || !starts || batch.tokens.length < 2) return null;
    const s = starts[0];
    if (s < 1 || s - 1 > P || starts.some((x) => x !== s)) return null;
    const first = batch.tokens[0];
    for (const row of batch.tokens) {
      if (row.length < s) return null;
      for (let t = 0; t < s; t++) if (row[t] !== first[t]) return null;
    }
    return first.subarray(0, s - 1);
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

  /** Feeds of the flat graph: every row's whole sequence, row position t reading token t and predicting token t+1. */
  private flatFeeds(b: Bucket, batch: LearnerBatch, rows: number[]): MicroBatchFeeds {
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
      // Scored when token t+1 is a response token.
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
    return { feeds: { tokens: new ort.Tensor('int64', tokens, [B, T]), ...this.scoreFeeds(targets, weights, mask) }, count };
  }

  /**
   * Feeds of the prompt-sharing graph: the prefix (the prompt but its last token, p tokens,
   * padded to P slots), then per row the slots t = 0.. reading the prompt's last token and
   * the response, each predicting the next response token (all scored).
   */
  private sharedFeeds(b: Bucket, batch: LearnerBatch, rows: number[], prefix: Int32Array): MicroBatchFeeds {
    const { batch: R, length: T } = b;
    const P = this.options.sharedPrefix;
    const p = prefix.length;
    const N = P + R * T;
    const last = this.config.max_position_embeddings - 1;
    const pad = BigInt(this.config.pad_token_id);
    const ids = new BigInt64Array(N).fill(pad);
    const positions = new BigInt64Array(N);
    for (let j = 0; j < P; j++) {
      if (j < p) ids[j] = BigInt(prefix[j]);
      positions[j] = BigInt(Math.min(j, last));
    }
    const targets = new BigInt64Array(R * T).fill(pad);
    const weights = new Float32Array(R * T);
    const mask = new Float32Array(R * T);
    let count = 0;
    for (let r = 0; r < R; r++) for (let t = 0; t < T; t++) positions[P + r * T + t] = BigInt(Math.min(p + t, last));
    rows.forEach((i, r) => {
      const toks = batch.tokens[i];
      const a = batch.advantages[i];
      for (let t = 0; t + p + 1 < toks.length; t++) {
        ids[P + r * T + t] = BigInt(toks[p + t]);
        targets[r * T + t] = BigInt(toks[p + t + 1]);
        weights[r * T + t] = a;
        mask[r * T + t] = 1;
        count++;
      }
    });
    // A row query at slot t sees the p real prefix slots and its own slots 0..t.
    const rowBias = new Float32Array(T * (P + T));
    const causal = causalBiasData(T);
    for (let t = 0; t < T; t++) {
      for (let j = p; j < P; j++) rowBias[t * (P + T) + j] = MASK_NEG;
      rowBias.set(causal.subarray(t * T, (t + 1) * T), t * (P + T) + P);
    }
    const feeds = {
      ids: new ort.Tensor('int64', ids, [N]),
      positions: new ort.Tensor('int64', positions, [N, 1]),
      rowBias: new ort.Tensor('float32', rowBias, [T, P + T]),
      ...this.scoreFeeds(targets, weights, mask),
    };
    return { feeds, count };
  }

  private scoreFeeds(targets: BigInt64Array, weights: Float32Array, mask: Float32Array): Record<string, ort.Tensor> {
    const n = targets.length;
    return {
      targets: new ort.Tensor('int64', targets, [n, 1]),
      weights: new ort.Tensor('float32', weights, [n, 1]),
      mask: new ort.Tensor('float32', mask, [n, 1]),
    };
  }

  private async runMicroBatch(b: Bucket, input: MicroBatchFeeds, rows: number[], part: GradientPart, session: ort.InferenceSession): Promise<void> {
    const res = part.result;
    const feeds = input.feeds;
    const shapes = paramShapes(this.config);
    for (const name of this.names) feeds[name] = new ort.Tensor('float32', this.params.get(name)!, shapes.get(name)!);
    // Gradients go straight into pooled buffers (ORT writes pre-allocated outputs), so a step
    // does not fault in fresh memory for every micro-batch: the first micro-batch of a part
    // writes the part's own buffers, later ones a scratch set that is then added in.
    const target = part.grads ? (this.scratch ??= this.takeBuffers()) : this.takeBuffers();
    const fetches: Record<string, ort.Tensor | null> = { lossSum: null, entropySum: null, tokenLogp: null };
    for (const name of this.names) fetches[`grad.${name}`] = new ort.Tensor('float32', target.get(name)!, shapes.get(name)!);
    const out = (await session.run(feeds, fetches)) as Record<string, ort.Tensor>;
    res.lossSum += (out.lossSum.data as Float32Array)[0];
    res.entropySum += (out.entropySum.data as Float32Array)[0];
    res.tokenCount += input.count;
    const tl = out.tokenLogp.data as Float32Array;
    const T = b.length;
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
    for (const b of this.buckets) for (const s of b.sessions.values()) await (await s).release();
  }
}
