// How a task becomes tokens and tokens become a response, for sampling, SFT and RL alike:
// the tokenizer's chat template with the question as the user turn, the reply continuing
// after <|assistant|> as `<think>...</think> ... \boxed{...}` and ending in <eos>.
import { decode, encode, encodeChat, TOKEN, trimResponse } from '../model/tokenizer.ts';

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
