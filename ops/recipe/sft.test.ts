import { describe, expect, it } from 'vitest';
import { paramsDigest } from '../model/checkpoint.ts';
import { decode } from '../model/tokenizer.ts';
import { Rng } from '../rng.ts';
import { runSft, SftConfig, SftData } from './sft.ts';

// A tiny model: the recipe's wiring (two domains, their micro-batch shapes, the seeded order), not its quality.
const tiny = (over: Partial<SftConfig> = {}) =>
  SftConfig.parse({
    seed: 7,
    model: { hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 256 },
    steps: 3,
    batch: 8,
    microBatch: 4,
    trainTasks: 40,
    codeTrainTasks: 40,
    threads: 1,
    ...over,
  });

const text = (e: { tokens: Int32Array; responseStart: number }) => decode(e.tokens.subarray(0, e.responseStart));

describe('ace sft on math and code teacher traces', () => {
  it('gives each step its share of code, every task of a domain once per epoch, shortest first', () => {
    const data = new SftData(tiny({ batch: 16, codeFraction: 0.25 }), new Rng(1));
    expect([data.mathRows, data.codeRows]).toEqual([12, 4]);
    const codeSeen: string[] = [];
    for (let step = 0; step < 10; step++) {
      const { math, code } = data.next();
      expect(math).toHaveLength(12);
      expect(code).toHaveLength(4);
      expect(code.every((e) => text(e).includes('Write a JavaScript function f('))).toBe(true);
      expect(math.some((e) => text(e).includes('JavaScript'))).toBe(false);
      for (const ex of [math, code]) expect(ex.map((e) => e.tokens.length)).toEqual(ex.map((e) => e.tokens.length).sort((a, b) => a - b));
      codeSeen.push(...code.map(text));
    }
    // 40 code tasks, 4 a step: steps 0-9 are exactly one epoch.
    expect(new Set(codeSeen).size).toBe(40);
    expect(new SftData(tiny({ codeFraction: 0 }), new Rng(1)).codePool).toHaveLength(0);
  });

  it('trains from scratch on the mix and reproduces itself from the seed', async () => {
    const a = await runSft(tiny({ codeFraction: 0.5 }));
    const b = await runSft(tiny({ codeFraction: 0.5 }));
    expect(a.history.map((h) => h.loss)).toEqual(b.history.map((h) => h.loss));
    expect(paramsDigest(a.params)).toBe(paramsDigest(b.params));
    expect(a.history.at(-1)!.loss).toBeLessThan(a.history[0].loss);
  }, 60_000);
});
