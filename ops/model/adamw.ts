// AdamW (Loshchilov & Hutter: Adam with decoupled weight decay) over named fp32 tensors,
// plus global gradient-norm clipping. Runs in TypeScript on the learner's gradients after
// the ONNX backward pass; state (m, v, step) is saved by ops/model/checkpoint.ts.
// Not a learning-rate schedule (schedule.ts) and not gradient accumulation (learner.ts).
import { z } from 'zod';

export const AdamWConfig = z.strictObject({
  /** First-moment decay beta1 (default 0.9). */
  beta1: z.number().min(0).lt(1).default(0.9),
  /** Second-moment decay beta2 (default 0.999). */
  beta2: z.number().min(0).lt(1).default(0.999),
  /** Added to sqrt(v_hat) in the denominator (default 1e-8). */
  eps: z.number().positive().default(1e-8),
  /** Decoupled weight decay coefficient lambda, applied as p -= lr * lambda * p (default 0.01). */
  weightDecay: z.number().min(0).default(0.01),
  /** Exempt 1-D tensors (RMSNorm gains) from weight decay, as is usual for norms (default true). */
  noDecayOn1d: z.boolean().default(true),
  /** Clip the global L2 norm of all gradients to this (default 1.0; 0 disables). */
  maxGradNorm: z.number().min(0).default(1.0),
});
export type AdamWConfig = z.infer<typeof AdamWConfig>;

export class AdamWError extends Error {
  readonly code: 'GRAD_MISMATCH' | 'NON_FINITE_GRAD';
  /** The parameter at fault. */
  readonly tensor: string;
  constructor(code: AdamWError['code'], tensor: string, message: string) {
    super(message);
    this.name = 'AdamWError';
    this.code = code;
    this.tensor = tensor;
  }
}

/** L2 norm over every gradient tensor together, accumulated in float64. */
export function globalGradNorm(grads: ReadonlyMap<string, Float32Array>): number {
  let s = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return Math.sqrt(s);
}

/**
 * Scale all gradients in place so that their global norm is at most maxNorm (torch's
 * clip_grad_norm_: factor maxNorm / (norm + 1e-6), applied only when it is below 1).
 * Returns the norm before clipping and the factor used.
 */
export function clipGradNorm(grads: ReadonlyMap<string, Float32Array>, maxNorm: number): { norm: number; scale: number } {
  const norm = globalGradNorm(grads);
  const scale = maxNorm > 0 ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
  if (scale < 1) for (const g of grads.values()) for (let i = 0; i < g.length; i++) g[i] *= scale;
  return { norm, scale };
}

export interface AdamWState {
  /** Number of steps taken (bias correction uses step after increment). */
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export interface StepReport {
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Clip factor applied to the gradients (1 = not clipped). */
  clipScale: number;
  lr: number;
  step: number;
}

export class AdamW {
  readonly config: AdamWConfig;
  state: AdamWState;

  constructor(config: Partial<AdamWConfig> = {}, state?: AdamWState) {
    this.config = AdamWConfig.parse(config);
    this.state = state ?? { step: 0, m: new Map(), v: new Map() };
  }

  /**
   * One update of every parameter in place. Gradients are clipped in place first (if
   * maxGradNorm > 0). Every parameter must have a gradient of the same size, and every
   * gradient must be finite: a NaN would otherwise poison m and v for good.
   *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
   *   p -= lr * ( m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) + lambda p )
   */
  step(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>, lr: number): StepReport {
    for (const [name, p] of params) {
      const g = grads.get(name);
      if (!g) throw new AdamWError('GRAD_MISMATCH', name, `no gradient for parameter ${name}`);
      if (g.length !== p.length) {
        throw new AdamWError('GRAD_MISMATCH', name, `gradient of ${name} has ${g.length} values, parameter has ${p.length}`);
      }
    }
    for (const name of grads.keys()) {
      if (!params.has(name)) throw new AdamWError('GRAD_MISMATCH', name, `gradient ${name} has no parameter`);
    }
    // One pass for the norm; a non-finite value anywhere makes it non-finite, and only then
    // is the culprit looked for.
    const norm = globalGradNorm(grads);
    if (!Number.isFinite(norm)) {
      for (const [name, g] of grads) {
        for (let i = 0; i < g.length; i++) {
          if (!Number.isFinite(g[i])) throw new AdamWError('NON_FINITE_GRAD', name, `gradient of ${name}[${i}] is ${g[i]}`);
        }
      }
    }
    const maxNorm = this.config.maxGradNorm;
    const scale = maxNorm > 0 ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
    const { beta1: b1, beta2: b2, eps, weightDecay } = this.config;
    const t = ++this.state.step;
    const c1 = 1 / (1 - b1 ** t);
    const c2 = 1 / (1 - b2 ** t);
    const k1 = 1 - b1;
    const k2 = 1 - b2;
    for (const [name, p] of params) {
      const g = grads.get(name)!;
      let m = this.state.m.get(name);
      let v = this.state.v.get(name);
      if (!m || !v) {
        m = new Float32Array(p.length);
        v = new Float32Array(p.length);
        this.state.m.set(name, m);
        this.state.v.set(name, v);
      }
      const decay = this.config.noDecayOn1d && isOneD(name, p) ? 0 : weightDecay;
      const shrink = 1 - lr * decay;
      // Second pass: clip (in place, rounded to float32 as a separate clip would store it) and update.
      if (scale < 1) {
        for (let i = 0; i < p.length; i++) {
          const gi = (g[i] = Math.fround(g[i] * scale));
          const mi = b1 * m[i] + k1 * gi;
          const vi = b2 * v[i] + k2 * gi * gi;
          m[i] = mi;
          v[i] = vi;
          p[i] = p[i] * shrink - (lr * (mi * c1)) / (Math.sqrt(vi * c2) + eps);
        }
      } else {
        for (let i = 0; i < p.length; i++) {
          const gi = g[i];
          const mi = b1 * m[i] + k1 * gi;
          const vi = b2 * v[i] + k2 * gi * gi;
          m[i] = mi;
          v[i] = vi;
          p[i] = p[i] * shrink - (lr * (mi * c1)) / (Math.sqrt(vi * c2) + eps);
        }
      }
    }
    return { gradNorm: norm, clipScale: scale, lr, step: t };
  }
}

// RMSNorm gains are the only 1-D parameters of the Llama layout; we know them by name
// because the optimizer sees flat arrays without shapes.
function isOneD(name: string, _p: Float32Array): boolean {
  return name.endsWith('layernorm.weight') || name === 'model.norm.weight';
}
