// The policy's sampler on onnxruntime-node: one graph that prefills the prompts (left-padded,
// causal + padding mask; identical prompts, such as a task's G samples, share one prefill
// row) into a KV cache and then runs the whole decode-and-sample loop in ONNX Loops
// (temperature, top-p, stop ids, max new tokens), returning tokens and their
// log-probabilities. A reply ends at any of `stopIds` (default: the config's eos ids; a real
// model's tokenizer names its own, e.g. Qwen3's <|im_end|>), and ids at or past `vocabLimit`
// (embedding rows the tokenizer has no token for: Qwen3's 151936 rows hold 151669 ids) are
// never sampled. The blocks are transformer.ts's decoderLayer; the generator's own part
// is the attention over its KV cache. Not a server or a scheduler: callers batch the prompts.
// (bench/generator-js-loop.ts drives the same prefill and decode step token by token from
// JavaScript: the loop's baseline.)
//
// Randomness: uniforms are pre-drawn in JS (ops/rng.ts) and fed as an input (N, B). ONNX has
// no counter-based PRNG op (RandomUniform is seeded per node at build time), pre-drawn
// uniforms make a row's draws depend only on (seed, row index) whatever the batching, and
// the JS-loop baseline consumes exactly the same numbers. Row b of a call uses
// Rng(rowSeed_b), rowSeed_b = the b-th nextU32() of Rng(seed); step s uses its s-th next().
//
// Weights are graph inputs in HF layout, so setWeights swaps a policy version without
// rebuilding any graph; decode-step linear layers are Gemm with transB, so no weight is ever
// transposed.
import { z } from 'zod';
import { CodedError } from '../errors.ts';
import { Rng } from '../rng.ts';
import { type Dim, Graph, type Value } from '../tensor/graph.ts';
import { ExecutionProvider, createSession, int64Tensor, ort, tensor } from '../tensor/session.ts';
import { type LlamaConfig, type ModelDims, checkParams, eosTokenIds, modelDims, paramShapes } from './config.ts';
import { MASK_NEG, attentionScaled, causalBiasData, mergeHeads, rope, ropeTables, scaleQueries, splitHeads } from './layers.ts';
import { sampleHead } from './sampler.ts';
import { type Attention, decoderLayer, layerWeights, lmHead, param, paramInputs } from './transformer.ts';

export const GeneratorOptions = z.strictObject({
  /** ORT intra-op threads per session (default 2, the machine's core count). */
  threads: z.number().int().positive().default(2),
  /** Busy-wait of idle ORT threads (ops/tensor/session.ts); default true. */
  spinWait: z.boolean().default(true),
  /** ORT execution provider (default cpu); cuda is checked when the generator is created (ops/tensor/session.ts). */
  executionProvider: ExecutionProvider.default('cpu'),
  /** ORT's CPU memory arena (default true; ops/tensor/session.ts). */
  cpuMemArena: z.boolean().default(true),
  /** Rows per graph run; larger prompt lists are processed in chunks of this size (default 256). */
  maxBatch: z.number().int().positive().default(256),
  /** Longest prompt + response in tokens; sizes the RoPE tables (default: max_position_embeddings). */
  maxSeqLen: z.number().int().positive().optional(),
  /** Decode steps per outer-loop chunk: the recent KV cache is merged into the big one this often (default 16). */
  chunkSteps: z.number().int().positive().default(16),
  /** The ids that end a reply (any of them); default the config's eos_token_id (one id or a list). */
  stopIds: z.array(z.number().int().min(0)).min(1).readonly().optional(),
  /**
   * Only ids below this are sampled (their logits are masked before the softmax, so the
   * log-probs are those of the masked distribution): the tokenizer's vocabulary size where the
   * embedding has padding rows past it. Default: vocab_size (no mask).
   */
  vocabLimit: z.number().int().positive().optional(),
});
export type GeneratorOptions = z.input<typeof GeneratorOptions>;

