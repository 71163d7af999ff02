import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { AdamW, AdamWError, clipGradNorm, globalGradNorm } from './adamw.ts';
import { initParams, parseLlamaConfig } from './config.ts';

const W = 'model.layers.0.mlp.up_proj.weight';
const N = 'model.norm.weight';

describe('AdamW', () => {
  it('first step moves every weight by lr * sign(g) plus decoupled decay', () => {
    const p = new Map([[W, Float32Array.from([1, -1, 0.5, 2])]]);
    const g = new Map([[W, Float32Array.from([0.3, -0.001, 5, -2])]]);
    const opt = new AdamW({ weightDecay: 0.1, maxGradNorm: 0 });
    const r = opt.step(p, g, 0.01);
    expect(r.step).toBe(1);
    const want = [1 * (1 - 0.001) - 0.01, -1 * (1 - 0.001) + 0.01, 0.5 * (1 - 0.001) - 0.01, 2 * (1 - 0.001) + 0.01];
    Array.from(p.get(W)!).forEach((x, i) => expect(x).toBeCloseTo(want[i], 5));
  });

  it('with zero gradients only the decay acts, and 1-D gains are exempt', () => {
    const p = new Map([
      [W, Float32Array.from([2, -4])],
      [N, Float32Array.from([1, 1])],
    ]);
    const g = new Map([
      [W, new Float32Array(2)],
      [N, new Float32Array(2)],
    ]);
    const opt = new AdamW({ weightDecay: 0.5 });
    for (let i = 0; i < 3; i++) opt.step(p, g, 0.1);
    expect(p.get(W)![0]).toBeCloseTo(2 * 0.95 ** 3, 6);
    expect(p.get(W)![1]).toBeCloseTo(-4 * 0.95 ** 3, 6);
    expect(Array.from(p.get(N)!)).toEqual([1, 1]);
    expect(opt.state.step).toBe(3);
  });

  it('matches an independent float64 Adam on a quadratic over 50 steps, and converges', () => {
    const target = [3, -2, 0.5];
    const p = new Map([[W, new Float32Array(3)]]);
    const opt = new AdamW({ weightDecay: 0, maxGradNorm: 0 });
    const ref = [0, 0, 0];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    for (let t = 1; t <= 400; t++) {
      const x = p.get(W)!;
      opt.step(p, new Map([[W, Float32Array.from(x, (xi, i) => 2 * (xi - target[i]))]]), 0.05);
      for (let i = 0; i < 3; i++) {
        const gi = 2 * (ref[i] - target[i]);
        m[i] = 0.9 * m[i] + 0.1 * gi;
        v[i] = 0.999 * v[i] + 0.001 * gi * gi;
        ref[i] -= (0.05 * m[i]) / (1 - 0.9 ** t) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
      }
      if (t === 50) for (let i = 0; i < 3; i++) expect(p.get(W)![i]).toBeCloseTo(ref[i], 4);
    }
    for (let i = 0; i < 3; i++) expect(p.get(W)![i]).toBeCloseTo(target[i], 2);
  });

  it('one clipped step changes every parameter tensor of a model', () => {
    const c = parseLlamaConfig({ hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1 });
    const rng = new Rng(9);
    const params = initParams(c, rng);
    const before = new Map([...params].map(([k, v]) => [k, v.slice()]));
    const grads = new Map([...params].map(([k, v]) => [k, Float32Array.from(v, () => rng.normal())]));
    const r = new AdamW({ maxGradNorm: 1 }).step(params, grads, 1e-3);
    expect(r.clipScale).toBeLessThan(1);
    for (const [k, v] of params) {
      let changed = 0;
      v.forEach((x, i) => (changed += x !== before.get(k)![i] ? 1 : 0));
      expect([k, changed]).toEqual([k, v.length]);
    }
  });

  it('clips the global norm across tensors', () => {
    const g = new Map([
      ['a', Float32Array.from([3, 0])],
      ['b', Float32Array.from([0, 4])],
    ]);
    expect(globalGradNorm(g)).toBe(5);
    const r = clipGradNorm(g, 1);
    expect(r.norm).toBe(5);
    expect(globalGradNorm(g)).toBeCloseTo(1, 5);
    expect(g.get('a')![0]).toBeCloseTo(0.6, 5);
    const small = new Map([['a', Float32Array.from([0.1])]]);
    expect(clipGradNorm(small, 1).scale).toBe(1);
    expect(small.get('a')![0]).toBeCloseTo(0.1, 7);
  });

  it('names a missing or non-finite gradient', () => {
    const p = new Map([[W, new Float32Array(2)]]);
    const opt = new AdamW();
    expect(() => opt.step(p, new Map(), 0.1)).toThrow(AdamWError);
    let caught: unknown = null;
    try {
      opt.step(p, new Map([[W, Float32Array.from([0, NaN])]]), 0.1);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AdamWError);
    expect((caught as AdamWError).code).toBe('NON_FINITE_GRAD');
    expect((caught as AdamWError).tensor).toBe(W);
    expect(opt.state.step).toBe(0);
  });
});
