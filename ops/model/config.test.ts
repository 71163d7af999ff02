import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { ConfigError, checkParams, initParams, paramCount, paramShapes, parseLlamaConfig } from './config.ts';

const small = parseLlamaConfig({
  vocab_size: 50,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
});

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('LlamaConfig', () => {
  it('fills the tiny-policy defaults', () => {
    const c = parseLlamaConfig({});
    expect(c.hidden_size).toBe(256);
    expect(c.num_hidden_layers).toBe(4);
    expect(c.vocab_size).toBe(272);
    expect(c.tie_word_embeddings).toBe(true);
  });

  it('names an unknown key', () => {
    const e = errorOf(() => parseLlamaConfig({ hidden_sise: 3 }));
    expect(e.fields).toEqual(['hidden_sise']);
    expect(e.message).toContain('hidden_sise');
  });

  it('names a field of the wrong type', () => {
    const e = errorOf(() => parseLlamaConfig({ rope_theta: 'big' }));
    expect(e.fields).toEqual(['rope_theta']);
  });

  it('names the heads field when D is not divisible', () => {
    expect(errorOf(() => parseLlamaConfig({ hidden_size: 30, num_attention_heads: 4 })).fields).toEqual([
      'num_attention_heads',
    ]);
    expect(errorOf(() => parseLlamaConfig({ num_attention_heads: 4, num_key_value_heads: 3 })).fields).toEqual([
      'num_key_value_heads',
    ]);
    expect(errorOf(() => parseLlamaConfig({ vocab_size: 2 })).fields).toEqual(['eos_token_id']);
  });
});

describe('paramShapes / initParams', () => {
  it('lists HF names with [out, in] layout', () => {
    const s = paramShapes(small);
    expect(s.get('model.embed_tokens.weight')).toEqual([50, 16]);
    expect(s.get('model.layers.1.self_attn.q_proj.weight')).toEqual([16, 16]);
    expect(s.get('model.layers.1.self_attn.k_proj.weight')).toEqual([8, 16]);
    expect(s.get('model.layers.1.self_attn.v_proj.weight')).toEqual([8, 16]);
    expect(s.get('model.layers.0.self_attn.o_proj.weight')).toEqual([16, 16]);
    expect(s.get('model.layers.0.mlp.gate_proj.weight')).toEqual([24, 16]);
    expect(s.get('model.layers.0.mlp.down_proj.weight')).toEqual([16, 24]);
    expect(s.get('model.norm.weight')).toEqual([16]);
    expect(s.has('lm_head.weight')).toBe(false);
    expect(s.size).toBe(1 + 2 * 9 + 1);
    const untied = paramShapes({ ...small, tie_word_embeddings: false });
    expect(untied.get('lm_head.weight')).toEqual([50, 16]);
    // 50*16 + 2*(16 + 16*16 + 8*16*2 + 16*16 + 16 + 3*24*16) + 16
    expect(paramCount(small)).toBe(800 + 2 * (16 + 256 + 256 + 256 + 16 + 1152) + 16);
  });

  it('is seeded, norms are one, residual projections are smaller', () => {
    const a = initParams(small, new Rng(7));
    const b = initParams(small, new Rng(7));
    const c = initParams(small, new Rng(8));
    checkParams(small, a);
    for (const [k, v] of a) expect(b.get(k)).toEqual(v);
    expect(c.get('model.embed_tokens.weight')).not.toEqual(a.get('model.embed_tokens.weight'));
    expect(Array.from(a.get('model.norm.weight')!)).toEqual(new Array(16).fill(1));
    const std = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
    const cfg = parseLlamaConfig({});
    const big = initParams(cfg, new Rng(1));
    expect(std(big.get('model.layers.0.mlp.gate_proj.weight')!)).toBeCloseTo(0.02, 3);
    expect(std(big.get('model.layers.0.mlp.down_proj.weight')!)).toBeCloseTo(0.02 / Math.sqrt(8), 3);
  });

  it('checkParams names a missing or mis-sized tensor', () => {
    const p = initParams(small, new Rng(1));
    p.set('model.norm.weight', new Float32Array(3));
    expect(errorOf(() => checkParams(small, p)).fields).toEqual(['model.norm.weight']);
    p.delete('model.norm.weight');
    expect(errorOf(() => checkParams(small, p)).message).toContain('model.norm.weight missing');
  });
});