export const SampleOptions = z.strictObject({
  /** Tokens to generate at most per prompt (default 128). */
  maxNewTokens: z.number().int().min(0).default(128),
  /** Softmax temperature; 0 = greedy (default 1). */
  temperature: z.number().min(0).default(1),
  /** Nucleus mass in (0, 1]; 1 disables the cut (default 1). */
  topP: z.number().gt(0).max(1).default(1),
  /** Seed of the pre-drawn uniforms (default 0). */
  seed: z.number().int().default(0),
  /**
   * One seed per prompt instead (row b draws from Rng(rowSeeds[b])): a row's sample then
   * does not depend on which other prompts share its call.
   */
  rowSeeds: z.array(z.number().int()).optional(),
});
export type SampleOptions = z.input<typeof SampleOptions>;

export interface SampleResult {
  /** Per prompt: the generated ids, up to and including the stop id (<eos>) when it came. */
  tokens: Int32Array[];
  /** Per prompt: log softmax(logits)[token] at temperature 1 without top-p (ids past vocabLimit masked), one per token. */
  logprobs: Float32Array[];
  /** Per prompt: true when the response ended with a stop id (false: cut at maxNewTokens). */
  finished: boolean[];
}

export class GeneratorError extends CodedError<'EMPTY_PROMPT' | 'BAD_TOKEN' | 'TOO_LONG' | 'BAD_OPTIONS'> {}

// ---- graph construction -------------------------------------------------------------------

/** Declared-shape Reshape: ONNX semantics (0 copies, -1 infers), output dims named by the caller. */
function reshapeTo(g: Graph, x: Value, spec: readonly number[], dims: readonly Dim[]): Value {
  return g.node('Reshape', [x, g.int64s(spec)], {}, [{ dtype: x.dtype, shape: dims }])[0];
}

/** Concat whose output dims are named by the caller (the growing cache keeps the name T). */
function concatAs(g: Graph, xs: readonly Value[], axis: number, dims: readonly Dim[]): Value {
  return g.node('Concat', xs, { axis: { kind: 'int', value: axis } }, [{ dtype: xs[0].dtype, shape: dims }])[0];
}

/** What every generator graph declares: the weights (inputs) and the RoPE tables. */
export interface Shared {
  c: LlamaConfig;
  d: ModelDims;
  p: Map<string, Value>;
  cos: Value; // (maxSeqLen, hd)
  sin: Value;
  /** The ids that end a reply. */
  stopIds: readonly number[];
  /** (V) additive logit mask: MASK_NEG on ids at or past vocabLimit, 0 below; null without a limit. */
  vocabMask: Value | null;
}

/** The stop ids and the sampled vocabulary of a graph (GeneratorOptions' stopIds and vocabLimit, checked). */
export interface SamplingIds {
  stopIds?: readonly number[];
  vocabLimit?: number;
}

/** stopIds (default the config's eos ids) and vocabLimit (default vocab_size) checked against the config. */
export function samplingIds(c: LlamaConfig, o: SamplingIds = {}): { stopIds: readonly number[]; vocabLimit: number } {
  const vocabLimit = o.vocabLimit ?? c.vocab_size;
  if (vocabLimit > c.vocab_size) throw new GeneratorError('BAD_OPTIONS', `vocabLimit ${vocabLimit} exceeds the model's vocab_size ${c.vocab_size}`);
  const stopIds = [...new Set(o.stopIds ?? eosTokenIds(c))];
  const bad = stopIds.find((id) => id >= vocabLimit);
  if (bad !== undefined) {
    throw new GeneratorError('BAD_OPTIONS', `stop id ${bad} is not below ${o.vocabLimit !== undefined ? `vocabLimit ${vocabLimit}` : `vocab_size ${vocabLimit}`}: it could never be sampled, so no reply would end`);
  }
  return { stopIds, vocabLimit };
}

export function sharedInputs(g: Graph, c: LlamaConfig, maxSeqLen: number, ids: SamplingIds = {}): Shared {
  const p = paramInputs(g, c);
  const d = modelDims(c);
  const tables = ropeTables(maxSeqLen, d.hd, d.theta, d.ropeScaling);
  const { stopIds, vocabLimit } = samplingIds(c, ids);
  let vocabMask: Value | null = null;
  if (vocabLimit < d.V) {
    const mask = new Float32Array(d.V);
    mask.fill(MASK_NEG, vocabLimit);
    vocabMask = g.constant(mask, [d.V]);
  }
  return { c, d, p, cos: g.constant(tables.cos, [maxSeqLen, d.hd]), sin: g.constant(tables.sin, [maxSeqLen, d.hd]), stopIds, vocabMask };
}

