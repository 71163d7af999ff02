// A model's own tokenizer: its directory's tokenizer.json run by @huggingface/tokenizers (the
// tokenizer of transformers.js, a pure JS port of the Rust `tokenizers` crate), with the special
// tokens named by tokenizer_config.json (bos_token, eos_token, pad_token, added_tokens_decoder)
// and, where present, generation_config.json's eos_token_id. `loadTokenizer(modelDir)` returns
// this for a directory with a tokenizer.json and the embedded byte-level tokenizer otherwise.
// The chat template is ops/model/chat-template.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as LibTokenizer } from '@huggingface/tokenizers';
import { byteTokenizer, type SpecialIds, type Tokenizer, TokenizerError } from './tokenizer.ts';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const GENERATION_CONFIG_FILE = 'generation_config.json';

/**
 * End-of-turn tokens of the common chat formats (ChatML/Qwen, Llama 3, Gemma, Phi-3, ...),
 * tried in this order; the first that is an added token of the vocabulary (and, when the
 * config has a chat template, appears in it) is `special.endOfTurn`, else eos is.
 */
export const END_OF_TURN_TOKENS = ['<|im_end|>', '<|eot_id|>', '<end_of_turn>', '<|end_of_turn|>', '<|eot|>', '<|end|>'] as const;

/** Reads a JSON file; a missing or malformed file is a TokenizerError naming it. */
export function readJsonFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TokenizerError(`cannot read ${path}: ${(e as Error).message}`, 'BAD_TOKENIZER');
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TokenizerError(`${path} is not valid JSON: ${(e as Error).message}`, 'BAD_TOKENIZER');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TokenizerError(`${path} is not a JSON object`, 'BAD_TOKENIZER');
  return v as Record<string, unknown>;
}

/** tokenizer_config.json of a directory, or {} when it has none. */
export function readTokenizerConfig(modelDir: string): Record<string, unknown> {
  const p = join(modelDir, TOKENIZER_CONFIG_FILE);
  return existsSync(p) ? readJsonFile(p) : {};
}

/**
 * The text of a special-token entry of tokenizer_config.json: a string, an AddedToken object
 * ({"content": ...}) or null/absent (null).
 */
