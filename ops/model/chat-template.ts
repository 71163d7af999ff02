// A model's chat template (the Jinja `chat_template` of its tokenizer_config.json, or a
// chat_template.jinja / chat_template.json beside it) rendered with @huggingface/jinja, given
// the variables Hugging Face's apply_chat_template gives it: messages, tools and documents
// (null), add_generation_prompt, the special tokens of tokenizer_config.json (bos_token,
// eos_token, ...: text, absent when null) and extra keyword arguments (enable_thinking).
// The embedded byte-level policy has no such template: its chat format is encodeChat in
// ops/model/tokenizer.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { readJsonFile, readTokenizerConfig, specialTokenText, TOKENIZER_CONFIG_FILE } from './hf-tokenizer.ts';
import { TokenizerError } from './tokenizer.ts';

export const CHAT_TEMPLATE_JINJA_FILE = 'chat_template.jinja';
export const CHAT_TEMPLATE_JSON_FILE = 'chat_template.json';

/** The tokenizer_config.json keys HF passes to the template (its special_tokens_map), when not null. */
export const TEMPLATE_SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

export interface TemplateMessage {
  role: string;
  content: string;
}

export interface RenderChatOptions {
  /** End with the opening of an assistant turn, so that the model continues with its reply. */
  addGenerationPrompt: boolean;
  /** Passed as enable_thinking when given (Qwen3's switch between thinking and not); absent otherwise. */
  enableThinking?: boolean;
  /** Any other template variables (passed last, so they override). */
  extra?: Record<string, unknown>;
}

/** The special-token variables of a tokenizer_config.json as HF passes them to a template. */
export function templateSpecialTokens(tokenizerConfig: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of TEMPLATE_SPECIAL_TOKEN_KEYS) {
    const text = specialTokenText(tokenizerConfig, key);
    if (text !== null) out[key] = text;
  }
  const more = tokenizerConfig.additional_special_tokens;
  if (Array.isArray(more)) {
    out.additional_special_tokens = more.map((v, i) => {
      const text = specialTokenText({ v }, 'v');
      if (text === null) throw new TokenizerError(`${TOKENIZER_CONFIG_FILE}: additional_special_tokens[${i}] is null`, 'BAD_TOKENIZER');
      return text;
    });
  }
  return out;
}

/** The template source of a chat_template value: a string, or a list of {name, template} (the one named `name`). */
function templateSource(value: unknown, name: string, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const hit = value.find((t) => t && typeof t === 'object' && (t as { name?: unknown }).name === name);
    if (!hit) return null;
    const src = (hit as { template?: unknown }).template;
    if (typeof src !== 'string') throw new TokenizerError(`${where}: chat_template ${JSON.stringify(name)} has no template string`, 'BAD_TEMPLATE');
    return src;
  }
  throw new TokenizerError(`${where}: chat_template is neither a string nor a list of {name, template}`, 'BAD_TEMPLATE');
}

export class ChatTemplate {
  readonly source: string;
  /** bos_token, eos_token, ... as passed to the template. */
  readonly specialTokens: Readonly<Record<string, string | string[]>>;
  private readonly template: Template;

  /** Compiles `source`; a template that does not parse is a TokenizerError (BAD_TEMPLATE). */
  constructor(source: string, specialTokens: Record<string, string | string[]> = {}) {
    this.source = source;
    this.specialTokens = Object.freeze({ ...specialTokens });
    try {
      this.template = new Template(source);
    } catch (e) {
      throw new TokenizerError(`chat template does not parse: ${(e as Error).message}`, 'BAD_TEMPLATE');
    }
  }

  /**
   * The template of a tokenizer_config.json object (its `chat_template`: a string, or the entry
   * named `name` of a list), with its special tokens; null when it has none.
   */
  static fromConfig(tokenizerConfig: Record<string, unknown>, name = 'default'): ChatTemplate | null {
    const src = templateSource(tokenizerConfig.chat_template, name, TOKENIZER_CONFIG_FILE);
    return src === null ? null : new ChatTemplate(src, templateSpecialTokens(tokenizerConfig));
  }

  /**
   * The template of a model directory, as transformers looks for it: chat_template.jinja, else
   * chat_template.json's chat_template, else tokenizer_config.json's; null when none has one.
   * The special tokens come from tokenizer_config.json.
   */
  static fromDir(modelDir: string, name = 'default'): ChatTemplate | null {
    const config = readTokenizerConfig(modelDir);
    const jinjaPath = join(modelDir, CHAT_TEMPLATE_JINJA_FILE);
    if (existsSync(jinjaPath)) return new ChatTemplate(readFileSync(jinjaPath, 'utf8'), templateSpecialTokens(config));
    const jsonPath = join(modelDir, CHAT_TEMPLATE_JSON_FILE);
    if (existsSync(jsonPath)) {
      const src = templateSource(readJsonFile(jsonPath).chat_template, name, jsonPath);
      if (src !== null) return new ChatTemplate(src, templateSpecialTokens(config));
    }
    return ChatTemplate.fromConfig(config, name);
  }

  /** The variables the template is rendered with, as apply_chat_template builds them. */
  variables(messages: readonly TemplateMessage[], opts: RenderChatOptions): Record<string, unknown> {
    const vars: Record<string, unknown> = {
      messages: messages.map((m) => ({ ...m })),
      tools: null,
      documents: null,
      add_generation_prompt: opts.addGenerationPrompt,
      ...this.specialTokens,
    };
    if (opts.enableThinking !== undefined) vars.enable_thinking = opts.enableThinking;
    return { ...vars, ...opts.extra };
  }

  /** The conversation as the model's own template writes it (text; tokenize with the model's tokenizer). */
  renderChat(messages: readonly TemplateMessage[], opts: RenderChatOptions): string {
    if (messages.length === 0) throw new TokenizerError('renderChat needs at least one message', 'BAD_TEMPLATE');
    try {
      return this.template.render(this.variables(messages, opts));
    } catch (e) {
      throw new TokenizerError(`chat template failed to render: ${(e as Error).message}`, 'BAD_TEMPLATE');
    }
  }
}
