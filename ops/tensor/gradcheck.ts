// Finite-difference gradient check for builder graphs: builds f(inputs) -> y, takes the
// scalar L = sum(y * R) for a fixed random R, differentiates it with autodiff.ts, and compares
// against central differences of L evaluated in float64 from ORT's float32 outputs.
// A test helper, not a training tool: it runs one ORT session per check, on tiny shapes.
import { Rng } from '../rng.ts';
import { gradients } from './autodiff.ts';
import { Graph, type Value } from './graph.ts';
import { createSession, tensor } from './session.ts';

export interface GradInput {
  shape: number[];
  /** Float inputs are checked; int64 inputs are fixed data (indices). */
  dtype?: 'float32' | 'int64';
  /** Explicit data (default: N(0,1), or |N|+0.5 when `positive`). */
  data?: Float32Array | BigInt64Array;
  positive?: boolean;
}

export interface GradCheckResult {
  /** Worst |analytic - numeric| / (atol + rtol |numeric|) over checked coordinates; <= 1 passes. */
  worst: number;
  checked: number;
  /** Ops in the built graph (forward part), for coverage bookkeeping. */
  ops: string[];
  detail: string;
}

export async function gradCheck(
  build: (g: Graph, xs: Value[]) => Value,
  inputs: GradInput[],
  opts: { seed?: number; eps?: number; atol?: number; rtol?: number; maxCoords?: number } = {},
): Promise<GradCheckResult> {
  const rng = new Rng(opts.seed ?? 1);
  const eps = opts.eps ?? 1e-2;
  const atol = opts.atol ?? 1e-3;
  const rtol = opts.rtol ?? 1e-2;
  const maxCoords = opts.maxCoords ?? 24;

  const g = new Graph('gradcheck');
  const xs = inputs.map((s, i) => g.input(`x${i}`, s.dtype ?? 'float32', s.shape));
  const y = build(g, xs);
  const ops = [...new Set(g.nodes.map((n) => n.op))];
  const ySize = (y.shape as number[]).reduce((p, q) => p * q, 1);
  const r = new Float32Array(ySize);
  for (let i = 0; i < ySize; i++) r[i] = rng.normal();
  const loss = g.sumAll(g.mul(y, g.constant(r, y.shape as number[])));
  const floatIdx = inputs.map((s, i) => ((s.dtype ?? 'float32') === 'float32' ? i : -1)).filter((i) => i >= 0);
  const grads = gradients(g, loss, floatIdx.map((i) => xs[i]));
  g.output(y, 'y');
  grads.forEach((d, k) => g.output(d, `d${floatIdx[k]}`));
  const session = await createSession(g, { graphOptimizationLevel: 'basic' });

  const data = inputs.map((s) => {
    if (s.data) return s.data;
    const n = s.shape.reduce((p, q) => p * q, 1);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = s.positive ? Math.abs(rng.normal()) + 0.5 : rng.normal();
    return a;
  });
  const feeds = () => Object.fromEntries(data.map((d, i) => [`x${i}`, tensor(d, inputs[i].shape)]));
  const lossAt = async (): Promise<number> => {
    const out = await session.run(feeds());
    const yd = out.y.data as Float32Array;
    let s = 0;
    for (let i = 0; i < yd.length; i++) s += yd[i] * r[i];
    return s;
  };
  const out = await session.run(feeds());
  let worst = 0;
  let checked = 0;
  let detail = '';
  for (const i of floatIdx) {
    const x = data[i] as Float32Array;
    const an = out[`d${i}`].data as Float32Array;
    const coords = x.length <= maxCoords ? [...x.keys()] : Array.from({ length: maxCoords }, () => rng.int(0, x.length - 1));
    for (const c of coords) {
      const orig = x[c];
      x[c] = orig + eps;
      const lp = await lossAt();
      x[c] = orig - eps;
      const lm = await lossAt();
      x[c] = orig;
      const num = (lp - lm) / (2 * eps);
      const ratio = Math.abs(an[c] - num) / (atol + rtol * Math.abs(num));
      checked++;
      if (ratio > worst) {
        worst = ratio;
        detail = `input ${i} coord ${c}: analytic ${an[c]} numeric ${num}`;
      }
    }
  }
  await session.release();
  return { worst, checked, ops, detail };
}
