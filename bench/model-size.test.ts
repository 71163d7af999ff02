// The size-mode helpers of the learner and generator benches: every preset parses (the Qwen
// shapes as published), a config.json path works as well as a name, and the fast random
// weights have the parameter table's shapes, norm gains 1, and are the same for the same seed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numel, paramCount, paramShapes } from '../ops/model/config.ts';
import { PRESETS, benchParams, memory, resolveConfig } from './model-size.ts';

describe('bench model sizes', () => {
  it('parses every preset; qwen2.5-0.5b has the published 494,032,768 parameters', () => {
    for (const name of Object.keys(PRESETS)) expect(resolveConfig(name).name).toBe(name);
    expect(paramCount(resolveConfig('qwen2.5-0.5b').config)).toBe(494_032_768);
    expect(paramCount(resolveConfig('tiny').config)).toBe(3_479_808);
    expect(resolveConfig('Qwen3-0.6B').config).toMatchObject({ model_type: 'qwen3', head_dim: 128, hidden_size: 1024, num_hidden_layers: 28 });
  });

  it('reads a config.json path, and names the presets when the spec is neither', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ace-size-'));
    try {
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 2, intermediate_size: 128 }));
      expect(resolveConfig(join(dir, 'config.json')).config.hidden_size).toBe(64);
      expect(resolveConfig(dir).config.num_hidden_layers).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => resolveConfig('qwen9-100b')).toThrow(/neither a preset \(tiny, qwen2\.5-0\.5b/);
  });

  it('tiled random weights (used above 50M parameters): the table shapes, gains 1, biases 0, std 0.02, seeded', () => {
    const { config } = resolveConfig('qwen2.5-0.5b');
    const small = { ...config, vocab_size: 4096, num_hidden_layers: 1 }; // 18M parameters, tiled below its size
    const a = benchParams(small, 3, 0);
    for (const [name, shape] of paramShapes(small)) expect(a.get(name)!.length).toBe(numel(shape));
    expect(a.get('model.norm.weight')!.every((x) => x === 1)).toBe(true);
    expect(a.get('model.layers.0.self_attn.q_proj.bias')!.every((x) => x === 0)).toBe(true);
    const e = a.get('model.embed_tokens.weight')!;
    let s2 = 0;
    for (let i = 0; i < 1_000_000; i++) s2 += e[i] * e[i];
    expect(Math.sqrt(s2 / 1_000_000)).toBeCloseTo(0.02, 3);
    const again = benchParams(small, 3, 0).get('model.layers.0.mlp.up_proj.weight')!;
    const first = a.get('model.layers.0.mlp.up_proj.weight')!;
    let same = true;
    for (let i = 0; i < first.length; i++) same &&= again[i] === first[i];
    expect(same).toBe(true);
    expect(memory().peak).toBeGreaterThanOrEqual(memory().rss * 0.5);
  });
});
