// Fields every message on the wire carries. Ids are strings chosen by the producer so that
// a re-publish after a crash carries the same id (JetStream de-duplicates on it).
import { z } from 'zod';

export const Id = z.string().min(1).max(200).regex(/^[A-Za-z0-9._:-]+$/, 'ids use [A-Za-z0-9._:-] only');

/** The envelope: `runId`, `step`, `policyVersion` and the message's own `id`. */
export const Envelope = z.object({
  id: Id,
  runId: Id,
  step: z.int().min(0),
  policyVersion: z.int().min(0),
  /** Producer wall clock, ms since the epoch. */
  ts: z.number().nonnegative(),
});
export type Envelope = z.infer<typeof Envelope>;

export const Domain = z.enum(['math', 'code']);
export type Domain = z.infer<typeof Domain>;
