import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { type LlamaConfig, initParams, modelDims, parseLlamaConfig } from './config.ts';
import { Generator, GeneratorError } from './generator.ts';
import { logSoftmaxAt, nucleus } from './sampler.ts';
import { Graph } from '../tensor/graph.ts';
import { createSession, int64Tensor, tensor } from '../tensor/session.ts';
import { buildForward, paramInputs } from './transformer.ts';
import { JsLoopSampler } from '../../bench/generator-js-loop.ts';

// A tiny GQA model (4 query heads on 2 kv heads) with weights scaled up from the default
// init so that logits are decisive and attention is far from uniform.
const config = parseLlamaConfig({
  vocab_size: 272,
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 64,
  tie_word_embeddings: false,
});

function params(seed: number): Map<string, Float32Array> {
  const p = initParams(config, new Rng(seed));
  for (const [name, a] of p) if (!name.endsWith('norm.weight')) for (let i = 0; i < a.length; i++) a[i] *= 8;
  return p;
}

/**
 * Independent float64 reference: HF Llama forward over the whole sequence (no cache), plain
 * loops, positions 0..T-1. Returns the last position's logits.
 */
function referenceLogits(c: LlamaConfig, p: Map<string, Float32Array>, ids: ArrayLike<number>): Float64Array {
  const D = c.hidden_size;
  const H = c.num_attention_heads;
  const KVH = c.num_key_value_heads;
  const hd = modelDims(c).hd;
  const I = c.intermediate_size;
  const T = ids.length;
  const W = (n: string) => p.get(n)!;
  const lin = (x: Float64Array, w: Float32Array, out: number, inn: number) => {
    const y = new Float64Array(out);
    for (let o = 0; o < out; o++) {
      let s = 0;
      for (let i = 0; i < inn; i++) s += w[o * inn + i] * x[i];
      y[o] = s;
    }
    return y;
  };
  const norm = (x: Float64Array, w: Float32Array) => {
    let ms = 0;
    for (const v of x) ms += v * v;
    const inv = 1 / Math.sqrt(ms / x.length + c.rms_norm_eps);
    return x.map((v, i) => v * inv * w[i]);
  };
  const rope = (v: Float64Array, heads: number, pos: number) => {
    const out = new Float64Array(v.length);
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < hd / 2; i++) {
        const a = pos * Math.pow(c.rope_theta, (-2 * i) / hd);
        const x1 = v[h * hd + i];
        const x2 = v[h * hd + i + hd / 2];
        out[h * hd + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
        out[h * hd + i + hd / 2] = x2 * Math.cos(a) + x1 * Math.sin(a);
      }
    }
    return out;
  };
  let xs = Array.from(ids, (id) => Float64Array.from(W('model.embed_tokens.weight').subarray(id * D, (id + 1) * D)));
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const pre = `model.layers.${l}`;
    const hs = xs.map((x) => norm(x, W(`${pre}.input_layernorm.weight`)));
    const qs = hs.map((h, t) => rope(lin(h, W(`${pre}.self_attn.q_proj.weight`), H * hd, D), H, t));
    const ks = hs.map((h, t) => rope(lin(h, W(`${pre}.self_attn.k_proj.weight`), KVH * hd, D), KVH, t));
    const vs = hs.map((h) => lin(h, W(`${pre}.self_attn.v_proj.weight`), KVH * hd, D));
    xs = xs.map((x, t) => {
      const att = new Float64Array(H * hd);
      for (let h = 0; h < H; h++) {
        const kv = Math.floor(h / (H / KVH));
        const sc = new Float64Array(t + 1);
        for (let j = 0; j <= t; j++) {
          let s = 0;
          for (let i = 0; i < hd; i++) s += qs[t][h * hd + i] * ks[j][kv * hd + i];
          sc[j] = s / Math.sqrt(hd);
        }
        const mx = Math.max(...sc);
        let z = 0;
        for (let j = 0; j <= t; j++) z += sc[j] = Math.exp(sc[j] - mx);
        for (let j = 0; j <= t; j++) for (let i = 0; i < hd; i++) att[h * hd + i] += (sc[j] / z) * vs[j][kv * hd + i];
      }
      const o = lin(att, W(`${pre}.self_attn.o_proj.weight`), D, H * hd);
      const x1 = x.map((v, i) => v + o[i]);
      const h2 = norm(x1, W(`${pre}.post_attention_layernorm.weight`));
      const gate = lin(h2, W(`${pre}.mlp.gate_proj.weight`), I, D);
      const up = lin(h2, W(`${pre}.mlp.up_proj.weight`), I, D);
      const act = gate.map((gv, i) => (gv / (1 + Math.exp(-gv))) * up[i]);
      const down = lin(act, W(`${pre}.mlp.down_proj.weight`), D, I);
      return x1.map((v, i) => v + down[i]);
    });
  }
  const h = norm(xs[T - 1], W('model.norm.weight'));
  return lin(h, W('lm_head.weight'), c.vocab_size, D);
}

