// The generator's baseline for `ace bench generator`: the same prefill and decode step as
// ops/model/generator.ts's ONNX-Loop graph, but driven token by token from JavaScript (a
// prefill graph, then one step-graph call per token with the whole KV cache in and out of
// each call). Same prompts and uniforms -> the same tokens as Generator.sample(); log-probs
// agree to float rounding (the loop splits each softmax over the big and the recent cache).
// Benchmark scaffolding: nothing in production samples this way.
import type { z } from 'zod';
import { Graph } from '../ops/tensor/graph.ts';
import { createSession, ort, tensor } from '../ops/tensor/session.ts';
import { type LlamaConfig, paramShapes } from '../ops/model/config.ts';
import {
  type Chunk,
  type DecodeState,
  type Generator,
  type SampleOptions,
  type SampleResult,
  type SamplingIds,
  decodeStep,
  initialState,
  prefillInputs,
  sharedInputs,
  stateDims,
} from '../ops/model/generator.ts';

/** Prefill alone (the JS loop's first call): logits, finished, pos and the cache. */
export function buildPrefillGraph(c: LlamaConfig, maxSeqLen: number, ids: SamplingIds = {}): Graph {
  const g = new Graph('prefill');
  const s = sharedInputs(g, c, maxSeqLen, ids);
  outputState(g, initialState(g, s, prefillInputs(g)));
  return g;
}

/** One decode step as its own graph (the JS loop's per-token call), over one growing cache. */
export function buildStepGraph(c: LlamaConfig, maxSeqLen: number, ids: SamplingIds = {}): Graph {
  const g = new Graph('step');
  const s = sharedInputs(g, c, maxSeqLen, ids);
  const sd = stateDims(s.d);
  const st: DecodeState = {
    logits: g.input('logits', 'float32', ['B', s.d.V]),
    finished: g.input('finished', 'bool', ['B']),
    pos: g.input('pos', 'int64', ['B']),
    cache: {
      k: Array.from({ length: s.d.L }, (_, l) => g.input(`k${l}`, 'float32', sd.k)),
      v: Array.from({ length: s.d.L }, (_, l) => g.input(`v${l}`, 'float32', sd.v)),
      keyBias: g.input('key_bias', 'float32', sd.keyBias),
    },
  };
  const u = g.input('u', 'float32', ['B']);
  const temperature = g.input('temperature', 'float32', []);
  const topP = g.input('top_p', 'float32', []);
  const r = decodeStep(g, s, st, u, temperature, topP);
  outputState(g, r.next);
  g.output(r.token, 'token');
  g.output(r.logprob, 'logprob');
  g.output(r.running, 'running');
  return g;
}

function outputState(g: Graph, st: DecodeState): void {
  g.output(st.logits, 'logits_out');
  g.output(st.finished, 'finished_out');
  g.output(st.pos, 'pos_out');
  st.cache.k.forEach((t, l) => g.output(t, `k${l}_out`));
  st.cache.v.forEach((t, l) => g.output(t, `v${l}_out`));
  g.output(st.cache.keyBias, 'key_bias_out');
}

/** Samples through a Generator's host side (its weights, chunks and uniforms) with the JS loop. */
export class JsLoopSampler {
  private constructor(
    private readonly gen: Generator,
    private readonly prefill: ort.InferenceSession,
    private readonly step: ort.InferenceSession,
  ) {}

  /** Builds the prefill and step sessions with the generator's threads, spin-wait and maxSeqLen. */
  static async create(gen: Generator): Promise<JsLoopSampler> {
    const { threads, spinWait, maxSeqLen, stopIds, vocabLimit } = gen.options;
    const so = { intraOpNumThreads: threads, spinWait };
    const prefill = await createSession(buildPrefillGraph(gen.config, maxSeqLen, { stopIds, vocabLimit }), so);
    const step = await createSession(buildStepGraph(gen.config, maxSeqLen, { stopIds, vocabLimit }), so);
    return new JsLoopSampler(gen, prefill, step);
  }

  sample(prompts: readonly Int32Array[], opts: SampleOptions = {}): Promise<SampleResult> {
    return this.gen.sampleWith(prompts, opts, (chunk, o) => this.run(chunk, o));
  }

  async dispose(): Promise<void> {
    await this.prefill.release();
    await this.step.release();
  }

  private async run(chunk: Chunk, o: z.output<typeof SampleOptions>) {
    const B = chunk.rows;
    const L = this.gen.config.num_hidden_layers;
    const weights = Object.fromEntries([...paramShapes(this.gen.config).keys()].map((n) => [n, chunk.feeds[n]]));
    let state = await this.prefill.run(chunk.feeds);
    const temperature = tensor(Float32Array.of(o.temperature), []);
    const topP = tensor(Float32Array.of(o.topP), []);
    const tokens = new BigInt64Array(o.maxNewTokens * B);
    const logprobs = new Float32Array(o.maxNewTokens * B);
    let steps = 0;
    for (let t = 0; t < o.maxNewTokens; t++) {
      const feeds: Record<string, ort.Tensor> = {
        ...weights,
        logits: state.logits_out,
        finished: state.finished_out,
        pos: state.pos_out,
        key_bias: state.key_bias_out,
        u: tensor(chunk.uniforms.subarray(t * B, (t + 1) * B), [B]),
        temperature,
        top_p: topP,
      };
      for (let l = 0; l < L; l++) {
        feeds[`k${l}`] = state[`k${l}_out`];
        feeds[`v${l}`] = state[`v${l}_out`];
      }
      const r = await this.step.run(feeds);
      tokens.set(r.token.data as BigInt64Array, t * B);
      logprobs.set(r.logprob.data as Float32Array, t * B);
      steps = t + 1;
      state = r;
      if (!(r.running.data as Uint8Array)[0]) break;
    }
    return { tokens: tokens.subarray(0, steps * B), logprobs: logprobs.subarray(0, steps * B), steps };
  }
}
