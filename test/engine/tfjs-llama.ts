// Independent reference for the learner: the same Llama model and token-level PG loss written
// directly in tfjs-cpu (per sequence at its true length, no padding, oneHot instead of gather,
// tf.valueAndGrads for the backward), plus the gradient comparison used by the tests.
// Test support only; tfjs is a dev dependency.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { type LlamaConfig, paramShapes } from '../../ops/model/config.ts';
import type { Rng } from '../../ops/rng.ts';

export { tf };

/** Per-tensor relative L2 error bound, and elementwise |d| <= ATOL_REL * max|g_ref| + RTOL |g_ref|. */
export const TOL = { relL2: 1e-4, atolRel: 1e-5, rtol: 1e-3 } as const;

type TfParams = Record<string, tf.Tensor>;

/** Reference Llama forward for one sequence (T,) -> log-probs (T, V), written directly in tfjs. */
function tfLogProbs(c: LlamaConfig, p: TfParams, ids: number[]): tf.Tensor2D {
  const T = ids.length;
  const D = c.hidden_size;
  const H = c.num_attention_heads;
  const KVH = c.num_key_value_heads;
  const hd = D / H;
  const norm = (x: tf.Tensor2D, w: tf.Tensor): tf.Tensor2D =>
    tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), c.rms_norm_eps))), w) as tf.Tensor2D;
  const lin = (x: tf.Tensor2D, w: tf.Tensor): tf.Tensor2D => tf.matMul(x, w as tf.Tensor2D, false, true);
  // RoPE from angles computed in tfjs: pos * theta^(-2i/hd); HF rotate_half convention.
  const invFreq = tf.pow(c.rope_theta, tf.div(tf.mul(tf.range(0, hd / 2), -2), hd));
  const ang = tf.mul(tf.reshape(tf.range(0, T), [T, 1]), tf.reshape(invFreq, [1, hd / 2])); // (T, hd/2)
  const cos = tf.concat([tf.cos(ang), tf.cos(ang)], 1);
  const sin = tf.concat([tf.sin(ang), tf.sin(ang)], 1);
  const ropeHeads = (x: tf.Tensor2D, heads: number): tf.Tensor3D => {
    const xs = tf.transpose(tf.reshape(x, [T, heads, hd]), [1, 0, 2]) as tf.Tensor3D; // (h, T, hd)
    const x1 = tf.slice(xs, [0, 0, 0], [heads, T, hd / 2]);
    const x2 = tf.slice(xs, [0, 0, hd / 2], [heads, T, hd / 2]);
    const rot = tf.concat([tf.neg(x2), x1], 2);
    return tf.add(tf.mul(xs, cos), tf.mul(rot, sin)) as tf.Tensor3D;
  };
  const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // 1 on and below the diagonal
  let x = tf.gather(p['model.embed_tokens.weight'], tf.tensor1d(ids, 'int32')) as tf.Tensor2D; // (T, D)
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const pre = `model.layers.${l}`;
    const h = norm(x, p[`${pre}.input_layernorm.weight`]);
    const q = ropeHeads(lin(h, p[`${pre}.self_attn.q_proj.weight`]), H);
    let k = ropeHeads(lin(h, p[`${pre}.self_attn.k_proj.weight`]), KVH);
    let v = tf.transpose(tf.reshape(lin(h, p[`${pre}.self_attn.v_proj.weight`]), [T, KVH, hd]), [1, 0, 2]) as tf.Tensor3D;
    const rep = H / KVH;
    // kv head j serves query heads j*rep .. j*rep+rep-1
    k = tf.concat(Array.from({ length: KVH }, (_, j) => tf.tile(tf.slice(k, [j, 0, 0], [1, T, hd]), [rep, 1, 1])), 0);
    v = tf.concat(Array.from({ length: KVH }, (_, j) => tf.tile(tf.slice(v, [j, 0, 0], [1, T, hd]), [rep, 1, 1])), 0);
    const s = tf.div(tf.matMul(q, k, false, true), Math.sqrt(hd)); // (H, T, T)
    const masked = tf.where(tf.cast(tf.broadcastTo(causal, [H, T, T]), 'bool'), s, tf.fill([H, T, T], -1e30));
    const a = tf.matMul(tf.softmax(masked), v); // (H, T, hd)
    const merged = tf.reshape(tf.transpose(a, [1, 0, 2]), [T, H * hd]) as tf.Tensor2D;
    x = tf.add(x, lin(merged, p[`${pre}.self_attn.o_proj.weight`]));
    const h2 = norm(x, p[`${pre}.post_attention_layernorm.weight`]);
    const gate = lin(h2, p[`${pre}.mlp.gate_proj.weight`]);
    const up = lin(h2, p[`${pre}.mlp.up_proj.weight`]);
    x = tf.add(x, lin(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D, p[`${pre}.mlp.down_proj.weight`]));
  }
  const hN = norm(x, p['model.norm.weight']);
  const head = c.tie_word_embeddings ? p['model.embed_tokens.weight'] : p['lm_head.weight'];
  return tf.logSoftmax(lin(hN, head));
}

