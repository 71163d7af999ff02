// How a task becomes tokens and tokens become a response, for sampling, SFT and RL alike.
// The embedded default (the functions promptTokens / responseText / sftExample, and
// `bytePromptFormat`): the byte-level tokenizer's chat format with the question as the user
// turn, the reply continuing after <|assistant|> as `<think>...</think> ... \boxed{...}` and
// ending in <eos>. A real model (`chatPromptFormat` / `loadPromptFormat(modelDir)`): the
// question as the user message through the model's own chat template, tokenized by its own
// tokenizer, the reply ending at one of its stop ids (<|im_end|> for Qwen3).
import { ChatTemplate, type TemplateMessage } from '../model/chat-template.ts';
import { loadTokenizer } from '../model/hf-tokenizer.ts';
import type { LlamaConfig } from '../model/config.ts';
import type { SamplingIds } from '../model/generator.ts';
import { byteTokenizer, checkTokenizerFits, decode, encode, encodeChat, type Tokenizer, TokenizerError, TOKEN, trimResponse, VOCAB_SIZE } from '../model/tokenizer.ts';

/** <bos><|user|>question<|end|><|assistant|> */
export function promptTokens(question: string): Int32Array {
  return encodeChat([{ role: 'user', content: question }]);
}

/** The reply text of sampled ids (up to <eos>), specials such as </think> printed literally. */
export function responseText(ids: Int32Array): string {
  return decode(trimResponse(ids));
}

/** A supervised example: prompt, then the teacher's reply and <eos>; the reply is scored. */
export function sftExample(question: string, solution: string): { tokens: Int32Array; responseStart: number } {
  const prompt = promptTokens(question);
  const reply = encode(solution);
  const tokens = new Int32Array(prompt.length + reply.length + 1);
  tokens.set(prompt, 0);
  tokens.set(reply, prompt.length);
  tokens[tokens.length - 1] = TOKEN.eos;
  return { tokens, responseStart: prompt.length };
}

/** One model's way of turning tasks into prompts and samples into replies. */
export interface PromptFormat {
  readonly tokenizer: Tokenizer;
  /** The model's chat template; null for the embedded byte-level format. */
  readonly chat: ChatTemplate | null;
  /** The prompt as text (the rendered chat; for the byte format, the decoded prompt ids). */
  promptText(question: string): string;
  promptTokens(question: string): Int32Array;
  /** Sampled ids up to (not including) the first stop id. */
  responseIds(ids: Int32Array): Int32Array;
  /**
   * The reply text of sampled ids, up to the first stop id, specials such as </think> printed
   * literally (for a real model, ids past the tokenizer's vocabulary are dropped).
   */
  responseText(ids: Int32Array): string;
  /** Prompt, then the teacher's reply and the end-of-reply id; tokens from responseStart on are scored. */
  sftExample(question: string, solution: string): { tokens: Int32Array; responseStart: number };
}

/** The embedded default: exactly the module functions above (byte-level, <eos>-terminated). */
export const bytePromptFormat: PromptFormat = Object.freeze({
  tokenizer: byteTokenizer,
  chat: null,
  promptText: (question: string) => decode(promptTokens(question)),
  promptTokens,
  responseIds: trimResponse,
  responseText,
  sftExample,
});

export interface ChatPromptOptions {
  /** A system message before the question (none by default). */
  system?: string;
  /** Passed to the template as enable_thinking when given (Qwen3: false pre-fills an empty think block). */
  enableThinking?: boolean;
}

/**
 * A real model's format: the question as the one user message (after `system`, when given)
 * through its chat template with add_generation_prompt, the text tokenized by its tokenizer
 * (special-token strings in the rendered text become their ids, as in HF's
 * apply_chat_template(tokenize=True)); the reply ends at the first of tokenizer.stopIds, and
 * an SFT example ends in special.endOfTurn (else eos).
 */
