// The Llama-style causal transformer forward pass as builder nodes: token embedding, L blocks
// of (RMSNorm -> causal multi-head attention with RoPE and GQA -> residual, RMSNorm -> SwiGLU
// -> residual), final RMSNorm and the LM head (tied to the embedding unless configured not).
// Training-shaped (full sequence, no KV cache); the generator composes layers.ts itself.
import type { LlamaConfig } from './config.ts';
import { headDim, paramShapes } from './config.ts';
import type { Graph, Value } from '../tensor/graph.ts';
import { attention, causalBiasData, linear, mergeHeads, repeatKv, rmsnorm, ropeFused, ropeHalfTables, splitHeads, swiglu } from './layers.ts';
import { CodedError } from '../errors.ts';

export class TransformerError extends CodedError<'TOO_LONG' | 'MISSING_PARAM'> {}

/** Declares every parameter as a float32 graph input named as in paramShapes (HF names). */
export function paramInputs(g: Graph, config: LlamaConfig): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [name, shape] of paramShapes(config)) out.set(name, g.input(name, 'float32', shape));
  return out;
}

/**
 * Forward pass for a (B, T) int64 token batch, positions 0..T-1, causal mask.
 * Returns the final hidden states (B*T, D) and logits (B*T, V) (rows in batch-major order).
 */
export function buildForward(
  g: Graph,
  config: LlamaConfig,
  p: Map<string, Value>,
  tokens: Value,
): { hidden: Value; logits: Value } {
  const [B, T] = tokens.shape as number[];
  const D = config.hidden_size;
  const H = config.num_attention_heads;
  const KVH = config.num_key_value_heads;
  const hd = headDim(config);
  const eps = config.rms_norm_eps;
  if (T > config.max_position_embeddings) {
    throw new TransformerError('TOO_LONG', `sequence length ${T} exceeds max_position_embeddings ${config.max_position_embeddings}`);
  }
  const w = (name: string): Value => {
    const v = p.get(name);
    if (!v) throw new TransformerError('MISSING_PARAM', `parameter ${name} is not declared`);
    return v;
  };
  const { cos, sin } = ropeHalfTables(T, hd, config.rope_theta);
  const cosV = g.constant(cos, [T, hd / 2]);
  const sinV = g.constant(sin, [T, hd / 2]);
  const positions = g.constant(BigInt64Array.from({ length: B * T }, (_, i) => BigInt(i % T)), [B, T]);
  const bias = g.constant(causalBiasData(T), [T, T]);
  // Project (B*T, D) -> (B, T, heads*hd), rotate in token-major layout (one fused kernel), split heads.
  const project = (h: Value, wName: string, heads: number, rotate: boolean): Value => {
    const y = g.reshape(linear(g, h, w(wName)), [B, T, heads * hd]);
    return splitHeads(g, rotate ? ropeFused(g, y, positions, cosV, sinV, heads) : y, heads); // (B, heads, T, hd)
  };

  let x = g.reshape(g.gather(w('model.embed_tokens.weight'), tokens, 0), [B * T, D]); // (B*T, D)
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const pre = `model.layers.${l}`;
    const h = rmsnorm(g, x, w(`${pre}.input_layernorm.weight`), eps); // (B*T, D)
    const q = project(h, `${pre}.self_attn.q_proj.weight`, H, true); // (B, H, T, hd)
    const k = repeatKv(g, project(h, `${pre}.self_attn.k_proj.weight`, KVH, true), H / KVH); // (B, H, T, hd)
    const v = repeatKv(g, project(h, `${pre}.self_attn.v_proj.weight`, KVH, false), H / KVH);
    const a = attention(g, q, k, v, bias); // (B, H, T, hd)
    const o = linear(g, g.reshape(mergeHeads(g, a), [B * T, H * hd]), w(`${pre}.self_attn.o_proj.weight`)); // (B*T, D)
    x = g.add(x, o);
    const h2 = rmsnorm(g, x, w(`${pre}.post_attention_layernorm.weight`), eps);
    x = g.add(x, swiglu(g, h2, w(`${pre}.mlp.gate_proj.weight`), w(`${pre}.mlp.up_proj.weight`), w(`${pre}.mlp.down_proj.weight`)));
  }
  const hidden = rmsnorm(g, x, w('model.norm.weight'), eps); // (B*T, D)
  const head = config.tie_word_embeddings ? w('model.embed_tokens.weight') : w('lm_head.weight');
  const logits = linear(g, hidden, head); // (B*T, V)
  return { hidden, logits };
}

/**
 * Forward pass for R rows that continue one shared prefix (a GRPO group: one prompt, R
 * sampled responses), computing the prefix once. `ids` (N = P + R*T, int64) is the prefix
 * (P slots) then the rows (R x T slots) in row-major order; `positions` (N, 1) their
 * positions (a row's slot t sits at position prefixLength + t); `rowBias` (T, P + T) the
 * additive mask of a row query over [prefix keys, own keys] (padded prefix slots and later
 * row slots masked). The prefix attends causally to itself; each row to the prefix's keys
 * and values (shared, broadcast over rows) and causally to its own. Returns the rows' logits
 * (R*T, V): the prefix's are never computed.
 */