export interface Cache {
  /** Per layer: keys (B, KVH, T, hd); q k^T is a transB MatMul (ORT fuses the Transpose). */
  k: Value[];
  /** Per layer: values (B, KVH, T, hd). */
  v: Value[];
  /** (B, 1, 1, T) additive key mask: MASK_NEG on left padding, 0 elsewhere. */
  keyBias: Value;
}

/**
 * Prefill over the U distinct left-padded prompts (U, P): returns next-token logits (U, V)
 * of the last position and the KV cache. causal (rep*P, P) is the causal bias tiled rep
 * times (rows ordered (r, i), matching the grouped-query layout below); keyBias (U, 1, 1, P).
 * (Shape comments below write B for U.)
 */
function prefill(g: Graph, s: Shared, prompt: Value, positions: Value, causal: Value, keyBias: Value): { logits: Value; cache: Cache } {
  const { H, KVH, hd, L } = s.d;
  const cos = g.unsqueeze(g.gather(s.cos, positions, 0), [1]); // (B, 1, P, hd)
  const sin = g.unsqueeze(g.gather(s.sin, positions, 0), [1]);
  const cache: Cache = { k: [], v: [], keyBias };
  const att: Attention<Value> = {
    // (B, P, n*hd) -> (B, n, P, hd)
    heads: (y, n, rotate) => {
      const t = splitHeads(g, y, n);
      return rotate ? rope(g, t, cos, sin) : t;
    },
    attend: (q, k, v) => {
      cache.k.push(k);
      cache.v.push(v);
      // Grouped-query attention without repeating K/V: head h = kvh*rep + r, so (B, H, P, hd)
      // regroups as (B, KVH, rep*P, hd) and every group attends to its own kv head.
      const qg = reshapeTo(g, scaleQueries(g, q), [0, KVH, -1, hd], ['U', KVH, 'RP', hd]);
      const a = attentionScaled(g, qg, k, v, causal, keyBias); // (B, KVH, rep*P, hd)
      return mergeHeads(g, reshapeTo(g, a, [0, H, -1, hd], ['U', H, 'P', hd])); // (B, P, H*hd)
    },
  };
  // Prefill runs once per call, so its MatMuls against transposed weights (linear() on the
  // symbolic (B, P) batch) are fine here.
  let x = g.gather(param(s.p, 'model.embed_tokens.weight'), prompt, 0); // (B, P, D)
  for (let l = 0; l < L; l++) x = decoderLayer(g, s.d, layerWeights(s.p, l), x, att);
  const last = g.gather(x, g.constant(new BigInt64Array([-1n]), []), 1); // (B, D)
  return { logits: lmHead(g, s.c, s.p, last).logits, cache };
}

export interface DecodeState {
  logits: Value; // (B, V) next-token logits
  finished: Value; // (B) bool
  pos: Value; // (B) int64 position of the token to be sampled
  cache: Cache;
}

/** Carried-state shapes with the cache length named `len` (T: whole cache, R: recent part). */
export function stateDims(d: ModelDims, len = 'T'): { k: Dim[]; v: Dim[]; keyBias: Dim[] } {
  return { k: ['B', d.KVH, len, d.hd], v: ['B', d.KVH, len, d.hd], keyBias: ['B', 1, 1, len] };
}

/**
 * Attention of the step's scaled queries qs (B, KVH, rep, hd) over a cache kept in two parts, the
 * older `frozen` (length T, with its key bias) and the recent keys/values (length R+1, no
 * padding, so no bias): one softmax over both, computed as exp(s - m) / (sum_f + sum_r) with a
 * shared max m, so no T-sized tensor is copied per step.
 */
