// The JetStream topology as data: streams, subjects, retention, KV buckets and the object
// store, derived from a topology file's prefix and limits, and which streams a topology's
// actors need. No I/O here (see manager.ts).
import type { ActorKind, StreamLimits, Topology } from '../contracts/topology.ts';

export const STREAM_KEYS = ['prompts', 'rollouts', 'verdicts', 'scored', 'policy', 'steps', 'dlq', 'demo', 'replay'] as const;
export type StreamKey = (typeof STREAM_KEYS)[number];

/** Streams a topology has only when it runs an actor of one of these kinds; the others it always has. */
const OPT_IN: Partial<Record<StreamKey, readonly ActorKind[]>> = { demo: ['demo-source', 'demo-stage'] };

/** The streams a topology creates: every stream but the opt-in ones its actors do not use. */
export function topologyStreams(t: Pick<Topology, 'actors'>): StreamKey[] {
  const kinds = new Set(Object.values(t.actors).map((a) => a.kind));
  return STREAM_KEYS.filter((key) => {
    const users = OPT_IN[key];
    return !users || users.some((k) => kinds.has(k));
  });
}

export interface StreamSpec {
  key: StreamKey;
  name: string;
  subjects: string[];
  retention: 'limits' | 'workqueue';
  discard: 'new' | 'old';
  maxMsgs: number;
  maxAgeS: number;
  duplicateWindowS: number;
  storage: 'file' | 'memory';
  /** Copies across a NATS cluster: 1 or 3 (StreamLimits.replicas). */
  replicas: 1 | 3;
  description: string;
}

/** Names of everything a prefix can have; a topology creates only `topologyStreams` of it. */
export interface TopologyNames {
  prefix: string;
  streams: Record<StreamKey, StreamSpec>;
  kv: { run: string; actors: string; curriculum: string };
  objectStore: string;
}

/** Subject for messages of one stream, e.g. subject('ace', 'rollouts', 'run1', 'g7') = 'ace.rollouts.run1.g7'. */
export function subject(prefix: string, key: StreamKey, ...tokens: string[]): string {
  return [prefix, key, ...tokens].join('.');
}

export function topologyNames(prefix: string, limits: StreamLimits): TopologyNames {
  const spec = (key: StreamKey, retention: StreamSpec['retention'], description: string, over: Partial<StreamSpec> = {}): StreamSpec => ({
    key,
    name: `${prefix.toUpperCase()}_${key.toUpperCase()}`,
    subjects: [`${prefix}.${key}.>`],
    retention,
    // discard-new makes the stream limit a hard bound that publishers feel, instead of
    // silently dropping the oldest unprocessed messages.
    discard: 'new',
    maxMsgs: limits.maxMsgs,
    maxAgeS: limits.maxAgeS,
    duplicateWindowS: limits.duplicateWindowS,
    storage: limits.storage,
    replicas: limits.replicas,
    description,
    ...over,
  });
  return {
    prefix,
    streams: {
      prompts: spec('prompts', 'workqueue', 'tasks to sample, one message per group; removed once a generator acks'),
      rollouts: spec('rollouts', 'limits', 'sampled responses, retained for inspection and replay'),
      verdicts: spec('verdicts', 'limits', 'verifier outcomes per rollout'),
      scored: spec('scored', 'limits', 'groups with normalized advantages, input of the learner'),
      policy: spec('policy', 'limits', 'policy version announcements (weights live in the object store)'),
      steps: spec('steps', 'limits', 'the ledger: one record per optimizer step'),
      dlq: spec('dlq', 'limits', 'dead letters: messages that failed validation, with their issues', { discard: 'old' }),
      demo: spec('demo', 'limits', 'the demo flow of `ace up topologies/demo.json` (only with demo actors)'),
      replay: spec('replay', 'limits', 're-published ranges from `ace replay`', { discard: 'old' }),
    },
    kv: { run: `${prefix}-run`, actors: `${prefix}-actors`, curriculum: `${prefix}-curriculum` },
    objectStore: `${prefix}-weights`,
  };
}

/** The stream that holds a subject, by prefix match. */
export function streamForSubject(names: TopologyNames, subj: string): StreamSpec | undefined {
  return Object.values(names.streams).find((s) => subj.startsWith(`${names.prefix}.${s.key}.`));
}
