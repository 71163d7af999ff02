// Learner behaviour on a tiny Llama: exact token accounting, bucket/padding invariance,
// advantage scaling, the entropy metric, every parameter changing after one AdamW step,
// overfitting a tiny batch (SFT, A = 1), and batch/shape errors that name the culprit.
import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw.ts';
import { ConfigError, type LlamaConfig, initParams, parseLlamaConfig } from './config.ts';
import { Learner, LearnerError } from './learner.ts';
import { Rng } from '../rng.ts';

const tiny = (over: Partial<LlamaConfig> = {}): LlamaConfig =>
  parseLlamaConfig({
    vocab_size: 24,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    max_position_embeddings: 64,
    ...over,
  });

function seqs(rng: Rng, V: number, lengths: number[]): Int32Array[] {
  return lengths.map((n) => Int32Array.from({ length: n }, () => rng.int(3, V - 1)));
}

function maxRelDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let worst = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    let num = 0;
    let den = 0;
    for (let i = 0; i < x.length; i++) {
      num += (x[i] - y[i]) ** 2;
      den += y[i] ** 2;
    }
    worst = Math.max(worst, Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-20));
  }
  return worst;
}

describe('Learner', () => {
  const c = tiny();
  const rng = new Rng(11);
  const params = initParams(c, rng);
  const tokens = seqs(rng, c.vocab_size, [6, 13, 9, 4, 16]);
  const responseStart = [2, 5, 1, 3, 10];
  const expectedTokens = tokens.reduce((s, t, i) => s + t.length - responseStart[i], 0);

  it('counts response tokens exactly and is invariant to bucketing and padding', async () => {
    const a = new Learner(c, params, { buckets: [{ batch: 2, length: 8 }, { batch: 3, length: 16 }], threads: 1 });
    const b = new Learner(c, params, { buckets: [{ batch: 5, length: 20 }], threads: 1 });
    const advantages = [1, -1, 0.5, 2, -0.25];
    const ra = await a.accumulate({ tokens, responseStart, advantages });
    const rb = await b.accumulate({ tokens, responseStart, advantages });
    expect(ra.tokenCount).toBe(expectedTokens);
    expect(rb.tokenCount).toBe(expectedTokens);
    expect(ra.lossSum).toBeCloseTo(rb.lossSum, 4);
    expect(ra.entropySum).toBeCloseTo(rb.entropySum, 3);
    const ga = a.takeGrads();
    const gb = b.takeGrads();
    // Packed longest first: [12, 15, 5] fill the 3x16 bucket, [8, 3] the 2x8 one (2 runs, not
    // the 3 that one bucket per length class would take).
    expect(a.lastStep).toMatchObject({ tokenCount: expectedTokens, microBatches: 2 });
    expect(b.lastStep).toMatchObject({ tokenCount: expectedTokens, microBatches: 1 });
    expect(maxRelDiff(ga, gb)).toBeLessThan(1e-5);
    await a.close();
    await b.close();
  });

  it('normalizes by the step total: two accumulate() calls equal one call over both halves', async () => {
    const l = new Learner(c, params, { buckets: [{ batch: 4, length: 16 }], threads: 1 });
    const adv = [1, -1, 0.5, 2, -0.25];
    await l.accumulate({ tokens: tokens.slice(0, 2), responseStart: responseStart.slice(0, 2), advantages: adv.slice(0, 2) });
    await l.accumulate({ tokens: tokens.slice(2), responseStart: responseStart.slice(2), advantages: adv.slice(2) });
    const split = l.takeGrads();
    await l.accumulate({ tokens, responseStart, advantages: adv });
    const whole = l.takeGrads();
    expect(maxRelDiff(split, whole)).toBeLessThan(1e-5);
    await l.close();
  });

  it('gradients are linear in the advantages and exactly zero for A = 0', async () => {
    const l = new Learner(c, params, { buckets: [{ batch: 5, length: 16 }], threads: 1 });
    const one = tokens.map(() => 1);
    await l.accumulate({ tokens, responseStart, advantages: one });
    const g1 = l.takeGrads();
    await l.accumulate({ tokens, responseStart, advantages: tokens.map(() => -3) });
    const g3 = l.takeGrads();
    for (const a of g3.values()) for (let i = 0; i < a.length; i++) a[i] /= -3;
    expect(maxRelDiff(g3, g1)).toBeLessThan(1e-5);
    const r0 = await l.accumulate({ tokens, responseStart, advantages: tokens.map(() => 0) });
    expect(Math.abs(r0.lossSum)).toBe(0);
    for (const a of l.takeGrads().values()) expect(a.every((x) => x === 0)).toBe(true);
    await l.close();
  });

  it('a response mask equals the matching responseStart', async () => {
    const l = new Learner(c, params, { buckets: [{ batch: 5, length: 16 }], threads: 1 });
    const responseMask = tokens.map((t, i) => Uint8Array.from(t, (_, k) => (k >= responseStart[i] ? 1 : 0)));
    const adv = [1, 2, 3, 4, 5];
    const r1 = await l.accumulate({ tokens, responseStart, advantages: adv });
    const g1 = l.takeGrads();
    const r2 = await l.accumulate({ tokens, responseMask, advantages: adv });
    const g2 = l.takeGrads();
    expect(r2.tokenCount).toBe(r1.tokenCount);
    expect(r2.lossSum).toBe(r1.lossSum);
    expect(maxRelDiff(g2, g1)).toBe(0);
    await l.close();
  });

  it('entropy of a uniform policy is ln V per token', async () => {
    const zero = new Map([...params].map(([k, v]) => [k, k.endsWith('norm.weight') ? v.slice() : new Float32Array(v.length)]));
    const l = new Learner(c, zero, { buckets: [{ batch: 5, length: 16 }], threads: 1 });
    const r = await l.accumulate({ tokens, responseStart, advantages: [1, 1, 1, 1, 1] });
    expect(r.entropySum / r.tokenCount).toBeCloseTo(Math.log(c.vocab_size), 5);
    expect(r.lossSum / r.tokenCount).toBeCloseTo(Math.log(c.vocab_size), 5);
    await l.close();
  });

  it('after one AdamW step every parameter tensor has changed', async () => {
    const p = new Map([...params].map(([k, v]) => [k, v.slice()]));
    const before = new Map([...p].map(([k, v]) => [k, v.slice()]));
    const l = new Learner(c, p, { buckets: [{ batch: 5, length: 16 }], threads: 1 });
    await l.accumulate({ tokens, responseStart, advantages: [1, -1, 0.5, 2, -0.25] });
    new AdamW({}).step(l.params, l.takeGrads(), 1e-3);
    const unchanged = [...p].filter(([k, v]) => v.every((x, i) => x === before.get(k)![i])).map(([k]) => k);
    expect(unchanged).toEqual([]);
    await l.close();
  });

  it('overfits a tiny batch to near-zero loss (SFT, A = 1)', async () => {
    const c2 = tiny({ tie_word_embeddings: false });
    const r2 = new Rng(5);
    const p = initParams(c2, r2);
    const batch = { tokens: seqs(r2, c2.vocab_size, [12, 12]), responseStart: [1, 1], advantages: [1, 1] };
    const l = new Learner(c2, p, { buckets: [{ batch: 2, length: 12 }], threads: 1 });
    const opt = new AdamW({ weightDecay: 0, maxGradNorm: 0 });
    const first = await l.accumulate(batch);
    l.takeGrads();
    let loss = first.lossSum / first.tokenCount;
    for (let step = 0; step < 150 && loss > 0.02; step++) {
      await l.accumulate(batch);
      opt.step(l.params, l.takeGrads(), 1e-2);
      loss = l.lastStep!.loss;
    }
    expect(first.lossSum / first.tokenCount).toBeGreaterThan(2.5);
    expect(loss).toBeLessThan(0.05);
    await l.close();
  });

  it('prompt sharing (one group: a prompt, several responses) matches the flat graph', async () => {
    const r = new Rng(21);
    const prompt = seqs(r, c.vocab_size, [5])[0];
    const responses = seqs(r, c.vocab_size, [7, 1, 12, 0, 3, 9]);
    const group = {
      tokens: responses.map((x) => Int32Array.from([...prompt, ...x])),
      responseStart: responses.map(() => prompt.length),
      advantages: [1.5, -0.5, 0.25, 2, -1, 0.75],
    };
    const buckets = [{ batch: 2, length: 8 }, { batch: 3, length: 24 }];
    const flat = new Learner(c, params, { buckets, threads: 1 });
    const shared = new Learner(c, params, { buckets, threads: 1, sharedPrefix: 8 });
    const rf = await flat.accumulate(group);
    const rs = await shared.accumulate(group);
    expect(rs.tokenCount).toBe(rf.tokenCount);
    expect(rs.tokenCount).toBe(7 + 1 + 12 + 3 + 9);
    expect(rs.lossSum).toBeCloseTo(rf.lossSum, 4);
    expect(rs.entropySum).toBeCloseTo(rf.entropySum, 3);
    rs.logpSums.forEach((x, i) => expect(x).toBeCloseTo(rf.logpSums[i], 4));
    expect(rs.logpSums[3]).toBe(0);
    const gf = flat.takeGrads();
    const gs = shared.takeGrads();
    expect(maxRelDiff(gs, gf)).toBeLessThan(1e-5);
    // Rows 12 and 9 share a 3x24 micro-batch with 7, then [3, 1] one of 2x8 (the empty row
    // is skipped), with the prompt run once per micro-batch.
    expect(shared.lastStep?.microBatches).toBe(2);
    // Rows with different prompts, or a prompt longer than sharedPrefix + 1, take the flat graph: the same bits.
    for (const batch of [{ tokens, responseStart, advantages: [1, -1, 0.5, 2, -0.25] }, { ...group, tokens: group.tokens.map((t) => Int32Array.from([...prompt, ...prompt, ...t.subarray(5)])), responseStart: group.responseStart.map((x) => x * 2) }]) {
      const a = await flat.accumulate(batch);
      const b = await shared.accumulate(batch);
      expect(b.lossSum).toBe(a.lossSum);
      expect(maxRelDiff(shared.takeGrads(), flat.takeGrads())).toBe(0);
    }
    // Past the context: an error, even though the response alone would fit a bucket.
    const wide = new Learner(c, params, { buckets: [{ batch: 2, length: 64 }], threads: 1, sharedPrefix: 8 });
    const tooLong = [Int32Array.from([...prompt, ...new Array(61).fill(3)]), Int32Array.from([...prompt, 4])];
    await expect(wide.accumulate({ tokens: tooLong, responseStart: [5, 5], advantages: [1, 1] })).rejects.toMatchObject({ code: 'SEQUENCE_TOO_LONG' });
    await flat.close();
    await shared.close();
    await wide.close();
  });

  it('gives the same bits at every ORT thread count (the learner actor switches widths mid-step)', async () => {
    // Big enough that ORT splits the kernels across threads.
    const cw = tiny({ vocab_size: 64, hidden_size: 128, intermediate_size: 384, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 96 });
    const r = new Rng(8);
    const pw = initParams(cw, r);
    const prompt = seqs(r, cw.vocab_size, [20])[0];
    const group = {
      tokens: seqs(r, cw.vocab_size, [60, 41, 75, 33, 52, 70, 48, 66]).map((x) => Int32Array.from([...prompt, ...x])),
      responseStart: new Array(8).fill(20),
      advantages: [1, -1, 0.5, -0.5, 2, -2, 0.25, -0.25],
    };
    const l = new Learner(cw, pw, { buckets: [{ batch: 8, length: 96 }], threads: 1, sharedPrefix: 24 });
    const narrow = await l.gradientsOf(group);
    const wide = await l.gradientsOf(group, { threads: 3 });
    expect(wide.result.lossSum).toBe(narrow.result.lossSum);
    expect(maxRelDiff(wide.grads!, narrow.grads!)).toBe(0);
    await l.close();
  });

  it('rejects bad batches and shapes with errors that name them', async () => {
    const l = new Learner(c, params, { buckets: [{ batch: 2, length: 8 }], threads: 1 });
    const long = { tokens: [new Int32Array(10)], responseStart: [1], advantages: [1] };
    await expect(l.accumulate(long)).rejects.toMatchObject({ code: 'SEQUENCE_TOO_LONG' });
    await expect(l.accumulate({ tokens: [new Int32Array(4)], responseStart: [1], advantages: [] })).rejects.toBeInstanceOf(LearnerError);
    await expect(l.accumulate({ tokens: [new Int32Array(4)], responseStart: [0], advantages: [1] })).rejects.toThrow(/responseStart\[0\] = 0/);
    const bad = new Map(params);
    bad.set('model.layers.1.mlp.up_proj.weight', new Float32Array(3));
    expect(() => new Learner(c, bad, {})).toThrow(ConfigError);
    expect(() => new Learner(c, bad, {})).toThrow(/model\.layers\.1\.mlp\.up_proj\.weight/);
    expect(() => new Learner(c, params, { buckets: [] })).toThrow();
    expect(() => new Learner(c, params, { buckets: [{ batch: 1, length: 65 }] })).toThrow(/bucket length 65 exceeds max_position_embeddings 64/);
  });
});
