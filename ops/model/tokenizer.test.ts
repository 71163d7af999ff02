import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { parseLlamaConfig } from './config.ts';
import {
  BYTE_OFFSET,
  SPECIAL_TOKENS,
  TOKEN,
  TokenizerError,
  VOCAB_SIZE,
  decode,
  encode,
  encodeChat,
  trimResponse,
} from './tokenizer.ts';

describe('tokenizer', () => {
  it('has the documented layout and matches the default config', () => {
    expect(VOCAB_SIZE).toBe(272);
    expect(parseLlamaConfig({}).vocab_size).toBe(VOCAB_SIZE);
    expect(SPECIAL_TOKENS[TOKEN.think]).toBe('<think>');
    expect(SPECIAL_TOKENS[TOKEN.endThink]).toBe('</think>');
    expect(SPECIAL_TOKENS[TOKEN.eos]).toBe('<eos>');
    expect(Array.from(encode('A\n'))).toEqual([BYTE_OFFSET + 65, BYTE_OFFSET + 10]);
  });

  it('maps special strings to single ids', () => {
    const ids = encode('<think>2+2</think>\\boxed{4}<eos>');
    expect(ids[0]).toBe(TOKEN.think);
    expect(ids[4]).toBe(TOKEN.endThink);
    expect(ids[ids.length - 1]).toBe(TOKEN.eos);
    expect(ids.length).toBe(1 + 3 + 1 + '\\boxed{4}'.length + 1);
    const raw = encode('<think>', { specials: false });
    expect(raw.length).toBe(7);
    expect(decode(raw)).toBe('<think>');
  });

  it('round-trips LaTeX, unicode and random strings', () => {
    const samples = [
      '',
      '<|user|>What is 3/4 + 1/8?<|end|><|assistant|><think>6/8+1/8 = 7/8</think>\\boxed{\\frac{7}{8}}<eos>',
      'ünïcødé — ∑ x² 🙂 日本',
      'code:\n```python\nprint(1)\n```\t',
    ];
    const rng = new Rng(3);
    const alphabet = ['a', '{', '}', '\\', '<', '>', '|', 'é', '🙂', '<think>', '</think>', '<|end|>', '\n'];
    for (let n = 0; n < 200; n++) {
      let s = '';
      const len = rng.int(0, 30);
      for (let i = 0; i < len; i++) s += rng.pick(alphabet);
      samples.push(s);
    }
    for (const s of samples) expect(decode(encode(s))).toBe(s);
    for (const s of samples) expect(decode(encode(s, { specials: false }))).toBe(s);
  });

  it('chat template and skipSpecials', () => {
    const ids = encodeChat([{ role: 'user', content: 'hi <eos>' }]);
    expect(ids[0]).toBe(TOKEN.bos);
    expect(ids[1]).toBe(TOKEN.user);
    expect(ids[ids.length - 2]).toBe(TOKEN.end);
    expect(ids[ids.length - 1]).toBe(TOKEN.assistant);
    // The <eos> inside user text stays bytes: 8 bytes of 'hi <eos>'.
    expect(ids.length).toBe(2 + 8 + 2);
    expect(decode(ids)).toBe('<bos><|user|>hi <eos><|end|><|assistant|>');
    expect(decode(ids, { skipSpecials: true })).toBe('<|user|>hi <eos><|end|><|assistant|>');
  });

  it('rejects out-of-range ids and trims responses', () => {
    expect(() => decode([5, 272])).toThrow(TokenizerError);
    expect(() => decode([-1])).toThrow(/position 0/);
    expect(Array.from(trimResponse(Int32Array.from([20, 21, TOKEN.eos, 22])))).toEqual([20, 21]);
    expect(Array.from(trimResponse(Int32Array.from([20, 21])))).toEqual([20, 21]);
  });
});
