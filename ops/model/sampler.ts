// Temperature + nucleus (top-p) sampling, twice: as graph nodes (sampleHead, used inside the
// generator's ONNX Loop) and as a float64 TypeScript reference (sampleToken, nucleus) that
// tests use to check the graph. Both consume one pre-drawn uniform u in [0, 1) per token.
// Not a decoder loop (generator.ts) and not a PRNG: uniforms come from ops/rng.ts.
//
// The rule, for logits z over V tokens, temperature t, top-p p and uniform u:
//   t == 0: the argmax (greedy).
//   t > 0, p < 1: q = softmax(z / t); sort q descending (ties: lower id first); keep the
//           shortest prefix whose mass reaches p (token k is kept iff the mass before it is
//           < p, so the top token is always kept); renormalise; pick the first kept token
//           whose cumulative mass exceeds u * (kept mass).
//   t > 0, p = 1: the same without the sort (an ONNX If skips TopK): the first token in id
//           order whose cumulative mass exceeds u * (total mass). Same distribution, another
//           map from u to token.
// The log-probability returned with each token is log softmax(z)[token]: the policy's own
// log-prob at temperature 1 without the top-p cut, which is what the policy-gradient loss
// differentiates (it is not the log-prob of the sampling distribution when t != 1 or p < 1).
import type { Graph, Value } from '../tensor/graph.ts';

export interface SampleHead {
  /** (B) int64 sampled ids. */
  token: Value;
  /** (B) float32 log softmax(logits)[token]. */
  logprob: Value;
}

/**
 * Sampling nodes on builder values: logits (B, V) float32, u (B) float32 uniforms,
 * temperature and topP float32 scalars (runtime inputs, so one graph serves every setting).
 */
export function sampleHead(g: Graph, logits: Value, u: Value, temperature: Value, topP: Value): SampleHead {
  const V = logits.shape[1];
  if (typeof V !== 'number') throw new Error(`sampleHead: vocabulary dim of ${logits} must be static`);
  // (B, V): dividing by max(t, 1e-6) keeps t == 0 finite; that branch is replaced by argmax below.
  const scaled = g.div(logits, g.max(temperature, 1e-6));
  const probs = g.softmax(scaled, -1);
  const target = (b: Graph, total: Value) => b.mul(b.unsqueeze(u, [1]), total); // (B, 1)
  // The chosen slot is the first whose cumulative mass exceeds target, i.e. the number of
  // slots with cumulative mass <= target, clamped to the last eligible slot because rounding
  // can put target at or above the final cumulative mass when u is within 2^-24 of 1.
  const firstAbove = (b: Graph, cum: Value, t: Value, last: Value) =>
    b.min(b.reduceSum(b.cast(b.not(b.greater(cum, t)), 'int64'), [1], true), last); // (B, 1)
  const [drawn] = g.ifElse(
    g.less(topP, 1),
    (b) => {
      const [sorted, order] = b.topK(probs, V, -1); // (B, V) descending, (B, V) ids
      const cum = b.cumSum(sorted, 1); // inclusive prefix mass
      const keep = b.less(b.sub(cum, sorted), topP); // (B, V): mass before the rank < p
      const kept = b.where(keep, sorted, 0);
      const keptCum = b.cumSum(kept, 1); // (B, V)
      const total = b.reduceSum(kept, [1], true); // (B, 1)
      const lastKept = b.sub(b.reduceSum(b.cast(keep, 'int64'), [1], true), b.scalar(1, 'int64')); // (B, 1)
      const rank = firstAbove(b, keptCum, target(b, total), lastKept);
      return [b.squeeze(b.gatherElements(order, rank, 1), [1])];
    },
    (b) => {
      // p = 1: no cut, so no sort; inverse CDF over the ids in id order.
      const cum = b.cumSum(probs, 1); // (B, V)
      const total = b.gather(cum, b.constant(new BigInt64Array([BigInt(V - 1)]), [1]), 1); // (B, 1)
      const id = firstAbove(b, cum, target(b, total), b.scalar(V - 1, 'int64'));
      return [b.squeeze(id, [1])];
    },
  );
  const greedy = g.argMax(logits, 1); // (B)
  const token = g.where(g.greater(temperature, 0), drawn, greedy);
  const logprobs = g.logSoftmax(logits, -1); // (B, V)
  const logprob = g.squeeze(g.gatherElements(logprobs, g.unsqueeze(token, [1]), 1), [1]);
  return { token, logprob };
}

/** The kept set and its renormalised probabilities for (z, t, p), float64, in sorted order. */
export function nucleus(logits: ArrayLike<number>, temperature: number, topP: number): { ids: number[]; probs: number[] } {
  const V = logits.length;
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < V; i++) if (logits[i] > logits[best]) best = i;
    return { ids: [best], probs: [1] };
  }
  let mx = -Infinity;
  for (let i = 0; i < V; i++) mx = Math.max(mx, logits[i] / temperature);
  const q = new Float64Array(V);
  let s = 0;
  for (let i = 0; i < V; i++) s += q[i] = Math.exp(logits[i] / temperature - mx);
  for (let i = 0; i < V; i++) q[i] /= s;
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => q[b] - q[a] || a - b);
  const ids: number[] = [];
  const probs: number[] = [];
  let mass = 0;
  for (const i of order) {
    if (mass >= topP) break;
    ids.push(i);
    probs.push(q[i]);
    mass += q[i];
  }
  return { ids, probs: probs.map((x) => x / mass) };
}

/** log softmax(z)[id] in float64. */
export function logSoftmaxAt(logits: ArrayLike<number>, id: number): number {
  let mx = -Infinity;
  for (let i = 0; i < logits.length; i++) mx = Math.max(mx, logits[i]);
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += Math.exp(logits[i] - mx);
  return logits[id] - mx - Math.log(s);
}

/** The reference sampler: the same rule as sampleHead, in float64. */
export function sampleToken(logits: ArrayLike<number>, temperature: number, topP: number, u: number): { token: number; logprob: number } {
  const n = nucleus(logits, temperature, topP);
  let { ids, probs } = n;
  if (temperature > 0 && topP >= 1) {
    // Id order, as the graph's p = 1 branch.
    const perm = ids.map((id, i) => [id, probs[i]] as const).sort((a, b) => a[0] - b[0]);
    ids = perm.map((x) => x[0]);
    probs = perm.map((x) => x[1]);
  }
  let c = 0;
  let k = 0;
  for (; k < ids.length - 1; k++) {
    c += probs[k];
    if (c > u) break;
  }
  return { token: ids[k], logprob: logSoftmaxAt(logits, ids[k]) };
}