function splitCacheAttention(g: Graph, qs: Value, frozenK: Value, frozenV: Value, frozenBias: Value, k: Value, v: Value): Value {
  const sf = g.add(g.matmul(qs, g.t(frozenK)), frozenBias); // (B, KVH, rep, T)
  const sr = g.matmul(qs, g.t(k)); // (B, KVH, rep, R+1)
  const m = g.max(g.reduceMax(sf, [-1], true), g.reduceMax(sr, [-1], true)); // (B, KVH, rep, 1)
  const ef = g.exp(g.sub(sf, m));
  const er = g.exp(g.sub(sr, m));
  const z = g.add(g.reduceSum(ef, [-1], true), g.reduceSum(er, [-1], true)); // (B, KVH, rep, 1)
  return g.div(g.add(g.matmul(ef, frozenV), g.matmul(er, v)), z); // (B, KVH, rep, hd)
}

/**
 * One decode step: sample a token from the carried logits (ids past the vocabulary limit
 * masked; finished rows emit <pad> with log-prob 0), append it to the cache and compute the
 * next logits; a row finishes on any stop id. Returns the new state,
 * the token and log-prob (B), and whether any row is still running.
 *
 * With `frozen`, the carried cache is only the recent part (length R, no padding, so its
 * key bias is all zeros and is not added) and the older part is `frozen` (length T, read
 * from the enclosing graph; see splitCacheAttention).
 */
export function decodeStep(
  g: Graph,
  s: Shared,
  st: DecodeState,
  u: Value,
  temperature: Value,
  topP: Value,
  frozen?: Cache,
): { next: DecodeState; token: Value; logprob: Value; running: Value } {
  const { H, KVH, rep, hd, L } = s.d;
  const sd = stateDims(s.d, frozen ? 'R' : 'T');
  const head = sampleHead(g, s.vocabMask ? g.add(st.logits, s.vocabMask) : st.logits, u, temperature, topP);
  const token = g.where(st.finished, g.scalar(s.c.pad_token_id, 'int64'), head.token); // (B)
  const logprob = g.where(g.not(st.finished), head.logprob, 0); // (B)
  let finished = st.finished;
  for (const id of s.stopIds) finished = g.or(finished, g.equal(token, g.scalar(id, 'int64')));
  const running = g.greater(g.reduceSum(g.cast(g.not(finished), 'int64'), [0]), g.scalar(0, 'int64'));

  const cos = g.unsqueeze(g.gather(s.cos, st.pos, 0), [1]); // (B, 1, hd)
  const sin = g.unsqueeze(g.gather(s.sin, st.pos, 0), [1]);
  let x = g.gather(param(s.p, 'model.embed_tokens.weight'), token, 0); // (B, D)
  const zeroCol = g.mul(g.reshape(g.cast(token, 'float32'), [0, 1, 1, 1]), 0); // (B, 1, 1, 1)
  const keyBias = concatAs(g, [st.cache.keyBias, zeroCol], 3, sd.keyBias); // (B, 1, 1, T+1)
  const cache: Cache = { k: [], v: [], keyBias };
  for (let l = 0; l < L; l++) {
    const att: Attention<Value> = {
      // (B, n*hd) -> (B, n, hd): one new position per row. 3-D, so the queries' regrouping
      // below is a real Reshape even when rep = 1 (see attentionScaled).
      heads: (y, n, rotate) => {
        const t = g.reshape(y, [0, n, hd]);
        return rotate ? rope(g, t, cos, sin) : t;
      },
      attend: (q, k, v) => {
        const kl = concatAs(g, [st.cache.k[l], g.reshape(k, [0, KVH, 1, hd])], 2, sd.k); // (B, KVH, T+1, hd)
        const vl = concatAs(g, [st.cache.v[l], g.reshape(v, [0, KVH, 1, hd])], 2, sd.v);
        cache.k.push(kl);
        cache.v.push(vl);
        const qs = g.reshape(scaleQueries(g, q), [0, KVH, rep, hd]); // (B, KVH, rep, hd), head = kvh*rep + r
        const a = frozen ? splitCacheAttention(g, qs, frozen.k[l], frozen.v[l], frozen.keyBias, kl, vl) : attentionScaled(g, qs, kl, vl, keyBias);
        return g.reshape(a, [0, H * hd]); // (B, H*hd)
      },
    };
    x = decoderLayer(g, s.d, layerWeights(s.p, l), x, att);
  }
  const next: DecodeState = {
    logits: lmHead(g, s.c, s.p, x).logits,
    finished,
    pos: g.add(st.pos, g.scalar(1, 'int64')),
    cache,
  };
  return { next, token, logprob, running };
}