const PROMPTS = [
  Int32Array.from([1, 40, 41, 42, 43]),
  Int32Array.from([1, 77]),
  Int32Array.from([1]),
  Int32Array.from([1, 200, 100, 50]),
];

/** Teacher-forced check of every generated token against the reference. */
function checkAgainstReference(
  p: Map<string, Float32Array>,
  prompts: Int32Array[],
  tokens: Int32Array[],
  logprobs: Float32Array[],
  temperature: number,
  topP: number,
) {
  let checked = 0;
  prompts.forEach((prompt, b) => {
    const seq = Array.from(prompt);
    tokens[b].forEach((tok, t) => {
      const logits = referenceLogits(config, p, seq);
      expect(nucleus(logits, temperature, topP).ids).toContain(tok);
      expect(Math.abs(logprobs[b][t] - logSoftmaxAt(logits, tok))).toBeLessThan(2e-4);
      seq.push(tok);
      checked++;
    });
  });
  return checked;
}

describe('Generator', () => {
  it('greedy decoding with left padding, KV cache and GQA matches the float64 reference', async () => {
    const p = params(1);
    // chunkSteps 3: 10 tokens cross three merges of the recent cache into the big one.
    const gen = await Generator.create(config, p, { threads: 1, chunkSteps: 3 });
    const r = await gen.sample(PROMPTS, { maxNewTokens: 10, temperature: 0 });
    expect(r.tokens.map((t) => t.length)).toEqual([10, 10, 10, 10]);
    expect(checkAgainstReference(p, PROMPTS, r.tokens, r.logprobs, 0, 1)).toBe(40);
    // The JS loop (one growing cache) agrees.
    const jsLoop = await JsLoopSampler.create(gen);
    expect((await jsLoop.sample(PROMPTS, { maxNewTokens: 10, temperature: 0 })).tokens).toEqual(r.tokens);
    // Not degenerate: the rows do not all produce one repeated token.
    expect(new Set(r.tokens.flatMap((t) => Array.from(t))).size).toBeGreaterThan(5);
    await jsLoop.dispose();
    await gen.dispose();
  });

  it('sampling: tokens lie in the reference nucleus, the loop equals the JS loop, the seed reproduces', async () => {
    const p = params(2);
    const gen = await Generator.create(config, p, { threads: 1, maxBatch: 3, chunkSteps: 5 });
    const opts = { maxNewTokens: 12, temperature: 0.8, topP: 0.9, seed: 11 };
    const a = await gen.sample(PROMPTS, opts);
    expect(checkAgainstReference(p, PROMPTS, a.tokens, a.logprobs, 0.8, 0.9)).toBeGreaterThan(0);
    const jsLoop = await JsLoopSampler.create(gen);
    const js = await jsLoop.sample(PROMPTS, opts);
    await jsLoop.dispose();
    expect(js.tokens).toEqual(a.tokens);
    expect(js.finished).toEqual(a.finished);
    js.logprobs.forEach((lp, b) => lp.forEach((x, t) => expect(Math.abs(x - a.logprobs[b][t])).toBeLessThan(1e-5)));
    expect(await gen.sample(PROMPTS, opts)).toEqual(a);
    const other = await gen.sample(PROMPTS, { ...opts, seed: 12 });
    expect(other.tokens).not.toEqual(a.tokens);
    // Chunking (maxBatch 3 vs one batch) does not change any row's tokens; log-probs move by
    // float rounding only (another batch pads to another length, so GEMM blocking differs).
    const whole = await Generator.create(config, p, { threads: 1, maxBatch: 8, chunkSteps: 5 });
    const w = await whole.sample(PROMPTS, opts);
    expect(w.tokens).toEqual(a.tokens);
    expect(w.finished).toEqual(a.finished);
    w.logprobs.forEach((lp, b) => lp.forEach((x, t) => expect(Math.abs(x - a.logprobs[b][t])).toBeLessThan(1e-5)));
    await gen.dispose();
    await whole.dispose();
  });

  it('with rowSeeds a row samples the same tokens whatever other prompts share its call', async () => {
    const p = params(4);
    const gen = await Generator.create(config, p, { threads: 1, chunkSteps: 4 });
    const opts = { maxNewTokens: 10, temperature: 1 };
    const all = await gen.sample(PROMPTS, { ...opts, rowSeeds: PROMPTS.map((_, i) => 1000 + i) });
    for (const i of [1, PROMPTS.length - 1]) {
      const alone = await gen.sample([PROMPTS[i]], { ...opts, rowSeeds: [1000 + i] });
      expect(alone.tokens[0]).toEqual(all.tokens[i]);
    }
    const reversed = await gen.sample([...PROMPTS].reverse(), { ...opts, rowSeeds: PROMPTS.map((_, i) => 1000 + i).reverse() });
    expect([...reversed.tokens].reverse()).toEqual(all.tokens);
    await expect(gen.sample(PROMPTS, { ...opts, rowSeeds: [1] })).rejects.toMatchObject({ code: 'BAD_OPTIONS' });
    await gen.dispose();
  });

  it('identical prompts share one prefill row but draw independently', async () => {
    const p = params(9);
    const prompts = [PROMPTS[0], PROMPTS[1], PROMPTS[0], PROMPTS[0], PROMPTS[3]];
    const shared = await Generator.create(config, p, { threads: 1, chunkSteps: 4 });
    const single = await Generator.create(config, p, { threads: 1, chunkSteps: 4, maxBatch: 1 });
    const opts = { maxNewTokens: 8, temperature: 1, seed: 21 };
    const a = await shared.sample(prompts, opts);
    const b = await single.sample(prompts, opts); // one row per run: nothing shared
    expect(a.tokens).toEqual(b.tokens);
    expect(new Set([a.tokens[0], a.tokens[2], a.tokens[3]].map((t) => t.join(','))).size).toBe(3);
    expect(checkAgainstReference(p, prompts, a.tokens, a.logprobs, 1, 1)).toBe(a.tokens.reduce((n, t) => n + t.length, 0));
    await Promise.all([shared.dispose(), single.dispose()]);
  });

  it('first-token frequencies follow temperature and top-p (seeded chi-square through the whole graph)', async () => {
    const p = params(3);
    const gen = await Generator.create(config, p, { threads: 1 });
    const prompt = Int32Array.from([1, 60, 61]);
    const logits = referenceLogits(config, p, prompt);
    const n = 3000;
    const prompts = Array.from({ length: n }, () => prompt);
    for (const [t, topP] of [
      [1.5, 0.8],
      [0.6, 1],
    ] as const) {
      const r = await gen.sample(prompts, { maxNewTokens: 1, temperature: t, topP, seed: 5 });
      const { ids, probs } = nucleus(logits, t, topP);
      expect(ids.length).toBeGreaterThan(2);
      const counts = new Map<number, number>();
      for (const tok of r.tokens) counts.set(tok[0], (counts.get(tok[0]) ?? 0) + 1);
      for (const k of counts.keys()) expect(ids).toContain(k);
      // Pool expected counts below 5 into one bin.
      let chi = 0;
      let bins = 0;
      let restE = 0;
      let restO = 0;
      ids.forEach((id, i) => {
        const e = probs[i] * n;
        const o = counts.get(id) ?? 0;
        if (e < 5) {
          restE += e;
          restO += o;
        } else {
          chi += (o - e) ** 2 / e;
          bins++;
        }
      });
      if (restE > 0) {
        chi += (restO - restE) ** 2 / restE;
        bins++;
      }
      const df = bins - 1;
      const crit = df * (1 - 2 / (9 * df) + 4.265 * Math.sqrt(2 / (9 * df))) ** 3; // p = 1e-5
      expect(chi).toBeLessThan(crit);
    }
    await gen.dispose();
  });

  it('stops a row at <eos>, keeps the others going, and ends the loop when all are done', async () => {
    const p = params(4);
    const probe = await Generator.create(config, p, { threads: 1 });
    const greedy = await probe.sample(PROMPTS, { maxNewTokens: 8, temperature: 0 });
    const eos = greedy.tokens[0][2];
    const eosConfig = { ...config, eos_token_id: eos };
    const gen = await Generator.create(eosConfig, p, { threads: 1, chunkSteps: 2 });
    const jsLoop = await JsLoopSampler.create(gen);
    for (const r of [
      await gen.sample(PROMPTS, { maxNewTokens: 8, temperature: 0 }),
      await jsLoop.sample(PROMPTS, { maxNewTokens: 8, temperature: 0 }),
    ]) {
      PROMPTS.forEach((_, b) => {
        const g = Array.from(greedy.tokens[b]);
        const at = g.indexOf(eos);
        const want = at >= 0 ? g.slice(0, at + 1) : g;
        expect(Array.from(r.tokens[b])).toEqual(want);
        expect(r.logprobs[b].length).toBe(want.length);
        expect(r.finished[b]).toBe(at >= 0);
      });
    }
    // Every row stopping early ends the loop early: one prompt, eos = its 2nd greedy token.
    const one = [PROMPTS[1]];
    const eos2 = greedy.tokens[1][1];
    const gen2 = await Generator.create({ ...config, eos_token_id: eos2 }, p, { threads: 1 });
    const r2 = await gen2.sample(one, { maxNewTokens: 8, temperature: 0 });
    expect(r2.finished).toEqual([true]);
    expect(r2.tokens[0].length).toBe(Array.from(greedy.tokens[1]).indexOf(eos2) + 1);
    await Promise.all([probe.dispose(), jsLoop.dispose(), gen.dispose(), gen2.dispose()]);
  });

  it("log-probs agree with the learner's training forward (transformer.ts) on the same sequence", async () => {
    const p = params(8);
    const gen = await Generator.create(config, p, { threads: 1, chunkSteps: 4 });
    const prompt = PROMPTS[0];
    const r = await gen.sample([prompt], { maxNewTokens: 9, temperature: 1, seed: 3 });
    const seq = [...prompt, ...r.tokens[0]];
    const T = seq.length;
    const g = new Graph('fwd');
    const inputs = paramInputs(g, config);
    const tokens = g.input('tokens', 'int64', [1, T]);
    g.output(g.logSoftmax(buildForward(g, config, inputs, tokens).logits, -1), 'logp');
    const s = await createSession(g);
    const feeds = Object.fromEntries([...p].map(([k, v]) => [k, tensor(v, inputs.get(k)!.shape as number[])]));
    const out = await s.run({ ...feeds, tokens: int64Tensor(seq, [1, T]) });
    const logp = out.logp.data as Float32Array; // (T, V)
    r.tokens[0].forEach((tok, t) => {
      const at = prompt.length - 1 + t; // position predicting response token t
      expect(Math.abs(logp[at * config.vocab_size + tok] - r.logprobs[0][t])).toBeLessThan(1e-4);
    });
    await s.release();
    await gen.dispose();
  });

  it('setWeights switches the policy without rebuilding', async () => {
    const gen = await Generator.create(config, params(5), { threads: 1, chunkSteps: 4 });
    const before = await gen.sample(PROMPTS, { maxNewTokens: 6, temperature: 0 });
    const p6 = params(6);
    gen.setWeights(p6);
    const after = await gen.sample(PROMPTS, { maxNewTokens: 6, temperature: 0 });
    expect(after.tokens).not.toEqual(before.tokens);
    expect(checkAgainstReference(p6, PROMPTS, after.tokens, after.logprobs, 0, 1)).toBe(24);
    await gen.dispose();
  });

  it('ends a row at the first of its stopIds; with vocabLimit never samples ids at or past it', async () => {
    const p = params(10);
    const opts = { maxNewTokens: 12, temperature: 0 };
    const free = await Generator.create(config, p, { threads: 1, chunkSteps: 4 });
    const greedy = await free.sample(PROMPTS, opts);
    expect(greedy.finished).toEqual([false, false, false, false]); // no <eos> in 12 greedy tokens
    // Two stop ids: each row ends at the first of them, the stop id included, finished.
    const stops = [greedy.tokens[0][3], greedy.tokens[2][5]];
    const stopping = await Generator.create(config, p, { threads: 1, chunkSteps: 4, stopIds: stops });
    expect(stopping.options.stopIds).toEqual(stops);
    const r = await stopping.sample(PROMPTS, opts);
    greedy.tokens.forEach((full, b) => {
      const at = Array.from(full).findIndex((id) => stops.includes(id));
      expect(r.tokens[b], `row ${b}`).toEqual(at < 0 ? full : full.subarray(0, at + 1));
      expect(r.finished[b]).toBe(at >= 0);
    });
    expect(r.finished[0] && r.finished[2]).toBe(true);
    await stopping.dispose();

    // The ids from 136 on carry most of the mass here; with vocabLimit 136 none is drawn, and
    // the log-probs are those of the masked distribution (the reference over ids below 136).
    const top = p.get('lm_head.weight')!;
    for (let id = 136; id < config.vocab_size; id++) for (let j = 0; j < config.hidden_size; j++) top[id * config.hidden_size + j] = top[(id - 136) * config.hidden_size + j] * 1.5;
    free.setWeights(p);
    const sampling = { maxNewTokens: 10, temperature: 1, seed: 5 };
    const unmasked = await free.sample(PROMPTS, sampling);
    expect(unmasked.tokens.flatMap((t) => Array.from(t)).filter((id) => id >= 136).length).toBeGreaterThan(10);
    const masked = await Generator.create(config, p, { threads: 1, chunkSteps: 4, vocabLimit: 136 });
    const m = await masked.sample(PROMPTS, sampling);
    expect(Math.max(...m.tokens.flatMap((t) => Array.from(t)))).toBeLessThan(136);
    const jsLoop = await JsLoopSampler.create(masked); // the baseline masks alike
    expect((await jsLoop.sample(PROMPTS, sampling)).tokens).toEqual(m.tokens);
    await jsLoop.dispose();
    PROMPTS.forEach((prompt, b) => {
      const seq = Array.from(prompt);
      m.tokens[b].forEach((tok, t) => {
        const logits = referenceLogits(config, p, seq).subarray(0, 136);
        expect(Math.abs(m.logprobs[b][t] - logSoftmaxAt(logits, tok))).toBeLessThan(2e-4);
        seq.push(tok);
      });
    });
    await Promise.all([free.dispose(), masked.dispose()]);

    // A stop id that could never be drawn, or a limit past the vocabulary: named errors.
    await expect(Generator.create(config, p, { stopIds: [200], vocabLimit: 136 })).rejects.toThrow(/stop id 200 is not below vocabLimit 136/);
    await expect(Generator.create(config, p, { vocabLimit: 300 })).rejects.toMatchObject({ code: 'BAD_OPTIONS' });
  });

  it('rejects empty, out-of-vocabulary and over-long prompts with a named error', async () => {
    const gen = await Generator.create(config, params(7), { threads: 1, maxSeqLen: 16 });
    await expect(gen.sample([new Int32Array(0)])).rejects.toMatchObject({ code: 'EMPTY_PROMPT' });
    await expect(gen.sample([Int32Array.from([1, 272])])).rejects.toThrow(/prompt 0 token 1 is 272/);
    await expect(gen.sample([Int32Array.from([1, 2, 3])], { maxNewTokens: 14 })).rejects.toBeInstanceOf(GeneratorError);
    const empty = await gen.sample([Int32Array.from([1])], { maxNewTokens: 0 });
    expect(empty).toEqual({ tokens: [new Int32Array(0)], logprobs: [new Float32Array(0)], finished: [false] });
    expect(() => gen.setWeights(new Map())).toThrow(/model\.embed_tokens\.weight missing/);
    await gen.dispose();
  });
});
