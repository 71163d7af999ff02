// Llama building blocks on graph-builder values, shared by the learner (transformer.ts) and
// the generator: linear (and its bias), RMSNorm (of the whole vector or per head, Qwen3's
// q/k norm), RoPE tables (with linear and llama3 scaling), RoPE, SwiGLU, head split/merge,
// GQA repeat and attention.
// Each function only adds nodes; weights come in as Values (graph inputs or initializers).
// Leading (batch, sequence) dims may be symbolic, as in the generator's graphs.
// Not a module system: no parameter ownership, no caching, no training-only ops.
import { type Graph, type Value, attr } from '../tensor/graph.ts';
import type { RopeScaling } from './config.ts';

/** Additive mask value for disallowed attention scores; exp() of it underflows to exactly 0. */
export const MASK_NEG = -1e9;

/**
 * y = x @ w^T for PyTorch-layout w [out, in]; x (..., in) -> (..., out). A 2-D x is one Gemm
 * (graph.ts folds the transpose into transB); numeric leading dims are flattened into one;
 * symbolic ones cannot be restored by a Reshape and stay a broadcasting MatMul, which ORT
 * runs as the same GEMM over the flattened rows.
 */
export function linear(g: Graph, x: Value, w: Value): Value {
  const inF = w.shape[1] as number;
  const outF = w.shape[0] as number;
  if (x.rank === 2) return g.matmul(x, g.t(w));
  const lead = x.shape.slice(0, -1);
  if (lead.some((d) => typeof d !== 'number')) return g.matmul(x, g.t(w));
  const y = g.matmul(g.reshape(x, [-1, inF]), g.t(w)); // (N, out)
  return g.reshape(y, [...(lead as number[]), outF]);
}

/**
 * RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * w;  x (..., D), w (D).
 * One fused ORT kernel (SimplifiedLayerNormalization) with its own gradient rule.
 */
export function rmsnorm(g: Graph, x: Value, w: Value, eps: number): Value {
  return g.rmsNorm(x, w, eps).y;
}

/**
 * RMSNorm of each head over head_dim (Qwen3's q_norm / k_norm): y (..., n*hd) is viewed as
 * (..., n, hd), normalized over hd with gain w (hd), and viewed back. Leading dims may be symbolic.
 */
export function headRmsnorm(g: Graph, y: Value, w: Value, heads: number, eps: number): Value {
  const hd = w.shape[0] as number;
  const lead = new Array<number>(y.rank - 1).fill(0);
  const split = g.reshape(y, [...lead, heads, hd]); // (..., n, hd)
  return g.reshape(rmsnorm(g, split, w, eps), [...lead, heads * hd]);
}

/** y + b for a bias b (out) on y (..., out); b absent: y unchanged. */
export function addBias(g: Graph, y: Value, b: Value | undefined): Value {
  return b ? g.add(y, b) : y;
}

/** The same RMSNorm from primitive ops (mul, mean, sqrt, reciprocal); a reference for tests. */
export function rmsnormPrimitive(g: Graph, x: Value, w: Value, eps: number): Value {
  const ms = g.reduceMean(g.mul(x, x), [-1], true); // (..., 1)
  const inv = g.reciprocal(g.sqrt(g.add(ms, eps))); // (..., 1)
  return g.mul(g.mul(x, inv), w);
}

/**
 * RoPE inverse frequencies, one per rotated pair (hd / 2), as transformers'
 * modeling_rope_utils computes them: inv_freq[i] = theta^(-2i/hd), then per scaling type
 *   linear  inv_freq / factor
 *   llama3  wavelength w = 2 pi / inv_freq against the original context C:
 *           w < C / high_freq_factor: kept; w > C / low_freq_factor: / factor;
 *           between: (1 - s) inv_freq / factor + s inv_freq, s = (C / w - low) / (high - low)
 * In float64 (rounded once, in the tables).
 */
export function ropeInvFreq(headDim: number, theta: number, scaling: RopeScaling | null = null): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = Math.pow(theta, (-2 * i) / headDim);
  if (!scaling) return inv;
  if (scaling.rope_type === 'linear') {
    for (let i = 0; i < half; i++) inv[i] /= scaling.factor;
    return inv;
  }
  const { factor, low_freq_factor: low, high_freq_factor: high, original_max_position_embeddings: ctx } = scaling;
  const lowWavelen = ctx / low;
  const highWavelen = ctx / high;
  for (let i = 0; i < half; i++) {
    const wavelen = (2 * Math.PI) / inv[i];
    if (wavelen > lowWavelen) inv[i] /= factor;
    else if (wavelen >= highWavelen) {
      const s = (ctx / wavelen - low) / (high - low);
      inv[i] = ((1 - s) * inv[i]) / factor + s * inv[i];
    }
  }
  return inv;
}

/**
 * RoPE tables (Hugging Face Llama convention): angle[p, i] = p * inv_freq[i] (ropeInvFreq,
 * theta^(-2i/hd) unscaled), cos/sin rows are [cos(angle), cos(angle)] (both halves).
 * Returns host arrays of shape (positions, hd) for rows 0..positions-1.
 */
export function ropeTables(positions: number, headDim: number, theta: number, scaling: RopeScaling | null = null): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const inv = ropeInvFreq(headDim, theta, scaling);
  const cos = new Float32Array(positions * headDim);
  const sin = new Float32Array(positions * headDim);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      // float64 angle then rounded once, so long positions do not accumulate float32 error.
      const a = p * inv[i];
      const c = Math.cos(a);
      const s = Math.sin(a);
      cos[p * headDim + i] = c;
      cos[p * headDim + half + i] = c;
      sin[p * headDim + i] = s;
      sin[p * headDim + half + i] = s;
    }
  }
  return { cos, sin };
}