export interface PrefillInputs {
  /** (U, P) distinct prompts, left-padded. */
  prompt: Value;
  positions: Value;
  causal: Value;
  keyBias: Value;
  /** (B) which distinct prompt each row samples from (G rows per prompt share one prefill). */
  rows: Value;
  /** (B) prompt length of each row: the position of its first new token. */
  startPos: Value;
}

/** The prefill inputs, named as Generator's chunk feeds. */
export function prefillInputs(g: Graph): PrefillInputs {
  return {
    prompt: g.input('prompt', 'int64', ['U', 'P']),
    positions: g.input('positions', 'int64', ['U', 'P']),
    causal: g.input('causal', 'float32', ['RP', 'P']),
    keyBias: g.input('key_bias', 'float32', ['U', 1, 1, 'P']),
    rows: g.input('rows', 'int64', ['B']),
    startPos: g.input('start_pos', 'int64', ['B']),
  };
}

/** Gather rows (axis 0) with the output dims named by the caller. */
function gatherRows(g: Graph, x: Value, rows: Value, dims: readonly Dim[]): Value {
  return g.node('Gather', [x, rows], { axis: { kind: 'int', value: 0 } }, [{ dtype: x.dtype, shape: dims }])[0];
}

/** Prefill, then each row's copy of its prompt's logits and cache: the decode loop's first state. */
export function initialState(g: Graph, s: Shared, pi: PrefillInputs): DecodeState {
  const sd = stateDims(s.d);
  const pre = prefill(g, s, pi.prompt, pi.positions, pi.causal, pi.keyBias);
  const raw = pre.cache;
  return {
    logits: gatherRows(g, pre.logits, pi.rows, ['B', s.d.V]),
    finished: g.equal(pi.startPos, g.scalar(-1, 'int64')), // all false, shaped (B)
    pos: pi.startPos,
    cache: {
      k: raw.k.map((t) => gatherRows(g, t, pi.rows, sd.k)),
      v: raw.v.map((t) => gatherRows(g, t, pi.rows, sd.v)),
      keyBias: gatherRows(g, raw.keyBias, pi.rows, sd.keyBias),
    },
  };
}

/** An empty (length 0) slice along `axis`, dims named by the caller. */
function emptyAlong(g: Graph, x: Value, axis: number, dims: readonly Dim[]): Value {
  return g.node('Slice', [x, g.int64s([0]), g.int64s([0]), g.int64s([axis])], {}, [{ dtype: x.dtype, shape: dims }])[0];
}

/**
 * Prefill + the whole sampling loop in ONNX Loops: an outer Loop over chunks of chunkSteps
 * tokens whose body runs an inner Loop of single-token steps. The inner loop appends to a
 * small recent cache and reads the big cache from the outer scope; the outer loop merges
 * the two once per chunk. A growing cache copied every step moves O(T) bytes per token per
 * layer; this moves O(R) per step and O(T) once per chunk. In an ORT profile (B 64, prompt
 * 32, 64 new tokens) Concat fell from 15% to 9% of all op time (one run each on a shared machine).
 * Outputs tokens and logprobs (N', B), N' <= N (fewer when every row met <eos>).
 */