export interface Seq {
  ids: number[];
  start: number;
  adv: number;
}

export function refGrads(c: LlamaConfig, params: Map<string, Float32Array>, seqs: Seq[]): { loss: number; grads: Map<string, Float32Array> } {
  const shapes = paramShapes(c);
  const names = [...shapes.keys()];
  const total = seqs.reduce((s, q) => s + q.ids.length - q.start, 0);
  const vars = names.map((n) => tf.tensor(params.get(n)!, shapes.get(n)!));
  const f = (...ws: tf.Tensor[]): tf.Scalar => {
    const p: TfParams = Object.fromEntries(names.map((n, i) => [n, ws[i]]));
    let loss = tf.scalar(0);
    for (const s of seqs) {
      const T = s.ids.length - 1;
      const logp = tfLogProbs(c, p, s.ids.slice(0, T)); // (T, V)
      const onehot = tf.oneHot(tf.tensor1d(s.ids.slice(1), 'int32'), c.vocab_size);
      const picked = tf.sum(tf.mul(logp, onehot), 1); // (T,)
      const w = tf.tensor1d(Array.from({ length: T }, (_, t) => (t + 1 >= s.start ? s.adv : 0)));
      loss = tf.sub(loss, tf.sum(tf.mul(picked, w)));
    }
    return tf.div(loss, total) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(f)(vars);
  const out = new Map<string, Float32Array>();
  names.forEach((n, i) => out.set(n, grads[i].dataSync() as Float32Array));
  return { loss: value.dataSync()[0], grads: out };
}

export function compare(ours: Map<string, Float32Array>, ref: Map<string, Float32Array>): { worstRelL2: number; worstElem: number; where: string } {
  let worstRelL2 = 0;
  let worstElem = 0;
  let where = '';
  for (const [name, r] of ref) {
    const o = ours.get(name)!;
    let num = 0;
    let den = 0;
    let maxRef = 0;
    for (let i = 0; i < r.length; i++) maxRef = Math.max(maxRef, Math.abs(r[i]));
    for (let i = 0; i < r.length; i++) {
      const d = o[i] - r[i];
      num += d * d;
      den += r[i] * r[i];
      const e = Math.abs(d) / (TOL.atolRel * maxRef + TOL.rtol * Math.abs(r[i]) + 1e-12);
      if (e > worstElem) {
        worstElem = e;
        where = `${name}[${i}] ours ${o[i]} ref ${r[i]}`;
      }
    }
    const rel = Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-12);
    if (rel > worstRelL2) worstRelL2 = rel;
  }
  return { worstRelL2, worstElem, where };
}

export function makeSeqs(rng: Rng, V: number, lengths: number[]): Seq[] {
  return lengths.map((n, i) => ({
    ids: Array.from({ length: n }, () => rng.int(0, V - 1)),
    start: 1 + (i % Math.max(1, n - 2)),
    adv: [1, -0.5, 2, -1.25, 0.75][i % 5],
  }));
}

