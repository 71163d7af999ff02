// Model families as Hugging Face config.json files name them (llama, qwen2, qwen3): published
// configs parse (bookkeeping keys ignored) into the right parameter tables; unknown keys and
// unsupported values fail naming the field, its value and a HINT; the embedded default is
// unchanged; RoPE tables keep their old bits when unscaled; eos lists stop sampling.
// The numerics of each family against PyTorch are in test/reference/torch-families.test.ts.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { ConfigError, type LlamaConfig, eosTokenIds, initParams, modelDims, paramCount, paramShapes, parseLlamaConfig } from './config.ts';
import { Generator } from './generator.ts';
import { ropeInvFreq, ropeTables } from './layers.ts';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

// config.json of published checkpoints (meta-llama/Llama-3.2-1B-Instruct, Qwen/Qwen2.5-0.5B-Instruct, Qwen/Qwen3-0.6B).
const LLAMA_3_2_1B = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  head_dim: 64,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.45.0.dev0',
  use_cache: true,
  vocab_size: 128256,
};

const QWEN2_5_0_5B = {
  architectures: ['Qwen2ForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  hidden_act: 'silu',
  hidden_size: 896,
  initializer_range: 0.02,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  max_window_layers: 21,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.43.1',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

const QWEN3_0_6B = {
  architectures: ['Qwen3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  head_dim: 128,
  hidden_act: 'silu',
  hidden_size: 1024,
  initializer_range: 0.02,
  intermediate_size: 3072,
  max_position_embeddings: 40960,
  max_window_layers: 28,
  model_type: 'qwen3',
  num_attention_heads: 16,
  num_hidden_layers: 28,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-6,
  rope_scaling: null,
  rope_theta: 1000000,
  sliding_window: null,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.51.0',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

describe('published configs', () => {
  it('Llama 3.2 1B: head_dim, GQA, llama3 RoPE, an eos list; 1,235,814,400 parameters', () => {
    const c = parseLlamaConfig(LLAMA_3_2_1B);
    expect(c.rope_scaling).toEqual(LLAMA_3_2_1B.rope_scaling);
    expect(eosTokenIds(c)).toEqual([128001, 128008, 128009]);
    expect(modelDims(c)).toMatchObject({ hd: 64, H: 32, KVH: 8, qkvBias: false, oBias: false, qkNorm: false });
    const s = paramShapes(c);
    expect(s.get('model.layers.0.self_attn.k_proj.weight')).toEqual([512, 2048]);
    expect([...s.keys()].some((k) => k.endsWith('.bias') || k.includes('q_norm'))).toBe(false);
    expect(paramCount(c)).toBe(1_235_814_400);
    // The ignored bookkeeping keys are gone; what is left round-trips.
    for (const k of ['architectures', 'torch_dtype', 'use_cache', 'mlp_bias', 'pretraining_tp', 'attention_dropout']) expect(k in c).toBe(false);
    expect(parseLlamaConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('Qwen2.5 0.5B: q/k/v biases, sliding window off; 494,032,768 parameters', () => {
    const c = parseLlamaConfig(QWEN2_5_0_5B);
    expect(c.model_type).toBe('qwen2');
    const s = paramShapes(c);
    expect(s.get('model.layers.3.self_attn.q_proj.bias')).toEqual([896]);
    expect(s.get('model.layers.3.self_attn.k_proj.bias')).toEqual([128]);
    expect(s.get('model.layers.3.self_attn.v_proj.bias')).toEqual([128]);
    expect(s.has('model.layers.3.self_attn.o_proj.bias')).toBe(false);
    expect(paramCount(c)).toBe(494_032_768);
    expect(parseLlamaConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('Qwen3 0.6B: q/k norm, head_dim 128 apart from 1024 / 16; 596,049,920 parameters', () => {
    const c = parseLlamaConfig(QWEN3_0_6B);
    const s = paramShapes(c);
    expect(s.get('model.layers.0.self_attn.q_proj.weight')).toEqual([2048, 1024]);
    expect(s.get('model.layers.0.self_attn.k_proj.weight')).toEqual([1024, 1024]);
    expect(s.get('model.layers.0.self_attn.o_proj.weight')).toEqual([1024, 2048]);
    expect(s.get('model.layers.0.self_attn.q_norm.weight')).toEqual([128]);
    expect(s.get('model.layers.0.self_attn.k_norm.weight')).toEqual([128]);
    expect([...s.keys()].some((k) => k.endsWith('.bias'))).toBe(false);
    expect(paramCount(c)).toBe(596_049_920);
    expect(parseLlamaConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('the older rope_scaling spelling, null ids and transformers v5 rope_parameters', () => {
    const lin = parseLlamaConfig({ rope_scaling: { type: 'linear', factor: 4 }, pad_token_id: null, bos_token_id: null });
    expect(lin.rope_scaling).toEqual({ rope_type: 'linear', factor: 4 });
    expect([lin.pad_token_id, lin.bos_token_id]).toEqual([0, 1]);
    expect(parseLlamaConfig({ rope_scaling: { rope_type: 'default' } }).rope_scaling).toBeUndefined();
    const { rope_theta: _t, rope_scaling: _s, ...rest } = QWEN3_0_6B;
    const v5 = parseLlamaConfig({ ...rest, rope_parameters: { rope_theta: 1000000, rope_type: 'default' } });
    expect(v5.rope_theta).toBe(1000000);
    expect(v5.rope_scaling).toBeUndefined();
  });
});

describe('rejections name the field, its value and a HINT', () => {
  const cases: { what: string; raw: Record<string, unknown>; field: string; value?: string; hint: RegExp }[] = [
    { what: 'an unknown key', raw: { hidden_sise: 3 }, field: 'hidden_sise', value: '3', hint: /known fields: .*head_dim/ },
    { what: 'an unsupported family', raw: { model_type: 'mistral' }, field: 'model_type', value: '"mistral"', hint: /llama, qwen2, qwen3/ },
    { what: 'another activation', raw: { hidden_act: 'gelu' }, field: 'hidden_act', value: '"gelu"', hint: /only silu/ },
    { what: 'MLP biases', raw: { mlp_bias: true }, field: 'mlp_bias', value: 'true', hint: /only false/ },
    { what: 'attention dropout', raw: { attention_dropout: 0.1 }, field: 'attention_dropout', value: '0.1', hint: /only 0/ },
    { what: 'YaRN', raw: { ...QWEN3_0_6B, rope_scaling: { rope_type: 'yarn', factor: 4.0, original_max_position_embeddings: 32768 } }, field: 'rope_scaling.rope_type', value: '{"rope_type":"yarn"', hint: /Remove rope_scaling/ },
    { what: 'dynamic NTK', raw: { rope_scaling: { type: 'dynamic', factor: 2 } }, field: 'rope_scaling.rope_type', value: '{"type":"dynamic"', hint: /not implemented/ },
    { what: 'type and rope_type disagreeing', raw: { rope_scaling: { type: 'linear', rope_type: 'llama3', factor: 2 } }, field: 'rope_scaling.type', hint: /one of type/ },
    { what: 'an extra llama3 key', raw: { rope_scaling: { ...LLAMA_3_2_1B.rope_scaling, beta_fast: 32 } }, field: 'rope_scaling.beta_fast', value: '32', hint: /llama3/ },
    { what: 'llama3 factors out of order', raw: { rope_scaling: { ...LLAMA_3_2_1B.rope_scaling, high_freq_factor: 0.5 } }, field: 'rope_scaling', hint: /low_freq_factor 1, high_freq_factor 4/ },
    { what: 'a sliding window that bites', raw: { ...QWEN2_5_0_5B, use_sliding_window: true, sliding_window: 4096 }, field: 'use_sliding_window', value: 'true', hint: /use_sliding_window to false/ },
    { what: 'a window layer type', raw: { ...QWEN3_0_6B, layer_types: ['full_attention', 'sliding_attention'] }, field: 'layer_types', hint: /full_attention/ },
    { what: 'a qwen key on llama', raw: { sliding_window: 4096 }, field: 'sliding_window', value: '4096', hint: /qwen2\/qwen3 configs/ },
    { what: 'attention_bias on qwen2', raw: { ...QWEN2_5_0_5B, attention_bias: false }, field: 'attention_bias', value: 'false', hint: /always has biases on q\/k\/v_proj/ },
    { what: 'qwen3 without head_dim', raw: { ...QWEN3_0_6B, head_dim: undefined }, field: 'head_dim', hint: /assumes 128/ },
    { what: 'qwen2 without tie_word_embeddings', raw: { ...QWEN2_5_0_5B, tie_word_embeddings: undefined }, field: 'tie_word_embeddings', hint: /copy tie_word_embeddings/ },
    { what: 'quantized weights', raw: { quantization_config: { quant_method: 'awq' } }, field: 'quantization_config', hint: /bf16\/fp16\/fp32/ },
    { what: 'an eos id in a list past the vocabulary', raw: { eos_token_id: [2, 300] }, field: 'eos_token_id', value: '[2,300]', hint: /vocab_size/ },
    { what: 'an odd head_dim', raw: { head_dim: 7 }, field: 'head_dim', value: '7', hint: /even/ },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const raw = JSON.parse(JSON.stringify(c.raw)); // undefined values drop out, as in a file
      const e = errorOf(() => parseLlamaConfig(raw));
      expect(e.fields).toContain(c.field);
      expect(e.message).toContain(`${c.field}: `);
      if (c.value !== undefined) expect(e.message).toContain(`(got ${c.value}`);
      expect(e.message).toMatch(new RegExp(`HINT \\(${c.field.replace(/\./g, '\\.')}\\): `));
      expect(e.message).toMatch(c.hint);
    });
  }

  it('reports every problem at once', () => {
    const e = errorOf(() => parseLlamaConfig({ hidden_act: 'relu', mlp_bias: true, foo: 1 }));
    expect(new Set(e.fields)).toEqual(new Set(['hidden_act', 'mlp_bias', 'foo']));
  });
});

describe('the embedded default and llama graphs are unchanged', () => {
  it('parses {} to the same config as before', () => {
    expect(parseLlamaConfig({})).toEqual({
      model_type: 'llama',
      hidden_act: 'silu',
      vocab_size: 272,
      hidden_size: 256,
      intermediate_size: 768,
      num_hidden_layers: 4,
      num_attention_heads: 4,
      num_key_value_heads: 4,
      max_position_embeddings: 1024,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      tie_word_embeddings: true,
      bos_token_id: 1,
      eos_token_id: 2,
      pad_token_id: 0,
    });
    // As in HF, absent key/value heads follow the query heads.
    expect(parseLlamaConfig({ num_attention_heads: 8 }).num_key_value_heads).toBe(8);
  });

  it('unscaled RoPE tables keep their old bits: p * theta^(-2i/hd) in float64, rounded once', () => {
    const hd = 16;
    const { cos, sin } = ropeTables(40, hd, 10000);
    for (let p = 0; p < 40; p++) {
      for (let i = 0; i < hd / 2; i++) {
        const a = p * Math.pow(10000, (-2 * i) / hd);
        expect(cos[p * hd + i]).toBe(Math.fround(Math.cos(a)));
        expect(sin[p * hd + hd / 2 + i]).toBe(Math.fround(Math.sin(a)));
      }
    }
  });

  it('llama3 scaling keeps high frequencies, divides low ones, blends between', () => {
    const scaling = { rope_type: 'llama3' as const, factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 };
    const base = ropeInvFreq(16, 10000);
    const inv = ropeInvFreq(16, 10000, scaling);
    const wavelen = Array.from(base, (f) => (2 * Math.PI) / f);
    wavelen.forEach((w, i) => {
      if (w < 16) expect(inv[i]).toBe(base[i]);
      else if (w > 64) expect(inv[i]).toBeCloseTo(base[i] / 8, 15);
      else expect(inv[i] > base[i] / 8 && inv[i] < base[i]).toBe(true);
    });
    expect(wavelen.filter((w) => w >= 16 && w <= 64).length).toBeGreaterThan(0);
    expect(ropeInvFreq(16, 10000, { rope_type: 'linear', factor: 2 })[3]).toBe(base[3] / 2);
  });

  it('family parameters init as in transformers (gains 1, biases 0) and draw nothing', () => {
    const dims = { vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 32, rms_norm_eps: 1e-6, rope_theta: 1e4, tie_word_embeddings: true };
    const llama = initParams(parseLlamaConfig(dims), new Rng(3));
    const qwen2 = initParams(parseLlamaConfig({ ...dims, model_type: 'qwen2' }), new Rng(3));
    const qwen3 = initParams(parseLlamaConfig({ ...dims, model_type: 'qwen3', head_dim: 8 }), new Rng(3));
    for (const [name, a] of llama) {
      expect(qwen2.get(name)).toEqual(a);
      expect(qwen3.get(name)).toEqual(a);
    }
    expect(Array.from(qwen2.get('model.layers.1.self_attn.k_proj.bias')!)).toEqual(new Array(8).fill(0));
    expect(Array.from(qwen3.get('model.layers.1.self_attn.q_norm.weight')!)).toEqual(new Array(8).fill(1));
  });
});

describe('eos_token_id as a list', () => {
  it('sampling stops on whichever listed id comes first', async () => {
    const base = { vocab_size: 64, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 1, num_attention_heads: 2, max_position_embeddings: 32 };
    const c0 = parseLlamaConfig(base);
    const params = initParams(c0, new Rng(5));
    for (const a of params.values()) for (let i = 0; i < a.length; i++) a[i] *= 20;
    const prompts = [Int32Array.from([1, 10, 11]), Int32Array.from([1, 30])];
    const probe = await Generator.create(c0, params, { threads: 1 });
    const greedy = await probe.sample(prompts, { maxNewTokens: 8, temperature: 0 });
    await probe.dispose();
    // One id from each row's greedy continuation (not <eos> = 2 of the probe config).
    const stopA = greedy.tokens[0][3];
    const stopB = greedy.tokens[1][1];
    const c: LlamaConfig = parseLlamaConfig({ ...base, eos_token_id: [stopA, stopB] });
    const gen = await Generator.create(c, params, { threads: 1, chunkSteps: 3 });
    const r = await gen.sample(prompts, { maxNewTokens: 8, temperature: 0 });
    await gen.dispose();
    prompts.forEach((_, b) => {
      const g = Array.from(greedy.tokens[b]);
      const at = g.findIndex((t) => t === stopA || t === stopB);
      expect(Array.from(r.tokens[b])).toEqual(g.slice(0, at + 1));
      expect(r.finished[b]).toBe(true);
    });
  });
});
