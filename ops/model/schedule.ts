// Learning-rate schedule: linear warmup from 0 to the peak, then constant or cosine decay to
// minLrRatio * peak at totalSteps (held there afterwards). A pure function of the step, so
// a resumed run needs only the step count. Not an optimizer (adamw.ts).
import { z } from 'zod';

export const LrSchedule = z.strictObject({
  /** Peak learning rate (default 1e-3 for the tiny policy; the paper's RL stage uses 1e-6 on 7B/14B). */
  peakLr: z.number().positive().default(1e-3),
  /** Linear warmup steps; step 0 trains at peakLr / warmupSteps (default 0: no warmup). */
  warmupSteps: z.number().int().min(0).default(0),
  /** After warmup: 'constant' (the paper's RL stages) or 'cosine' decay (default 'constant'). */
  kind: z.enum(['constant', 'cosine']).default('constant'),
  /** Steps at which cosine decay reaches its floor; required for 'cosine' (default 0). */
  totalSteps: z.number().int().min(0).default(0),
  /** Cosine floor as a fraction of peakLr (default 0.1). */
  minLrRatio: z.number().min(0).max(1).default(0.1),
}).refine((s) => s.kind === 'constant' || s.totalSteps > s.warmupSteps, {
  path: ['totalSteps'],
  message: 'cosine schedule needs totalSteps > warmupSteps',
});
export type LrSchedule = z.infer<typeof LrSchedule>;

/** The learning rate for 0-based optimizer step `step`. */
export function lrAt(s: LrSchedule, step: number): number {
  if (step < s.warmupSteps) return (s.peakLr * (step + 1)) / s.warmupSteps;
  if (s.kind === 'constant') return s.peakLr;
  const progress = Math.min(1, (step - s.warmupSteps) / (s.totalSteps - s.warmupSteps));
  const floor = s.peakLr * s.minLrRatio;
  return floor + (s.peakLr - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
