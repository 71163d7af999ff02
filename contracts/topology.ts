// The topology file: which actors run, how many instances of each, and the stream limits.
// Validated once by `ace up`; unknown keys are errors that name the field.
import { z } from 'zod';
import { Id } from './common.ts';

/** A topology's prefix: its subjects, stream and bucket names start with it. */
export const TOPOLOGY_PREFIX_RE = /^[a-z][a-z0-9]{0,15}$/;

export const ActorKind = z.enum(['generator', 'verifier', 'normalizer', 'learner', 'demo-source', 'demo-stage']);
export type ActorKind = z.infer<typeof ActorKind>;

export const ActorName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'actor names are lower-case letters, digits and -');

export const ActorSpec = z.strictObject({
  kind: ActorKind,
  /** Processes to run for this actor; they share one durable consumer. Default 1. */
  instances: z.int().min(0).max(64).default(1),
  /** Actor-specific settings: checked against that actor's own schema before anything starts (tools/topology-file.ts). */
  config: z.record(z.string(), z.unknown()).default({}),
  /**
   * Scheduling niceness of this actor's processes (0 to 19, higher yields more; default 0).
   * On a machine with fewer cores than busy actors, a higher value on the off-critical-path
   * actors (verifier, learner while it accumulates) leaves the generator a core of its own.
   */
  nice: z.int().min(0).max(19).default(0),
});
export type ActorSpec = z.infer<typeof ActorSpec>;

export const StreamLimits = z.strictObject({
  /** Hard bound on messages per data stream (discard-new behind the maxUnverified window). */
  maxMsgs: z.int().min(1).default(1_000_000),
  /** Retention of recorded messages, seconds. Default 7 days. */
  maxAgeS: z.int().min(1).default(7 * 24 * 3600),
  /** Window within which a re-published msgID is dropped as a duplicate, seconds. */
  duplicateWindowS: z.int().min(1).default(600),
  storage: z.enum(['file', 'memory']).default('file'),
  /**
   * Copies of each stream, KV bucket and the object store across a NATS cluster: 1 (default) or 3
   * (R3: survives the loss of one server; needs a JetStream cluster of at least 3 servers).
   */
  replicas: z.literal([1, 3]).default(1),
});
export type StreamLimits = z.infer<typeof StreamLimits>;

export const Topology = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
  runId: Id.optional(),
  /** Subject and stream-name prefix, so several topologies can share one server. */
  prefix: z.string().regex(TOPOLOGY_PREFIX_RE).default('ace'),
  seed: z.int().default(1),
  /** Rollouts published and not yet verified, at most (design: backpressure). Default 64. */
  maxUnverified: z.int().min(1).default(64),
  streams: StreamLimits.default(StreamLimits.parse({})),
  actors: z.record(ActorName, ActorSpec).refine((a) => Object.keys(a).length > 0, 'at least one actor'),
});
export type Topology = z.infer<typeof Topology>;
export type TopologyInput = z.input<typeof Topology>;