/** rotate_half(x) = concat(-x2, x1) on the last axis, x = concat(x1, x2). */
export function rotateHalf(g: Graph, x: Value): Value {
  const hd = x.shape[x.rank - 1] as number;
  const [x1, x2] = g.split(x, -1, [hd / 2, hd / 2]);
  return g.concat([g.neg(x2), x1], -1);
}

/** RoPE: x * cos + rotate_half(x) * sin;  x (B, H, T, hd), cos/sin broadcastable, e.g. (T, hd) or (B, 1, T, hd). */
export function rope(g: Graph, x: Value, cos: Value, sin: Value): Value {
  return g.add(g.mul(x, cos), g.mul(rotateHalf(g, x), sin));
}

/** RoPE caches for ORT's RotaryEmbedding: (positions, hd/2) cos and sin of the angles above. */
export function ropeHalfTables(positions: number, headDim: number, theta: number, scaling: RopeScaling | null = null): { cos: Float32Array; sin: Float32Array } {
  const { cos, sin } = ropeTables(positions, headDim, theta, scaling);
  const half = headDim / 2;
  const pick = (t: Float32Array) => {
    const out = new Float32Array(positions * half);
    for (let p = 0; p < positions; p++) out.set(t.subarray(p * headDim, p * headDim + half), p * half);
    return out;
  };
  return { cos: pick(cos), sin: pick(sin) };
}

/**
 * RoPE as one fused ORT kernel (com.microsoft RotaryEmbedding, rotate_half convention):
 * x (B, T, H*hd) in token-major layout, positions (B, T) int64, caches (P, hd/2) from
 * ropeHalfTables. Same math as rope(); its gradient is the inverse rotation (sin -> -sin).
 */
export function ropeFused(g: Graph, x: Value, positions: Value, cosHalf: Value, sinHalf: Value, heads: number): Value {
  const out = { dtype: x.dtype, shape: x.shape };
  const attrs = { interleaved: attr.int(0), num_heads: attr.int(heads) };
  return g.node('RotaryEmbedding', [x, positions, cosHalf, sinHalf], attrs, [out], undefined, 'com.microsoft')[0];
}

/**
 * SwiGLU MLP: down(silu(gate(x)) * up(x)), silu(z) = z * sigmoid(z) (ORT QuickGelu, alpha 1);
 * x (..., D) -> (..., D).
 */
export function swiglu(g: Graph, x: Value, wGate: Value, wUp: Value, wDown: Value): Value {
  const gate = linear(g, x, wGate); // (..., I)
  const up = linear(g, x, wUp); // (..., I)
  return linear(g, g.mul(g.silu(gate), up), wDown);
}

/** (B, T, H*hd) -> (B, H, T, hd). */
export function splitHeads(g: Graph, x: Value, heads: number): Value {
  const c = x.shape[2] as number;
  return g.transpose(g.reshape(x, [0, 0, heads, c / heads]), [0, 2, 1, 3]);
}

/** (B, H, T, hd) -> (B, T, H*hd). */
export function mergeHeads(g: Graph, x: Value): Value {
  const h = x.shape[1] as number;
  const hd = x.shape[3] as number;
  return g.reshape(g.transpose(x, [0, 2, 1, 3]), [0, 0, h * hd]);
}

/** Grouped-query attention: (B, KVH, S, hd) -> (B, KVH*nRep, S, hd), each kv head repeated nRep times. */
export function repeatKv(g: Graph, x: Value, nRep: number): Value {
  if (nRep === 1) return x;
  const [b, kvh, s, hd] = x.shape as number[];
  const e = g.expand(g.unsqueeze(x, [2]), [b, kvh, nRep, s, hd]); // (B, KVH, nRep, S, hd)
  return g.reshape(e, [b, kvh * nRep, s, hd]);
}

/** Host (T, T) additive causal bias: 0 where key <= query, MASK_NEG above the diagonal. */
export function causalBiasData(t: number): Float32Array {
  const out = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) out[i * t + j] = MASK_NEG;
  return out;
}

/**
 * Scaled dot-product attention with additive biases, added in the order given:
 * softmax(q k^T / sqrt(hd) + bias...) v;  q (B, H, T, hd), k/v (B, H, S, hd), each bias
 * broadcastable to (B, H, T, S) (causalBiasData for training; a causal and a padding mask, or
 * a cache's key mask, in the generator).
 */
export function attention(g: Graph, q: Value, k: Value, v: Value, ...bias: Value[]): Value {
  // Scaling q (T*hd elements) instead of the scores (T*S) is the same math, cheaper.
  return attentionScaled(g, scaleQueries(g, q), k, v, ...bias);
}

/** q / sqrt(hd);  q (..., hd). */
export function scaleQueries(g: Graph, q: Value): Value {
  return g.mul(q, 1 / Math.sqrt(q.shape[q.rank - 1] as number));
}

/**
 * attention() for queries already scaled by scaleQueries. The generator scales before its
 * grouped-query Reshape because ORT folds a Mul that feeds a MatMul directly into the
 * MatMul's alpha, which gives other bits, and its samples are reproduced bit for bit.
 */
export function attentionScaled(g: Graph, qs: Value, k: Value, v: Value, ...bias: Value[]): Value {
  let scores = g.matmul(qs, g.t(k)); // (B, H, T, S)
  for (const b of bias) scores = g.add(scores, b);
  const p = g.softmax(scores, -1);
  return g.matmul(p, v); // (B, H, T, hd)
}
