import { z } from 'zod';

export const GeneratorConfig = z.strictObject({
  /** ORT intra-op threads. Default 2 (this machine's cores). */
  threads: z.int().min(1).default(2),
  /** Let idle ORT threads busy-wait; off by default, as actors share the machine's cores. */
  spinWait: z.boolean().default(false),
  /** Tasks sampled together in one batch (each G rows). Default 8. */
  tasksPerBatch: z.int().min(1).max(1024).default(8),
  /** How long to wait for a batch to fill before sampling what is there, ms. Default 100. */
  lingerMs: z.int().min(0).default(100),
  /** Sampling temperature for training rollouts (the paper samples at 1.0). Default 1. */
  temperature: z.number().min(0).default(1),
  /** Nucleus mass for training rollouts. Default 1 (off). */
  topP: z.number().gt(0).max(1).default(1),
  /** Redelivery of a task whose generator died, ms. Default 120 s. */
  ackWaitMs: z.int().min(100).default(120_000),
});
export type GeneratorConfig = z.infer<typeof GeneratorConfig>;
