// Byte-level tokenizer with a few special tokens: lossless for any UTF-8 text, vocabulary
// of 272 (16 specials + 256 bytes) so the embedded tiny policy stays small.
//   ids 0..15   specials: 0 <pad>, 1 <bos>, 2 <eos>, 3 <think>, 4 </think>, 5 <|system|>,
//               6 <|user|>, 7 <|assistant|>, 8 <|end|> (end of a chat turn), 9..15 reserved
//   ids 16..271 the byte values 0..255 (id = 16 + byte)
// Not a BPE/subword tokenizer and not a Hugging Face tokenizer.json reader.

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

export class TokenizerError extends Error {
  readonly code: 'BAD_TOKEN_ID';
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
    this.code = 'BAD_TOKEN_ID';
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