export function chatPromptFormat(tokenizer: Tokenizer, chat: ChatTemplate, opts: ChatPromptOptions = {}): PromptFormat {
  const end = tokenizer.special.endOfTurn ?? tokenizer.special.eos;
  if (end === null) throw new TokenizerError('the tokenizer has neither an end-of-turn nor an eos token to end a reply with', 'BAD_TOKENIZER');
  const messages = (question: string): TemplateMessage[] => [...(opts.system !== undefined ? [{ role: 'system', content: opts.system }] : []), { role: 'user', content: question }];
  const promptText = (question: string) => chat.renderChat(messages(question), { addGenerationPrompt: true, enableThinking: opts.enableThinking });
  const promptTokensOf = (question: string) => tokenizer.encode(promptText(question));
  const responseIds = (ids: Int32Array): Int32Array => {
    for (let i = 0; i < ids.length; i++) if (tokenizer.isStop(ids[i])) return ids.subarray(0, i);
    return ids;
  };
  return Object.freeze({
    tokenizer,
    chat,
    promptText,
    promptTokens: promptTokensOf,
    responseIds,
    // A model's embedding may have rows past the tokenizer's last id (Qwen3: 151936 rows, 151669
    // ids); a sampled padding id has no text and is dropped, as HF's decode drops it.
    responseText: (ids: Int32Array) => tokenizer.decode(responseIds(ids).filter((id) => id < tokenizer.vocabSize)),
    sftExample(question: string, solution: string) {
      const prompt = promptTokensOf(question);
      const reply = tokenizer.encode(solution);
      const tokens = new Int32Array(prompt.length + reply.length + 1);
      tokens.set(prompt, 0);
      tokens.set(reply, prompt.length);
      tokens[tokens.length - 1] = end;
      return { tokens, responseStart: prompt.length };
    },
  });
}

/**
 * The prompt format of a model directory: with a tokenizer.json, its tokenizer and chat
 * template (an error when it has no template); without one, the embedded byte-level format
 * (opts.enableThinking is then ignored and opts.system an error).
 */
export function loadPromptFormat(modelDir: string, opts: ChatPromptOptions = {}): PromptFormat {
  const tokenizer = loadTokenizer(modelDir);
  if (tokenizer.kind === 'byte') {
    // enable_thinking is a template variable and means nothing here; a system message would be dropped.
    if (opts.system !== undefined) throw new TokenizerError(`${modelDir} uses the embedded byte-level format, whose prompts have no system message`, 'BAD_TEMPLATE');
    return bytePromptFormat;
  }
  const chat = ChatTemplate.fromDir(modelDir);
  if (chat === null) {
    throw new TokenizerError(`${modelDir} has a tokenizer.json but no chat template (tokenizer_config.json chat_template, chat_template.jinja or chat_template.json): cannot build prompts for it`, 'BAD_TEMPLATE');
  }
  return chatPromptFormat(tokenizer, chat, opts);
}

/**
 * Throws unless `format` can drive a model of `config`: every id of its tokenizer has an
 * embedding row, and the embedded byte-level format (what a model directory without
 * tokenizer.json gets) only drives a model of the byte vocabulary, so that a real model whose
 * tokenizer files are missing fails here rather than being fed byte ids. `where` names the model.
 */
export function checkFormatFits(format: PromptFormat, config: Pick<LlamaConfig, 'vocab_size'>, where: string): void {
  if (format.tokenizer.kind === 'byte' && config.vocab_size !== VOCAB_SIZE) {
    throw new TokenizerError(
      `${where}: the model has vocab_size ${config.vocab_size} but no tokenizer.json, and the embedded byte-level format has ${VOCAB_SIZE} ids\nHINT: copy the model's tokenizer files (tokenizer.json, tokenizer_config.json, its chat template) into its directory, or name the directory that has them`,
      'BAD_TOKENIZER',
    );
  }
  try {
    checkTokenizerFits(format.tokenizer, config.vocab_size);
  } catch (e) {
    throw new TokenizerError(`${where}: ${(e as Error).message}`, 'BAD_TOKENIZER');
  }
}

/**
 * The Generator options a format sets for a model: its tokenizer's stop ids and, where the
 * embedding has rows past the tokenizer's last id, the limit below which ids are sampled. The
 * byte-level format sets none (the config's eos, every row: the embedded default unchanged).
 */
export function samplingIdsOf(format: PromptFormat, config: Pick<LlamaConfig, 'vocab_size'>): SamplingIds {
  if (format.tokenizer.kind === 'byte') return {};
  const tok = format.tokenizer;
  return { stopIds: tok.stopIds, ...(tok.vocabSize < config.vocab_size ? { vocabLimit: tok.vocabSize } : {}) };
}

/** loadPromptFormat(modelDir) checked against the model's config (checkFormatFits). */
export function modelPromptFormat(modelDir: string, config: Pick<LlamaConfig, 'vocab_size'>, opts: ChatPromptOptions = {}): PromptFormat {
  const format = loadPromptFormat(modelDir, opts);
  checkFormatFits(format, config, modelDir);
  return format;
}
