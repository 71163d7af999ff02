// Byte-level tokenizer with a few special tokens: lossless for any UTF-8 text, vocabulary
// of 272 (16 specials + 256 bytes) so the embedded tiny policy stays small.
//   ids 0..15   specials: 0 <pad>, 1 <bos>, 2 <eos>, 3 <think>, 4 </think>, 5 <|system|>,
//               6 <|user|>, 7 <|assistant|>, 8 <|end|> (end of a chat turn), 9..15 reserved
//   ids 16..271 the byte values 0..255 (id = 16 + byte)
// Not a BPE/subword tokenizer and not a Hugging Face tokenizer.json reader: that is
// ops/model/hf-tokenizer.ts, and `loadTokenizer(modelDir)` there picks between the two.
// Both satisfy the `Tokenizer` interface below; `byteTokenizer` is this one behind it.

export const SPECIAL_TOKENS = [
  '<pad>',
  '<bos>',
  '<eos>',
  '<think>',
  '</think>',
  '<|system|>',
  '<|user|>',
  '<|assistant|>',
  '<|end|>',
  '<|reserved_9|>',
  '<|reserved_10|>',
  '<|reserved_11|>',
  '<|reserved_12|>',
  '<|reserved_13|>',
  '<|reserved_14|>',
  '<|reserved_15|>',
] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

export const BYTE_OFFSET = SPECIAL_TOKENS.length; // 16
export const VOCAB_SIZE = BYTE_OFFSET + 256; // 272

export const TOKEN = {
  pad: 0,
  bos: 1,
  eos: 2,
  think: 3,
  endThink: 4,
  system: 5,
  user: 6,
  assistant: 7,
  end: 8,
} as const;

const SPECIAL_ID = new Map<string, number>(SPECIAL_TOKENS.map((s, i) => [s, i]));
// Longest match first is not needed: no special token is a prefix of another.
const SPECIAL_RE = new RegExp(SPECIAL_TOKENS.map((s) => s.replace(/[|[\]\\/]/g, '\\$&')).join('|'), 'g');

/**
 * BAD_TOKEN_ID: an id outside the vocabulary; BAD_TOKENIZER: a model directory's tokenizer
 * files are missing, unreadable or inconsistent; BAD_TEMPLATE: a chat template that does not
 * parse or render (or is missing where one is needed).
 */
export type TokenizerErrorCode = 'BAD_TOKEN_ID' | 'BAD_TOKENIZER' | 'BAD_TEMPLATE';

export class TokenizerError extends Error {
  readonly code: TokenizerErrorCode;
  constructor(message: string, code: TokenizerErrorCode = 'BAD_TOKEN_ID') {
    super(message);
    this.name = 'TokenizerError';
    this.code = code;
  }
}

export interface EncodeOptions {
  /** Map the literal strings of SPECIAL_TOKENS in the text to their ids (default true). */
  specials?: boolean;
}

const encoder = new TextEncoder();
// fatal: false so that sampled byte sequences that are not valid UTF-8 still decode (U+FFFD).
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Text -> ids. decode(encode(s)) === s for every string s. */
export function encode(text: string, opts: EncodeOptions = {}): Int32Array {
  const out: number[] = [];
  const pushBytes = (s: string) => {
    for (const b of encoder.encode(s)) out.push(BYTE_OFFSET + b);
  };
  if (opts.specials === false) {
    pushBytes(text);
  } else {
    let last = 0;
    for (const m of text.matchAll(SPECIAL_RE)) {
      pushBytes(text.slice(last, m.index));
      out.push(SPECIAL_ID.get(m[0])!);
      last = m.index + m[0].length;
    }
    pushBytes(text.slice(last));
  }
  return Int32Array.from(out);
}

/**
 * Ids -> text. Specials print as their literal strings unless skipSpecials (then <pad>, <bos>
 * and <eos> are dropped and the others still print). Byte runs decode as UTF-8; an invalid
 * sequence (possible in sampled output) becomes U+FFFD, so only valid text round-trips.
 */
export function decode(ids: ArrayLike<number>, opts: { skipSpecials?: boolean } = {}): string {
  let s = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length > 0) s += decoder.decode(Uint8Array.from(bytes));
    bytes = [];
  };
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= VOCAB_SIZE) {
      throw new TokenizerError(`token id ${id} at position ${i} is outside [0, ${VOCAB_SIZE})`);
    }
    if (id >= BYTE_OFFSET) {
      bytes.push(id - BYTE_OFFSET);
      continue;
    }
    flush();
    if (opts.skipSpecials && id <= TOKEN.eos) continue;
    s += SPECIAL_TOKENS[id];
  }
  flush();
  return s;
}