export function specialTokenText(config: Record<string, unknown>, key: string): string | null {
  const v = config[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  throw new TokenizerError(`${TOKENIZER_CONFIG_FILE}: ${key} is neither a string nor an AddedToken object`, 'BAD_TOKENIZER');
}

export interface HfTokenizerOptions {
  /** More ids that end a reply (generation_config.json's eos_token_id). */
  extraStopIds?: readonly number[];
  /** Where the files came from, for error messages. */
  source?: string;
}

/** A Hugging Face tokenizer.json behind the Tokenizer interface. */
export class HfTokenizer implements Tokenizer {
  readonly kind = 'hf' as const;
  readonly vocabSize: number;
  readonly special: Readonly<SpecialIds>;
  readonly stopIds: readonly number[];
  /** The library's tokenizer, for anything the interface does not cover. */
  readonly lib: LibTokenizer;
  /** tokenizer_config.json as read ({} when there was none). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly source: string;
  private readonly stops: ReadonlySet<number>;

  constructor(tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown> = {}, opts: HfTokenizerOptions = {}) {
    this.source = opts.source ?? 'tokenizer.json';
    try {
      this.lib = new LibTokenizer(tokenizerJson, tokenizerConfig);
    } catch (e) {
      throw new TokenizerError(`${this.source}: @huggingface/tokenizers cannot build it: ${(e as Error).message}`, 'BAD_TOKENIZER');
    }
    this.config = tokenizerConfig;
    let max = -1;
    for (const id of this.lib.get_vocab(true).values()) if (id > max) max = id;
    if (max < 0) throw new TokenizerError(`${this.source}: empty vocabulary`, 'BAD_TOKENIZER');
    this.vocabSize = max + 1;

    const added = new Map<string, number>();
    for (const [id, t] of this.lib.get_added_tokens_decoder()) added.set(t.content, id);
    const named = (key: string): number | null => {
      const text = specialTokenText(tokenizerConfig, key);
      if (text === null) return null;
      const id = added.get(text) ?? this.lib.token_to_id(text);
      if (id === undefined) throw new TokenizerError(`${this.source}: ${TOKENIZER_CONFIG_FILE} names ${key} ${JSON.stringify(text)}, which is not in the vocabulary`, 'BAD_TOKENIZER');
      return id;
    };
    const eos = named('eos_token');
    const template = typeof tokenizerConfig.chat_template === 'string' ? tokenizerConfig.chat_template : null;
    const endOfTurnText = END_OF_TURN_TOKENS.find((t) => added.has(t) && (template === null || template.includes(t)));
    this.special = Object.freeze({
      bos: named('bos_token'),
      eos,
      pad: named('pad_token'),
      endOfTurn: endOfTurnText !== undefined ? added.get(endOfTurnText)! : eos,
      think: added.get('<think>') ?? null,
      endThink: added.get('</think>') ?? null,
    });

    const stops = new Set<number>();
    for (const id of [this.special.eos, this.special.endOfTurn, ...(opts.extraStopIds ?? [])]) {
      if (id === null) continue;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new TokenizerError(`${this.source}: stop id ${id} is outside [0, ${this.vocabSize})`, 'BAD_TOKENIZER');
      stops.add(id);
    }
    if (stops.size === 0) {
      throw new TokenizerError(`${this.source}: no stop token: ${TOKENIZER_CONFIG_FILE} names no eos_token and ${GENERATION_CONFIG_FILE} no eos_token_id, so a reply would never end`, 'BAD_TOKENIZER');
    }
    this.stops = stops;
    this.stopIds = Object.freeze([...stops].sort((a, b) => a - b));
  }

  /**
   * Reads `modelDir`/tokenizer.json, tokenizer_config.json (optional) and
   * generation_config.json (optional: its eos_token_id, a number or a list, adds stop ids).
   */
  static fromDir(modelDir: string): HfTokenizer {
    const file = join(modelDir, TOKENIZER_FILE);
    if (!existsSync(file)) throw new TokenizerError(`${modelDir} has no ${TOKENIZER_FILE}`, 'BAD_TOKENIZER');
    const genPath = join(modelDir, GENERATION_CONFIG_FILE);
    const extraStopIds: number[] = [];
    if (existsSync(genPath)) {
      const g = readJsonFile(genPath).eos_token_id;
      if (g !== undefined && g !== null) {
        const list = Array.isArray(g) ? g : [g];
        if (!list.every((x) => typeof x === 'number')) throw new TokenizerError(`${genPath}: eos_token_id must be a number or a list of numbers`, 'BAD_TOKENIZER');
        extraStopIds.push(...(list as number[]));
      }
    }
    return new HfTokenizer(readJsonFile(file), readTokenizerConfig(modelDir), { extraStopIds, source: file });
  }

  /** Text -> ids as the library encodes it with add_special_tokens false (as HF tokenizes a rendered chat). */
  encode(text: string): Int32Array {
    return Int32Array.from(this.lib.encode(text, { add_special_tokens: false }).ids);
  }

  /** Ids -> text, exactly the library's decode; ids outside [0, vocabSize) throw (the library would drop them). */
  decode(ids: ArrayLike<number>, opts: { skipSpecials?: boolean } = {}): string {
    if (ids.length === 0) return '';
    const list = new Array<number>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new TokenizerError(`token id ${id} at position ${i} is outside [0, ${this.vocabSize})`);
      list[i] = id;
    }
    return this.lib.decode(list, { skip_special_tokens: opts.skipSpecials ?? false });
  }

  isStop(id: number): boolean {
    return this.stops.has(id);
  }

  /** The id of a token string, or null when it is not one token of the vocabulary. */
  tokenId(token: string): number | null {
    return this.lib.token_to_id(token) ?? null;
  }
}

/**
 * The tokenizer of a model directory: its tokenizer.json through @huggingface/tokenizers when
 * it has one, else the embedded byte-level tokenizer. Parsing a large tokenizer.json takes a
 * second or so (Qwen3's 11 MB): load once and keep it.
 */
export function loadTokenizer(modelDir: string): Tokenizer {
  if (!existsSync(modelDir)) throw new TokenizerError(`model directory ${modelDir} does not exist`, 'BAD_TOKENIZER');
  return existsSync(join(modelDir, TOKENIZER_FILE)) ? HfTokenizer.fromDir(modelDir) : byteTokenizer;
}
