// Heartbeats: each actor instance says who it is, its lifecycle state and its counters.
import { z } from 'zod';
import { Envelope } from './common.ts';

export const LifecycleState = z.enum(['INITIALIZED', 'RUNNING', 'DRAINING', 'STOPPED', 'FAILED']);
export type LifecycleState = z.infer<typeof LifecycleState>;

export const Heartbeat = Envelope.extend({
  kind: z.literal('heartbeat'),
  actor: z.string(),
  instance: z.string(),
  role: z.string(),
  pid: z.int(),
  /** The machine the instance runs on (os.hostname()). */
  host: z.string().optional(),
  state: LifecycleState,
  startedAt: z.number(),
  /** Metric name (a path such as `generator/tokens_per_s`) -> value. */
  metrics: z.record(z.string(), z.number()),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

/** A heartbeat older than this is stale (process gone or stuck); actors beat about once a second. */
export const STALE_MS = 5000;
