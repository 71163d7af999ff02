// Full-size learner checks, too slow for `npm test`: the default policy config (d_model 256,
// 4 layers, vocab 272, tied head) against the tfjs-cpu reference on sequences up to 96
// tokens, through three buckets; and SFT overfitting of a batch at that size.
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../../ops/model/adamw.ts';
import { initParams, parseLlamaConfig } from '../../ops/model/config.ts';
import { Learner } from '../../ops/model/learner.ts';
import { Rng } from '../../ops/rng.ts';
import { TOL, compare, makeSeqs, refGrads, tf } from '../engine/tfjs-llama.ts';

describe('learner at full size', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gradients agree with tfjs-cpu', async () => {
    const c = parseLlamaConfig({});
    const rng = new Rng(3);
    const params = initParams(c, rng);
    const seqs = makeSeqs(rng, c.vocab_size, [96, 40, 70, 20, 65]);
    const learner = new Learner(c, params, { buckets: [{ batch: 2, length: 32 }, { batch: 2, length: 64 }, { batch: 2, length: 96 }], threads: 2 });
    await learner.accumulate({ tokens: seqs.map((s) => Int32Array.from(s.ids)), responseStart: seqs.map((s) => s.start), advantages: seqs.map((s) => s.adv) });
    const ours = learner.takeGrads();
    await learner.close();
    const ref = refGrads(c, params, seqs);
    expect(learner.lastStep!.loss).toBeCloseTo(ref.loss, 4);
    const cmp = compare(ours, ref.grads);
    console.log(`[full-size] worst per-tensor rel L2 ${cmp.worstRelL2.toExponential(2)}, worst elem ratio ${cmp.worstElem.toFixed(3)}`);
    expect(cmp.worstRelL2, cmp.where).toBeLessThanOrEqual(TOL.relL2);
    expect(cmp.worstElem, cmp.where).toBeLessThanOrEqual(1);
  });

  it('overfits a batch of 4 x 64 tokens (SFT)', async () => {
    const c = parseLlamaConfig({});
    const rng = new Rng(4);
    const p = initParams(c, rng);
    const tokens = Array.from({ length: 4 }, () => Int32Array.from({ length: 65 }, () => rng.int(3, c.vocab_size - 1)));
    const learner = new Learner(c, p, { buckets: [{ batch: 4, length: 64 }], threads: 2 });
    const opt = new AdamW({ weightDecay: 0 });
    let loss = Infinity;
    for (let step = 0; step < 200 && loss > 0.05; step++) {
      await learner.accumulate({ tokens, responseStart: [1, 1, 1, 1], advantages: [1, 1, 1, 1] });
      opt.step(learner.params, learner.takeGrads(), 3e-3);
      loss = learner.lastStep!.loss;
    }
    console.log(`[full-size] SFT loss after overfitting: ${loss.toFixed(4)}`);
    expect(loss).toBeLessThan(0.1);
    await learner.close();
  });
});
