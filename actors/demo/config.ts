// Config of the demo flow's actors (the flow `ace up topologies/demo.json` runs before the
// RL loop exists, and the backbone's tests and bench drive).
import { z } from 'zod';

const Token = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a subject token: lower-case letters, digits, _');

export const DemoSourceConfig = z.strictObject({
  /** Messages this instance publishes. Default 10000. */
  count: z.int().min(0).default(10_000),
  /** Payload size per message, bytes. Default 2048. */
  payloadBytes: z.int().min(0).max(1_000_000).default(2048),
  /** Subject token to publish on (`<prefix>.demo.<to>`). Default `in`. */
  to: Token.default('in'),
  /** Actor whose consumer bounds the window (maxUnverified of the topology); none = unbounded. */
  downstream: z.string().optional(),
  /** Publishes awaiting their ack at once. Default 128. */
  pipeline: z.int().min(1).max(4096).default(128),
});
export type DemoSourceConfig = z.infer<typeof DemoSourceConfig>;

export const DemoStageConfig = z.strictObject({
  /** Subject token to consume (`<prefix>.demo.<from>`). */
  from: Token,
  /** Subject token to publish to; omitted = terminal stage. */
  to: Token.optional(),
  /** Busy CPU time per message, ms (a stand-in for verification cost). Default 0. */
  workMs: z.number().min(0).max(60_000).default(0),
  /** Messages handled at once by one instance. Default 64. */
  concurrency: z.int().min(1).max(4096).default(64),
  /** Redelivery delay for a message whose holder died without acking, ms. Default 30 s. */
  ackWaitMs: z.int().min(100).default(30_000),
});
export type DemoStageConfig = z.infer<typeof DemoStageConfig>;
