// The Llama-style causal transformer as builder nodes: token embedding, L decoder blocks of
// (RMSNorm -> attention with RoPE and GQA -> residual, RMSNorm -> SwiGLU -> residual), final
// RMSNorm and the LM head (tied to the embedding unless configured not). The families of
// config.ts differ inside attention only: q/k/v(/o) biases (qwen2; llama and qwen3 with
// attention_bias), per-head RMSNorm of queries and keys before RoPE (qwen3), and head_dim
// apart from hidden_size / heads. decoderLayer is the one definition of a block: the
// learner's forward passes below and the generator's prefill and cached decode step
// (generator.ts) differ only in the Attention they hand it.
// The forward passes here are training-shaped (full sequences, no KV cache, no sampling).
import type { LlamaConfig, ModelDims } from './config.ts';
import { modelDims, paramShapes } from './config.ts';
import type { Graph, Value } from '../tensor/graph.ts';
import { addBias, attention, causalBiasData, headRmsnorm, linear, mergeHeads, repeatKv, rmsnorm, ropeFused, ropeHalfTables, splitHeads, swiglu } from './layers.ts';
import { CodedError } from '../errors.ts';

export class TransformerError extends CodedError<'TOO_LONG' | 'MISSING_PARAM'> {}

/** Declares every parameter as a float32 graph input named as in paramShapes (HF names). */
export function paramInputs(g: Graph, config: LlamaConfig): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [name, shape] of paramShapes(config)) out.set(name, g.input(name, 'float32', shape));
  return out;
}

/** A declared parameter by HF name. */
export function param(p: ReadonlyMap<string, Value>, name: string): Value {
  const v = p.get(name);
  if (!v) throw new TransformerError('MISSING_PARAM', `parameter ${name} is not declared`);
  return v;
}

/**
 * One block's weights (model.layers.{l}.*); projections in PyTorch layout [out, in]. The
 * optional ones are present when the config declares them (paramShapes): biases (out) and
 * the per-head q/k RMSNorm gains (hd).
 */
export interface LayerWeights {
  inputNorm: Value;
  q: Value;
  k: Value;
  v: Value;
  o: Value;
  postNorm: Value;
  gate: Value;
  up: Value;
  down: Value;
  qBias?: Value;
  kBias?: Value;
  vBias?: Value;
  oBias?: Value;
  qNorm?: Value;
  kNorm?: Value;
}

export function layerWeights(p: ReadonlyMap<string, Value>, l: number): LayerWeights {
  const w = (name: string) => param(p, `model.layers.${l}.${name}.weight`);
  const opt = (name: string) => p.get(`model.layers.${l}.${name}`);
  return {
    inputNorm: w('input_layernorm'),
    q: w('self_attn.q_proj'),
    k: w('self_attn.k_proj'),
    v: w('self_attn.v_proj'),
    o: w('self_attn.o_proj'),
    postNorm: w('post_attention_layernorm'),
    gate: w('mlp.gate_proj'),
    up: w('mlp.up_proj'),
    down: w('mlp.down_proj'),
    qBias: opt('self_attn.q_proj.bias'),
    kBias: opt('self_attn.k_proj.bias'),
    vBias: opt('self_attn.v_proj.bias'),
    oBias: opt('self_attn.o_proj.bias'),
    qNorm: opt('self_attn.q_norm.weight'),
    kNorm: opt('self_attn.k_norm.weight'),
  };
}

/**
 * What a graph supplies to decoderLayer: the head layout (with RoPE) and the attention. T is
 * the graph's handle on one projection (a tensor, or a (prefix, rows) pair). RoPE stays with
 * the graph because the learner's fused RotaryEmbedding and the generator's composite rope()
 * differ in the last bits, and each side's numbers are reproduced bit for bit.
 */
export interface Attention<T> {
  /** A projection (..., n*hd) into the layout attend() reads, RoPE applied when `rotate` (queries, keys). */
  heads(y: Value, n: number, rotate: boolean): T;
  /** The new queries over the new keys and values and any the graph keeps; heads merged (..., H*hd). */
  attend(q: T, k: T, v: T): Value;
}

/**
 * One decoder block on the residual stream x (..., D), the leading dims the graph's own:
 *   h  = RMSNorm(x);   x += o_proj(attend(heads(qn(q_proj h)), heads(kn(k_proj h)), heads(v_proj h)))
 *   h2 = RMSNorm(x);   x += down(silu(gate h2) * up h2)
 * where a projection adds its bias when it has one, and qn / kn are the per-head RMSNorms
 * of qwen3 (identity otherwise), applied before heads() rotates.
 */
export function decoderLayer<T>(g: Graph, d: ModelDims, w: LayerWeights, x: Value, att: Attention<T>): Value {
  const h = rmsnorm(g, x, w.inputNorm, d.eps); // (..., D)
  const proj = (wt: Value, b: Value | undefined, norm: Value | undefined, n: number) => {
    const y = addBias(g, linear(g, h, wt), b); // (..., n*hd)
    return norm ? headRmsnorm(g, y, norm, n, d.eps) : y;
  };
  const q = att.heads(proj(w.q, w.qBias, w.qNorm, d.H), d.H, true);
  const k = att.heads(proj(w.k, w.kBias, w.kNorm, d.KVH), d.KVH, true);
  const v = att.heads(proj(w.v, w.vBias, undefined, d.KVH), d.KVH, false);
  x = g.add(x, addBias(g, linear(g, att.attend(q, k, v), w.o), w.oBias)); // (..., D)
  const h2 = rmsnorm(g, x, w.postNorm, d.eps);
  return g.add(x, swiglu(g, h2, w.gate, w.up, w.down));
}