export function buildLoopGraph(c: LlamaConfig, maxSeqLen: number, chunkSteps = 16, ids: SamplingIds = {}): Graph {
  const g = new Graph('generate');
  const s = sharedInputs(g, c, maxSeqLen, ids);
  const pi = prefillInputs(g);
  const uniforms = g.input('uniforms', 'float32', ['N', 'B']);
  const maxNew = g.input('max_new', 'int64', []);
  const temperature = g.input('temperature', 'float32', []);
  const topP = g.input('top_p', 'float32', []);
  const init = initialState(g, s, pi);
  const L = s.d.L;
  const sdT = stateDims(s.d, 'T');
  const sdR = stateDims(s.d, 'R');
  const S = g.scalar(chunkSteps, 'int64');
  const chunks = g.div(g.add(maxNew, chunkSteps - 1), S); // ceil(N / S), int64 division
  const row = g.unsqueeze(pi.startPos, [0]); // (1, B)
  const noTokens = emptyAlong(g, row, 0, ['NT', 'B']); // (0, B)
  const noLogprobs = emptyAlong(g, g.cast(row, 'float32'), 0, ['NT', 'B']);
  const outer = g.loop({
    maxTrips: chunks,
    cond: g.scalar(1, 'bool'),
    carried: [init.logits, init.finished, init.pos, ...init.cache.k, ...init.cache.v, init.cache.keyBias, noTokens, noLogprobs],
    body: (o, chunk, cv) => {
      const frozen: Cache = { k: cv.slice(3, 3 + L), v: cv.slice(3 + L, 3 + 2 * L), keyBias: cv[3 + 2 * L] };
      const done = o.mul(chunk, S); // steps before this chunk
      const trips = o.min(S, o.sub(maxNew, done));
      const recent0: Cache = {
        k: frozen.k.map((t) => emptyAlong(o, t, 2, sdR.k)),
        v: frozen.v.map((t) => emptyAlong(o, t, 2, sdR.v)),
        keyBias: emptyAlong(o, frozen.keyBias, 3, sdR.keyBias),
      };
      const inner = o.loop({
        maxTrips: trips,
        cond: o.scalar(1, 'bool'),
        carried: [cv[0], cv[1], cv[2], ...recent0.k, ...recent0.v, recent0.keyBias],
        body: (b, i, iv) => {
          const st: DecodeState = {
            logits: iv[0],
            finished: iv[1],
            pos: iv[2],
            cache: { k: iv.slice(3, 3 + L), v: iv.slice(3 + L, 3 + 2 * L), keyBias: iv[3 + 2 * L] },
          };
          const u = b.gather(uniforms, b.add(done, i), 0); // (B)
          const r = decodeStep(b, s, st, u, temperature, topP, frozen);
          const n = r.next;
          return {
            cond: r.running,
            carried: [n.logits, n.finished, n.pos, ...n.cache.k, ...n.cache.v, n.cache.keyBias],
            scans: [r.token, r.logprob],
          };
        },
      });
      const iv = inner.carried;
      const merged = (f: Value, r: Value, axis: number, dims: readonly Dim[]) => concatAs(o, [f, r], axis, dims);
      const finished = iv[1];
      const running = o.greater(o.reduceSum(o.cast(o.not(finished), 'int64'), [0]), o.scalar(0, 'int64'));
      return {
        cond: running,
        carried: [
          iv[0],
          finished,
          iv[2],
          ...frozen.k.map((f, l) => merged(f, iv[3 + l], 2, sdT.k)),
          ...frozen.v.map((f, l) => merged(f, iv[3 + L + l], 2, sdT.v)),
          merged(frozen.keyBias, iv[3 + 2 * L], 3, sdT.keyBias),
          concatAs(o, [cv[4 + 2 * L], inner.scans[0]], 0, ['NT', 'B']),
          concatAs(o, [cv[5 + 2 * L], inner.scans[1]], 0, ['NT', 'B']),
        ],
      };
    },
  });
  g.output(outer.carried[4 + 2 * L], 'tokens');
  g.output(outer.carried[5 + 2 * L], 'logprobs');
  return g;
}

// ---- host side ----------------------------------------------------------------------------

/** One graph run's worth of rows, prepared by the Generator. */
export interface Chunk {
  rows: number;
  /** The weights and the prefill inputs (prefillInputs' names). */
  feeds: Record<string, ort.Tensor>;
  /** (N, B) uniforms. */
  uniforms: Float32Array;
}