export function buildForwardShared(
  g: Graph,
  config: LlamaConfig,
  p: Map<string, Value>,
  inputs: { ids: Value; positions: Value; rowBias: Value },
  shape: { prefix: number; rows: number; length: number },
): { logits: Value } {
  const { prefix: P, rows: R, length: T } = shape;
  const N = P + R * T;
  const D = config.hidden_size;
  const H = config.num_attention_heads;
  const KVH = config.num_key_value_heads;
  const hd = headDim(config);
  const eps = config.rms_norm_eps;
  const w = (name: string): Value => {
    const v = p.get(name);
    if (!v) throw new TransformerError('MISSING_PARAM', `parameter ${name} is not declared`);
    return v;
  };
  const { cos, sin } = ropeHalfTables(config.max_position_embeddings, hd, config.rope_theta);
  const cosV = g.constant(cos, [config.max_position_embeddings, hd / 2]);
  const sinV = g.constant(sin, [config.max_position_embeddings, hd / 2]);
  const prefixBias = g.constant(causalBiasData(P), [P, P]);
  // Project all N slots in one product, rotate, then part into prefix (1, heads, P, hd) and rows (R, heads, T, hd).
  const project = (h: Value, wName: string, heads: number, rotate: boolean): [Value, Value] => {
    // One slot per rotary "batch" row: ORT's kernel wants sequences no longer than its cache.
    const y = g.reshape(linear(g, h, w(wName)), [N, 1, heads * hd]);
    const [yp, yr] = g.split(rotate ? ropeFused(g, y, inputs.positions, cosV, sinV, heads) : y, 0, [P, R * T]);
    return [splitHeads(g, g.reshape(yp, [1, P, heads * hd]), heads), splitHeads(g, g.reshape(yr, [R, T, heads * hd]), heads)];
  };
  let x = g.gather(w('model.embed_tokens.weight'), inputs.ids, 0); // (N, D)
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const pre = `model.layers.${l}`;
    const h = rmsnorm(g, x, w(`${pre}.input_layernorm.weight`), eps);
    const [qp, qr] = project(h, `${pre}.self_attn.q_proj.weight`, H, true);
    const [kp, kr] = project(h, `${pre}.self_attn.k_proj.weight`, KVH, true).map((v) => repeatKv(g, v, H / KVH));
    const [vp, vr] = project(h, `${pre}.self_attn.v_proj.weight`, KVH, false).map((v) => repeatKv(g, v, H / KVH));
    const ap = attention(g, qp, kp, vp, prefixBias); // (1, H, P, hd)
    const keys = g.concat([g.expand(kp, [R, H, P, hd]), kr], 2); // (R, H, P + T, hd)
    const values = g.concat([g.expand(vp, [R, H, P, hd]), vr], 2);
    const ar = attention(g, qr, keys, values, inputs.rowBias); // (R, H, T, hd)
    const a = g.concat([g.reshape(mergeHeads(g, ap), [P, H * hd]), g.reshape(mergeHeads(g, ar), [R * T, H * hd])], 0); // (N, H*hd)
    x = g.add(x, linear(g, a, w(`${pre}.self_attn.o_proj.weight`)));
    const h2 = rmsnorm(g, x, w(`${pre}.post_attention_layernorm.weight`), eps);
    x = g.add(x, swiglu(g, h2, w(`${pre}.mlp.gate_proj.weight`), w(`${pre}.mlp.up_proj.weight`), w(`${pre}.mlp.down_proj.weight`)));
  }
  const rows = g.slice(x, [0], [P], [N]); // (R*T, D): the prefix needs no logits
  const hidden = rmsnorm(g, rows, w('model.norm.weight'), eps);
  const head = config.tie_word_embeddings ? w('model.embed_tokens.weight') : w('lm_head.weight');
  return { logits: linear(g, hidden, head) };
}

/**
 * Model FLOPs of one forward+backward pass over `tokens` tokens of sequence length T
 * (PaLM appendix B convention): 6 N + 12 L T D per token, where N counts the weights used in
 * matmuls (attention and MLP projections and the LM head; not the embedding gather or norm
 * gains) and 12 L T D covers q k^T and p v over the full T x T score matrix as computed.
 */
export function trainFlops(config: LlamaConfig, tokens: number, T: number): number {
  const D = config.hidden_size;
  const hd = headDim(config);
  const Hq = config.num_attention_heads * hd;
  const Hkv = config.num_key_value_heads * hd;
  const perLayer = D * Hq + 2 * D * Hkv + Hq * D + 3 * D * config.intermediate_size;
  const N = config.num_hidden_layers * perLayer + config.vocab_size * D;
  return tokens * (6 * N + 12 * config.num_hidden_layers * T * Hq);
}
