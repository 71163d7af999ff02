import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { Graph } from '../tensor/graph.ts';
import { createSession, tensor } from '../tensor/session.ts';
import { logSoftmaxAt, nucleus, sampleHead, sampleToken } from './sampler.ts';

const V = 12;
const B = 20_000;
// Fixed logits with a clear order, two exact ties (ids 3 and 7) and a long tail.
const LOGITS = Float32Array.from([1.5, -0.5, 0.3, 2.0, -3.0, 0.9, 0.0, 2.0, -1.2, 0.6, -6.0, 1.1]);

async function graphSampler() {
  const g = new Graph('sampler');
  const logits = g.input('logits', 'float32', ['B', V]);
  const u = g.input('u', 'float32', ['B']);
  const t = g.input('temperature', 'float32', []);
  const p = g.input('top_p', 'float32', []);
  const h = sampleHead(g, logits, u, t, p);
  g.output(h.token, 'token');
  g.output(h.logprob, 'logprob');
  const s = await createSession(g, { intraOpNumThreads: 1 });
  const rows = new Float32Array(B * V);
  for (let b = 0; b < B; b++) rows.set(LOGITS, b * V);
  return async (temperature: number, topP: number, seed: number, fixedU?: number) => {
    const rng = new Rng(seed);
    const us = Float32Array.from({ length: B }, () => fixedU ?? rng.next());
    const r = await s.run({
      logits: tensor(rows, [B, V]),
      u: tensor(us, [B]),
      temperature: tensor(Float32Array.of(temperature), []),
      top_p: tensor(Float32Array.of(topP), []),
    });
    const tokens = Array.from(r.token.data as BigInt64Array, Number);
    return { tokens, logprobs: r.logprob.data as Float32Array, us };
  };
}

/** Chi-square upper critical value at p = 1e-5 (Wilson-Hilferty). */
function chiCritical(df: number): number {
  const z = 4.265;
  return df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
}

describe('sampler', () => {
  it('nucleus keeps the shortest prefix reaching p and breaks ties by id', () => {
    // Probabilities: 3 and 7 tie at 0.2475, then 0 at 0.1501, 11 at 0.1006, ...
    const n = nucleus(LOGITS, 1, 0.45);
    expect(n.ids).toEqual([3, 7]);
    expect(n.probs[0]).toBeCloseTo(0.5, 12);
    expect(nucleus(LOGITS, 1, 0.5).ids).toEqual([3, 7, 0]);
    expect(nucleus(LOGITS, 1, 1).ids.length).toBe(V);
    expect(nucleus(LOGITS, 0, 1)).toEqual({ ids: [3], probs: [1] });
    expect(nucleus(LOGITS, 1, 1e-9).ids).toEqual([3]);
    expect(sampleToken(LOGITS, 1, 0.45, 0.49).token).toBe(3);
    expect(sampleToken(LOGITS, 1, 0.45, 0.51).token).toBe(7);
  });

  it('the graph sampler follows temperature and top-p (seeded chi-square), and agrees with the reference row by row', async () => {
    const run = await graphSampler();
    const settings = [
      [1, 1],
      [0.5, 1],
      [2, 1],
      [1, 0.9],
      [0.7, 0.6],
    ] as const;
    const entropies: number[] = [];
    for (const [t, p] of settings) {
      const { tokens, logprobs, us } = await run(t, p, 1000 + t * 10 + p);
      const { ids, probs } = nucleus(LOGITS, t, p);
      const counts = new Map<number, number>();
      for (const k of tokens) counts.set(k, (counts.get(k) ?? 0) + 1);
      // Nothing outside the nucleus is ever drawn.
      for (const k of counts.keys()) expect(ids).toContain(k);
      let chi = 0;
      ids.forEach((id, i) => {
        const e = probs[i] * B;
        chi += ((counts.get(id) ?? 0) - e) ** 2 / e;
      });
      expect(chi).toBeLessThan(chiCritical(Math.max(1, ids.length - 1)));
      // Row-by-row agreement with the float64 reference under the same uniforms (float32
      // rounding may flip a draw that lands within ~1e-7 of a boundary).
      let disagree = 0;
      for (let b = 0; b < B; b++) if (sampleToken(LOGITS, t, p, us[b]).token !== tokens[b]) disagree++;
      expect(disagree).toBeLessThanOrEqual(2);
      // The log-prob is the temperature-1, untruncated one.
      for (let b = 0; b < 50; b++) expect(logprobs[b]).toBeCloseTo(logSoftmaxAt(LOGITS, tokens[b]), 5);
      let h = 0;
      for (const c of counts.values()) h -= (c / B) * Math.log(c / B);
      entropies.push(h);
    }
    // Lower temperature concentrates, higher spreads; smaller p concentrates.
    expect(entropies[1]).toBeLessThan(entropies[0]);
    expect(entropies[2]).toBeGreaterThan(entropies[0]);
    expect(entropies[3]).toBeLessThan(entropies[0]);
  });

  it('temperature 0 is greedy and the same seed reproduces the draws', async () => {
    const run = await graphSampler();
    const greedy = await run(0, 1, 1);
    expect(new Set(greedy.tokens)).toEqual(new Set([3]));
    const a = await run(1, 0.95, 42);
    const b = await run(1, 0.95, 42);
    const c = await run(1, 0.95, 43);
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens).not.toEqual(c.tokens);
  });

  it('u at the ends of [0, 1) picks the first and last eligible token', async () => {
    const run = await graphSampler();
    const top = 0.99999994; // largest float32 below 1
    expect((await run(1, 0.45, 0, 0)).tokens[0]).toBe(3);
    expect((await run(1, 0.45, 0, top)).tokens[0]).toBe(7);
    expect((await run(1, 1, 0, 0)).tokens[0]).toBe(0); // id order when p = 1
    expect((await run(1, 1, 0, top)).tokens[0]).toBe(11);
  });
});