/** Samples one chunk: tokens and log-probs (steps, B), row-major, and the step count. */
export type ChunkSampler = (
  chunk: Chunk,
  o: z.output<typeof SampleOptions>,
) => Promise<{ tokens: BigInt64Array; logprobs: Float32Array; steps: number }>;

export class Generator {
  readonly config: LlamaConfig;
  readonly options: z.output<typeof GeneratorOptions> & { maxSeqLen: number; stopIds: readonly number[]; vocabLimit: number };
  private weights: Record<string, ort.Tensor> = {};
  private loopSession: ort.InferenceSession;

  private constructor(config: LlamaConfig, options: Generator['options'], loopSession: ort.InferenceSession) {
    this.config = config;
    this.options = options;
    this.loopSession = loopSession;
  }

  /** Builds the loop graph and its session. */
  static async create(config: LlamaConfig, params: Map<string, Float32Array>, opts: GeneratorOptions = {}): Promise<Generator> {
    const o = GeneratorOptions.parse(opts);
    const maxSeqLen = o.maxSeqLen ?? config.max_position_embeddings;
    if (maxSeqLen > config.max_position_embeddings) {
      throw new GeneratorError('TOO_LONG', `maxSeqLen ${maxSeqLen} exceeds max_position_embeddings ${config.max_position_embeddings}`);
    }
    const ids = samplingIds(config, o);
    const session = await createSession(buildLoopGraph(config, maxSeqLen, o.chunkSteps, ids), { intraOpNumThreads: o.threads, spinWait: o.spinWait, executionProvider: o.executionProvider, cpuMemArena: o.cpuMemArena });
    const gen = new Generator(config, { ...o, maxSeqLen, ...ids }, session);
    gen.setWeights(params);
    return gen;
  }

  /** Installs a new policy version; no graph is rebuilt. The arrays are used, not copied. */
  setWeights(params: Map<string, Float32Array>): void {
    checkParams(this.config, params);
    const w: Record<string, ort.Tensor> = {};
    for (const [name, shape] of paramShapes(this.config)) w[name] = tensor(params.get(name)!, shape);
    this.weights = w;
  }

  /** Samples a response per prompt with the ONNX-Loop graph. */
  async sample(prompts: readonly Int32Array[], opts: SampleOptions = {}): Promise<SampleResult> {
    return this.sampleWith(prompts, opts, (chunk, o) => this.runLoop(chunk, o));
  }