export type ChatRole = 'system' | 'user' | 'assistant';
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

const ROLE_ID: Record<ChatRole, number> = { system: TOKEN.system, user: TOKEN.user, assistant: TOKEN.assistant };

/**
 * The chat template: <bos> then, per message, <|role|> content <|end|>; with
 * generationPrompt (default true) it ends in <|assistant|> so that the policy continues
 * with its reply (<think> ... </think> answer <eos>). Message text is encoded without
 * specials, so a prompt cannot inject control tokens.
 */
export function encodeChat(messages: readonly ChatMessage[], opts: { generationPrompt?: boolean } = {}): Int32Array {
  const out: number[] = [TOKEN.bos];
  for (const m of messages) {
    out.push(ROLE_ID[m.role]);
    out.push(...encode(m.content, { specials: false }));
    out.push(TOKEN.end);
  }
  if (opts.generationPrompt ?? true) out.push(TOKEN.assistant);
  return Int32Array.from(out);
}

/** A response's ids up to (not including) the first <eos> or <pad>. */
export function trimResponse(ids: Int32Array): Int32Array {
  for (let i = 0; i < ids.length; i++) if (ids[i] === TOKEN.eos || ids[i] === TOKEN.pad) return ids.subarray(0, i);
  return ids;
}

/** The ids a recipe needs by role; null where the tokenizer has no such token. */
export interface SpecialIds {
  bos: number | null;
  eos: number | null;
  pad: number | null;
  /** The token that closes a chat turn (<|im_end|>, <|eot_id|>, ...; <|end|> here). */
  endOfTurn: number | null;
  think: number | null;
  endThink: number | null;
}

/**
 * What the recipe asks of a tokenizer, whichever it is: the embedded byte-level one
 * (`byteTokenizer`) or a model's own tokenizer.json (`HfTokenizer`, ops/model/hf-tokenizer.ts).
 */
export interface Tokenizer {
  readonly kind: 'byte' | 'hf';
  /** Ids are in [0, vocabSize). A model's embedding may have more rows (padding), never fewer. */
  readonly vocabSize: number;
  readonly special: Readonly<SpecialIds>;
  /** The ids that end a sampled reply (for the generator's stop test), in no particular order. */
  readonly stopIds: readonly number[];
  /** Text -> ids; special-token strings in the text become their ids, nothing is added around it. */
  encode(text: string): Int32Array;
  /** Ids -> text; specials print as their strings unless skipSpecials. Throws on an id outside the vocabulary. */
  decode(ids: ArrayLike<number>, opts?: { skipSpecials?: boolean }): string;
  /** True for an id in stopIds. */
  isStop(id: number): boolean;
}

/** The embedded byte-level tokenizer behind the Tokenizer interface; a reply stops at <eos>. */
export const byteTokenizer: Tokenizer = Object.freeze({
  kind: 'byte' as const,
  vocabSize: VOCAB_SIZE,
  special: Object.freeze({ bos: TOKEN.bos, eos: TOKEN.eos, pad: TOKEN.pad, endOfTurn: TOKEN.end, think: TOKEN.think, endThink: TOKEN.endThink }),
  stopIds: Object.freeze([TOKEN.eos]),
  encode: (text: string) => encode(text),
  decode: (ids: ArrayLike<number>, opts?: { skipSpecials?: boolean }) => decode(ids, opts),
  isStop: (id: number) => id === TOKEN.eos,
});

/** Throws unless every id of the tokenizer has a row in a model of `modelVocabSize` tokens. */
export function checkTokenizerFits(tok: Tokenizer, modelVocabSize: number): void {
  if (tok.vocabSize > modelVocabSize) {
    throw new TokenizerError(`the tokenizer has ${tok.vocabSize} ids but the model's vocab_size is ${modelVocabSize}: ids from ${modelVocabSize} on have no embedding`, 'BAD_TOKENIZER');
  }
}

/**
 * The token ids a model config (config.json) takes from its tokenizer: vocab_size its
 * vocabulary, eos_token_id the id that ends a reply (eos, else the end-of-turn token),
 * pad_token_id its pad (else eos), bos_token_id its bos (else pad, else eos: Qwen3 has no bos
 * and its config names <|endoftext|>). The byte tokenizer gives the engine's defaults (272, 2, 0, 1).
 */
export function tokenizerConfigIds(tok: Tokenizer): { vocab_size: number; bos_token_id: number; eos_token_id: number; pad_token_id: number } {
  const s = tok.special;
  const eos = s.eos ?? s.endOfTurn ?? tok.stopIds[0];
  return { vocab_size: tok.vocabSize, bos_token_id: s.bos ?? s.pad ?? eos, eos_token_id: eos, pad_token_id: s.pad ?? eos };
}
