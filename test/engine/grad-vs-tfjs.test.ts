// Whole-model gradients of the learner graph (our ONNX autodiff, bucketed and padded
// micro-batches) against an independent tfjs-cpu implementation of the same Llama model and
// token-level PG loss, run per sequence at its true length with tf.grads.
// Tolerance (also in docs/engine-api.md): per tensor, relative L2 error <= 1e-4, and every
// element within 1e-5 * max|g_ref| + 1e-3 * |g_ref| of the reference (both float32).
import { beforeAll, describe, expect, it } from 'vitest';
import { type LlamaConfig, initParams, parseLlamaConfig } from '../../ops/model/config.ts';
import { Learner } from '../../ops/model/learner.ts';
import { Rng } from '../../ops/rng.ts';
import { TOL, compare, makeSeqs, refGrads, tf } from './tfjs-llama.ts';

describe('whole-model gradients vs tfjs-cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const variants: { name: string; cfg: Partial<LlamaConfig> }[] = [
    { name: 'tied embeddings, GQA (H 4, KVH 2)', cfg: { tie_word_embeddings: true, num_key_value_heads: 2 } },
    { name: 'separate lm_head, MHA', cfg: { tie_word_embeddings: false, num_key_value_heads: 4 } },
  ];
  for (const v of variants) {
    it(v.name, async () => {
      const c = parseLlamaConfig({
        vocab_size: 40,
        hidden_size: 32,
        intermediate_size: 48,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        max_position_embeddings: 64,
        ...v.cfg,
      });
      const rng = new Rng(7);
      const params = initParams(c, rng);
      // Bigger weights than the 0.02 init, so that every path carries a sizeable gradient.
      for (const [name, a] of params) if (!name.endsWith('norm.weight')) for (let i = 0; i < a.length; i++) a[i] *= 10;
      for (const [name, a] of params) if (name.endsWith('norm.weight')) for (let i = 0; i < a.length; i++) a[i] = 0.5 + rng.next();
      const seqs = makeSeqs(rng, c.vocab_size, [9, 5, 12, 7, 16]);
      // Two buckets and a batch of 2 rows force padding rows, padded positions and three micro-batches.
      const learner = new Learner(c, params, { buckets: [{ batch: 2, length: 8 }, { batch: 2, length: 16 }], threads: 1 });
      const half = Math.ceil(seqs.length / 2);
      let lossSum = 0;
      for (const part of [seqs.slice(0, half), seqs.slice(half)]) {
        const r = await learner.accumulate({
          tokens: part.map((s) => Int32Array.from(s.ids)),
          responseStart: part.map((s) => s.start),
          advantages: part.map((s) => s.adv),
        });
        lossSum += r.lossSum;
      }
      const ours = learner.takeGrads();
      await learner.close();
      const ref = refGrads(c, params, seqs);
      expect(learner.lastStep!.tokenCount).toBe(seqs.reduce((s, q) => s + q.ids.length - q.start, 0));
      expect(learner.lastStep!.loss).toBeCloseTo(ref.loss, 4);
      expect(lossSum / learner.lastStep!.tokenCount).toBeCloseTo(ref.loss, 4);
      const cmp = compare(ours, ref.grads);
      console.log(`[grad-vs-tfjs] ${v.name}: worst per-tensor rel L2 ${cmp.worstRelL2.toExponential(2)}, worst elem ratio ${cmp.worstElem.toFixed(3)}`);
      expect(cmp.worstRelL2, cmp.where).toBeLessThanOrEqual(TOL.relL2);
      expect(cmp.worstElem, cmp.where).toBeLessThanOrEqual(1);
    });
  }
});