  /**
   * sample()'s host side (checks, seeds, chunks of maxBatch rows, shared prefill rows,
   * uniforms, per-row results) around another chunk sampler, such as the JS-loop baseline.
   */
  async sampleWith(prompts: readonly Int32Array[], raw: SampleOptions, exec: ChunkSampler): Promise<SampleResult> {
    const o = SampleOptions.parse(raw);
    this.check(prompts, o.maxNewTokens);
    if (o.rowSeeds && o.rowSeeds.length !== prompts.length) throw new GeneratorError('BAD_OPTIONS', `rowSeeds has ${o.rowSeeds.length} seeds for ${prompts.length} prompts`);
    const seeds = new Rng(o.seed);
    const rowSeeds = o.rowSeeds ?? prompts.map(() => seeds.nextU32());
    const stops = new Set(this.options.stopIds);
    const out: SampleResult = { tokens: [], logprobs: [], finished: [] };
    for (let start = 0; start < prompts.length; start += this.options.maxBatch) {
      const rows = prompts.slice(start, start + this.options.maxBatch);
      if (o.maxNewTokens === 0) {
        for (let i = 0; i < rows.length; i++) {
          out.tokens.push(new Int32Array(0));
          out.logprobs.push(new Float32Array(0));
          out.finished.push(false);
        }
        continue;
      }
      const chunk = this.chunk(rows, rowSeeds.slice(start, start + rows.length), o);
      const r = await exec(chunk, o);
      const B = chunk.rows;
      for (let b = 0; b < B; b++) {
        const toks: number[] = [];
        const lps: number[] = [];
        let done = false;
        for (let t = 0; t < r.steps && !done; t++) {
          const id = Number(r.tokens[t * B + b]);
          toks.push(id);
          lps.push(r.logprobs[t * B + b]);
          done = stops.has(id);
        }
        out.tokens.push(Int32Array.from(toks));
        out.logprobs.push(Float32Array.from(lps));
        out.finished.push(done);
      }
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.loopSession.release();
  }

  private check(prompts: readonly Int32Array[], maxNew: number): void {
    prompts.forEach((p, i) => {
      if (p.length === 0) throw new GeneratorError('EMPTY_PROMPT', `prompt ${i} is empty (start it with <bos>)`);
      for (let j = 0; j < p.length; j++) {
        if (p[j] < 0 || p[j] >= this.config.vocab_size) {
          throw new GeneratorError('BAD_TOKEN', `prompt ${i} token ${j} is ${p[j]}, outside [0, ${this.config.vocab_size})`);
        }
      }
      if (p.length + maxNew > this.options.maxSeqLen) {
        throw new GeneratorError(
          'TOO_LONG',
          `prompt ${i}: ${p.length} tokens + maxNewTokens ${maxNew} > maxSeqLen ${this.options.maxSeqLen}`,
        );
      }
    });
  }

  /**
   * Left-pads a chunk's distinct prompts (identical prompts, e.g. the G samples of one task,
   * share one prefill row) and builds the prefill feeds and the uniforms.
   */
  private chunk(rows: readonly Int32Array[], rowSeeds: number[], o: z.output<typeof SampleOptions>): Chunk {
    const B = rows.length;
    const index = new Map<string, number>();
    const distinct: Int32Array[] = [];
    const rowOf = new BigInt64Array(B);
    const startPos = new BigInt64Array(B);
    rows.forEach((r, b) => {
      const key = r.join(',');
      let u = index.get(key);
      if (u === undefined) {
        u = distinct.length;
        index.set(key, u);
        distinct.push(r);
      }
      rowOf[b] = BigInt(u);
      startPos[b] = BigInt(r.length);
    });
    const U = distinct.length;
    const P = Math.max(...distinct.map((r) => r.length));
    const { rep } = modelDims(this.config);
    const prompt = new BigInt64Array(U * P).fill(BigInt(this.config.pad_token_id));
    const positions = new BigInt64Array(U * P);
    const keyBias = new Float32Array(U * P);
    distinct.forEach((r, u) => {
      const pad = P - r.length;
      for (let j = 0; j < P; j++) {
        if (j < pad) keyBias[u * P + j] = MASK_NEG;
        else {
          prompt[u * P + j] = BigInt(r[j - pad]);
          positions[u * P + j] = BigInt(j - pad);
        }
      }
    });
    const causalOne = causalBiasData(P);
    const causal = new Float32Array(rep * P * P);
    for (let r = 0; r < rep; r++) causal.set(causalOne, r * P * P);
    const N = o.maxNewTokens;
    const uniforms = new Float32Array(N * B);
    rowSeeds.forEach((seed, b) => {
      const rng = new Rng(seed);
      for (let t = 0; t < N; t++) uniforms[t * B + b] = rng.next();
    });
    return {
      rows: B,
      uniforms,
      feeds: {
        ...this.weights,
        prompt: tensor(prompt, [U, P]),
        positions: tensor(positions, [U, P]),
        causal: tensor(causal, [rep * P, P]),
        key_bias: tensor(keyBias, [U, 1, 1, P]),
        rows: tensor(rowOf, [B]),
        start_pos: tensor(startPos, [B]),
      },
    };
  }

  private async runLoop(chunk: Chunk, o: z.output<typeof SampleOptions>) {
    const r = await this.loopSession.run({
      ...chunk.feeds,
      uniforms: tensor(chunk.uniforms, [o.maxNewTokens, chunk.rows]),
      max_new: int64Tensor([o.maxNewTokens], []),
      temperature: tensor(Float32Array.of(o.temperature), []),
      top_p: tensor(Float32Array.of(o.topP), []),
    });
    return { tokens: r.tokens.data as BigInt64Array, logprobs: r.logprobs.data as Float32Array, steps: r.tokens.dims[0] };
  }
}