/** Final RMSNorm and the LM head (the embedding when tied): x (..., D) -> hidden (..., D), logits (..., V). */
export function lmHead(g: Graph, config: LlamaConfig, p: ReadonlyMap<string, Value>, x: Value): { hidden: Value; logits: Value } {
  const hidden = rmsnorm(g, x, param(p, 'model.norm.weight'), config.rms_norm_eps);
  const head = param(p, config.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
  return { hidden, logits: linear(g, hidden, head) };
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
  const d = modelDims(config);
  const { H, hd } = d;
  if (T > config.max_position_embeddings) {
    throw new TransformerError('TOO_LONG', `sequence length ${T} exceeds max_position_embeddings ${config.max_position_embeddings}`);
  }
  const { cos, sin } = ropeHalfTables(T, hd, d.theta, d.ropeScaling);
  const cosV = g.constant(cos, [T, hd / 2]);
  const sinV = g.constant(sin, [T, hd / 2]);
  const positions = g.constant(BigInt64Array.from({ length: B * T }, (_, i) => BigInt(i % T)), [B, T]);
  const bias = g.constant(causalBiasData(T), [T, T]);
  const att: Attention<Value> = {
    // (B*T, n*hd) -> (B, n, T, hd): rotated in token-major layout (one fused kernel), then split; kv heads repeated to H.
    heads: (y, n, rotate) => {
      const t = g.reshape(y, [B, T, n * hd]);
      return repeatKv(g, splitHeads(g, rotate ? ropeFused(g, t, positions, cosV, sinV, n) : t, n), H / n);
    },
    attend: (q, k, v) => g.reshape(mergeHeads(g, attention(g, q, k, v, bias)), [B * T, H * hd]), // (B*T, H*hd)
  };
  let x = g.reshape(g.gather(param(p, 'model.embed_tokens.weight'), tokens, 0), [B * T, d.D]); // (B*T, D)
  for (let l = 0; l < d.L; l++) x = decoderLayer(g, d, layerWeights(p, l), x, att);
  return lmHead(g, config, p, x);
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
  const d = modelDims(config);
  const { H, hd } = d;
  const maxPos = config.max_position_embeddings;
  const { cos, sin } = ropeHalfTables(maxPos, hd, d.theta, d.ropeScaling);
  const cosV = g.constant(cos, [maxPos, hd / 2]);
  const sinV = g.constant(sin, [maxPos, hd / 2]);
  const prefixBias = g.constant(causalBiasData(P), [P, P]);
  const att: Attention<[Value, Value]> = {
    // All N slots were projected in one product; rotate, then part into prefix (1, H, P, hd) and rows (R, H, T, hd).
    heads: (y, n, rotate) => {
      // One slot per rotary "batch" row: ORT's kernel wants sequences no longer than its cache.
      const t = g.reshape(y, [N, 1, n * hd]);
      const [yp, yr] = g.split(rotate ? ropeFused(g, t, inputs.positions, cosV, sinV, n) : t, 0, [P, R * T]);
      const parts = [splitHeads(g, g.reshape(yp, [1, P, n * hd]), n), splitHeads(g, g.reshape(yr, [R, T, n * hd]), n)];
      return parts.map((v) => repeatKv(g, v, H / n)) as [Value, Value];
    },
    attend: ([qp, qr], [kp, kr], [vp, vr]) => {
      const ap = attention(g, qp, kp, vp, prefixBias); // (1, H, P, hd)
      const keys = g.concat([g.expand(kp, [R, H, P, hd]), kr], 2); // (R, H, P + T, hd)
      const values = g.concat([g.expand(vp, [R, H, P, hd]), vr], 2);
      const ar = attention(g, qr, keys, values, inputs.rowBias); // (R, H, T, hd)
      return g.concat([g.reshape(mergeHeads(g, ap), [P, H * hd]), g.reshape(mergeHeads(g, ar), [R * T, H * hd])], 0); // (N, H*hd)
    },
  };
  let x = g.gather(param(p, 'model.embed_tokens.weight'), inputs.ids, 0); // (N, D)
  for (let l = 0; l < d.L; l++) x = decoderLayer(g, d, layerWeights(p, l), x, att);
  const rows = g.slice(x, [0], [P], [N]); // (R*T, D): the prefix needs no logits
  return { logits: lmHead(g, config, p, rows).logits };
}

/**
 * Model FLOPs of one forward+backward pass over `tokens` tokens of sequence length T
 * (PaLM appendix B convention): 6 N + 12 L T D per token, where N counts the weights used in
 * matmuls (attention and MLP projections and the LM head; not the embedding gather or norm
 * gains) and 12 L T D covers q k^T and p v over the full T x T score matrix as computed.
 */
export function trainFlops(config: LlamaConfig, tokens: number, T: number): number {
  const { D, H, KVH, hd, I, V, L } = modelDims(config);
  const Hq = H * hd;
  const Hkv = KVH * hd;
  const perLayer = D * Hq + 2 * D * Hkv + Hq * D + 3 * D * I;
  const N = L * perLayer + V * D;
  return tokens * (6 * N + 12 * L * T * Hq);
}
