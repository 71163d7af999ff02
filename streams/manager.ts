// Control plane: make the JetStream topology exist as described (idempotent: add what is
// missing, update what differs, leave data alone), and read its state for status/monitor.
// Data flow lives in source.ts / sink.ts.
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { ClosedConnectionError, connect, nanos, type NatsConnection, NoRespondersError, TimeoutError } from '@nats-io/transport-node';
import type { Topology } from '../contracts/topology.ts';
import { accessOptions } from './auth.ts';
import { CodedError } from '../ops/errors.ts';
import { type StreamSpec, type TopologyNames, topologyNames, topologyStreams } from './topology.ts';

export class TopologyError extends CodedError<'REPLICAS_UNSUPPORTED' | 'REPLICAS_NO_PEERS' | 'BAD_NATS_URL'> {}

export interface ConsumerSpec {
  stream: string;
  /** Durable name; all instances of an actor share it, so they split the work. */
  durable: string;
  filterSubject: string;
  /** Redelivery after this long without ack, ms. Default 30 s. */
  ackWaitMs?: number;
  /** Delivered-but-unacked messages across all instances, at most. Default 1000. */
  maxAckPending?: number;
  /** Deliveries of one message before it is given up. Default 20. */
  maxDeliver?: number;
}

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  // noAsyncTraces: no stack trace captured up front for every request (each JetStream
  // publish awaits its ack as one): a measurable share of an actor's CPU per message.
  // A ping every 5 s, 3 unanswered and the connection is given up: a server cut off without a
  // reset (a pulled cable, a partition) is left for another of the cluster in about 20 s, not
  // the 4 minutes of the client's defaults, while a busy one is not mistaken for dead.
  // accessOptions: the user, inbox prefix and CA of ACE_NATS_CREDS / ACE_NATS_CA (auth.ts); none set, none used.
  // ACE_NATS_TRACES=1 keeps them, to see which call a timeout came from.
  return connect({ servers: natsServers(url), name, maxReconnectAttempts: -1, reconnectTimeWait: 250, noAsyncTraces: process.env.ACE_NATS_TRACES !== '1', pingInterval: 5000, maxPingOut: 3, ...accessOptions() });
}

/** JetStream's "system temporarily unavailable": a stream or the meta layer electing a leader. */
const JS_CLUSTER_NOT_AVAILABLE = 10008;

/**
 * Whether `err` (or an error it wraps) is one a working broker gives while a cluster elects a
 * leader or a server fails over: a request timed out or found no responder, the connection was
 * closed under it, or JetStream said it is temporarily unavailable. Retrying after a while
 * succeeds; it says nothing about the work itself.
 */
export function isTransientNatsError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof TimeoutError || e instanceof NoRespondersError || e instanceof ClosedConnectionError) return true;
    if (e instanceof JetStreamApiError && (e.code === JS_CLUSTER_NOT_AVAILABLE || e.status === 503)) return true;
  }
  return false;
}

/**
 * `op`, again after a pause while it fails with a broker error that passes (isTransientNatsError),
 * for up to `withinMs` (default 60 s: a cluster's elections take seconds, a cut-off server's
 * clients need about 20 s to leave it); then, or on any other error, that error. For the calls an
 * actor makes outside its message loops (creating its consumer, reading a policy version), so an
 * election costs a wait, not a restart of the process.
 */
/**
 * A lookup's error as "not there" (null), except a broker error that passes, which is thrown
 * again for retryTransient to wait out: `lookup().catch(notThere)`.
 */
export function notThere(err: unknown): null {
  if (isTransientNatsError(err)) throw err;
  return null;
}

/**
 * `p`, or a TimeoutError (a broker error that passes, for retryTransient) after `ms`: for calls
 * that carry no timeout of their own and can wait forever on a cluster that lost a server (an
 * object store read through an ordered consumer). The call itself is not cancelled.
 */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export async function retryTransient<T>(op: () => Promise<T>, opts: { withinMs?: number; onRetry?: (err: Error) => void } = {}): Promise<T> {
  const deadline = Date.now() + (opts.withinMs ?? 60_000);
  for (let pauseMs = 250; ; pauseMs = Math.min(pauseMs * 2, 2000)) {
    try {
      return await op();
    } catch (err) {
      if (!isTransientNatsError(err) || Date.now() + pauseMs > deadline) throw err;
      opts.onRetry?.(err as Error);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}

/**
 * The servers of a `--nats` value: one URL, or several separated by commas (the servers of a
 * cluster; the client picks one and fails over to the others, and learns the rest of the
 * cluster from the server it reached).
 */
export function natsServers(spec: string): string[] {
  const urls = spec.split(',').map((u) => u.trim());
  if (urls.some((u) => u === '')) throw new TopologyError('BAD_NATS_URL', `--nats '${spec}': an empty URL in the list\nHINT: separate the URLs of a cluster with commas, e.g. nats://10.0.0.1:4222,nats://10.0.0.2:4222`);
  return urls;
}

function streamConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: spec.subjects,
    description: spec.description,
    retention: spec.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    discard: spec.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
    max_msgs: spec.maxMsgs,
    max_age: nanos(spec.maxAgeS * 1000),
    duplicate_window: nanos(Math.min(spec.duplicateWindowS, spec.maxAgeS) * 1000),
    storage: spec.storage === 'memory' ? StorageType.Memory : StorageType.File,
    num_replicas: spec.replicas,
  };
}

const notClustered = (what: string, replicas: number, detail: string) =>
  new TopologyError(
    'REPLICAS_UNSUPPORTED',
    `${what}: streams.replicas is ${replicas} but the NATS server is not clustered (${detail})\n` +
      'HINT: set streams.replicas to 1 in the topology file, or point --nats at a JetStream cluster of at least 3 servers',
  );

/**
 * Runs one create/update of `what` and turns the server's refusal of a replica count into a
 * TopologyError naming the setting. nats-server's own text is kept in the message.
 */
async function withReplicas<T>(nc: NatsConnection, what: string, replicas: number, op: () => Promise<T>, update = false): Promise<T> {
  // nats-server 2.9 refuses R3 on create when not clustered, but accepts an update to R3 and
  // keeps one copy: an update is checked here, against the cluster its INFO names.
  if (update && replicas > 1 && !nc.info?.cluster) throw notClustered(what, replicas, 'its INFO names no cluster');
  try {
    return await op();
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || replicas === 1) throw err;
    // 10074: "replicas > 1 not supported in non-clustered mode"; 10005: "no suitable peers for
    // placement" (a cluster of fewer JetStream servers than replicas; one of three may be down).
    if (err.code === 10074) throw notClustered(what, replicas, `nats-server: ${err.message}`);
    if (err.code === 10005) {
      throw new TopologyError(
        'REPLICAS_NO_PEERS',
        `${what}: streams.replicas is ${replicas} but the cluster has too few JetStream servers to place it (nats-server: ${err.message})\n` +
          `HINT: run a cluster of at least ${replicas} JetStream servers (a missing one's log says why it did not join), or set streams.replicas to 1`,
      );
    }
    throw err;
  }
}

export interface EnsureReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** A topology's streams, KV buckets and object store. Safe to call any number of times. */
export async function ensureTopology(nc: NatsConnection, topology: Pick<Topology, 'prefix' | 'streams' | 'actors'>): Promise<{ names: TopologyNames; report: EnsureReport }> {
  const limits = topology.streams;
  const names = topologyNames(topology.prefix, limits);
  const jsm = await jetstreamManager(nc);
  const report: EnsureReport = { created: [], updated: [], unchanged: [] };
  for (const key of topologyStreams(topology)) {
    const spec = names.streams[key];
    const want = streamConfig(spec);
    const have = await jsm.streams.info(spec.name).catch(() => null);
    if (!have) {
      await withReplicas(nc, `stream ${spec.name}`, spec.replicas, () => jsm.streams.add(want));
      report.created.push(spec.name);
      continue;
    }
    const differs = (Object.keys(want) as (keyof typeof want)[]).some(
      (k) => k !== 'retention' && k !== 'storage' && JSON.stringify(have.config[k]) !== JSON.stringify(want[k]),
    );
    if (differs) {
      await withReplicas(nc, `stream ${spec.name}`, spec.replicas, () => jsm.streams.update(spec.name, { ...have.config, ...want }), true);
      report.updated.push(spec.name);
    } else report.unchanged.push(spec.name);
  }
  const kvm = new Kvm(nc);
  const { replicas } = limits;
  for (const bucket of Object.values(names.kv)) {
    await withReplicas(nc, `KV bucket ${bucket}`, replicas, () =>
      kvm.create(bucket, { history: 1, replicas, storage: limits.storage === 'memory' ? StorageType.Memory : StorageType.File }),
    );
  }
  await withReplicas(nc, `object store ${names.objectStore}`, replicas, () => new Objm(nc).create(names.objectStore, { replicas }));
  // create() opens a bucket that exists as it is: a changed replica count goes to its stream here.
  for (const stream of [...Object.values(names.kv).map((b) => `KV_${b}`), `OBJ_${names.objectStore}`]) {
    const have = await jsm.streams.info(stream);
    if (have.config.num_replicas === replicas) continue;
    await withReplicas(nc, `stream ${stream}`, replicas, () => jsm.streams.update(stream, { ...have.config, num_replicas: replicas }), true);
    report.updated.push(stream);
  }
  return { names, report };
}

/**
 * Deletes every stream, KV bucket and the object store of a prefix (data and consumers): what a
 * new run on a used server clears. Returns the JetStream streams it deleted.
 */
export async function deleteTopology(nc: NatsConnection, names: TopologyNames): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const deleted: string[] = [];
  const all = [...Object.values(names.streams).map((s) => s.name), ...Object.values(names.kv).map((b) => `KV_${b}`), `OBJ_${names.objectStore}`];
  for (const name of all) {
    if (!(await jsm.streams.info(name).catch(() => null))) continue;
    await jsm.streams.delete(name);
    deleted.push(name);
  }
  return deleted;
}

/** Create or update a durable pull consumer (idempotent). */
export async function ensureConsumer(jsm: JetStreamManager, spec: ConsumerSpec): Promise<void> {
  return retryTransient(() => ensureConsumerOnce(jsm, spec));
}

async function ensureConsumerOnce(jsm: JetStreamManager, spec: ConsumerSpec): Promise<void> {
  const config = {
    durable_name: spec.durable,
    filter_subject: spec.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    max_ack_pending: spec.maxAckPending ?? 1000,
    max_deliver: spec.maxDeliver ?? 20,
  };
  const have = await jsm.consumers.info(spec.stream, spec.durable).catch(notThere);
  if (!have) {
    await jsm.consumers.add(spec.stream, config);
    return;
  }
  const { ack_wait, max_ack_pending, max_deliver, filter_subject } = have.config;
  if (ack_wait !== config.ack_wait || max_ack_pending !== config.max_ack_pending || max_deliver !== config.max_deliver || filter_subject !== config.filter_subject) {
    await jsm.consumers.update(spec.stream, spec.durable, config);
  }
}

export async function openKv(nc: NatsConnection, bucket: string): Promise<KV> {
  return new Kvm(nc).open(bucket);
}

/**
 * The keys of a KV bucket under `filter` (a KV key pattern such as `desired.>`), in one stream-info
 * request for the bucket's subjects. Not `kv.keys()`: that listing (an ordered push consumer that
 * ends at pending 0 or an idle heartbeat) took 76 and 105 s of 300 listings while four keys were
 * rewritten every 50 ms, as actor heartbeats are, and an \`ace scale\` waiting on it timed out in
 * CI. Deleted keys are listed too (their marker is the subject's last message): callers read the
 * value and skip empty ones, as they would after a listing anyway.
 */
export async function listKeys(nc: NatsConnection, bucket: string, filter = '>'): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const prefix = `$KV.${bucket}.`;
  const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${prefix}${filter}` });
  return Object.keys(info.state.subjects ?? {})
    .map((s) => s.slice(prefix.length))
    .sort();
}

export async function openObjectStore(nc: NatsConnection, bucket: string): Promise<ObjectStore> {
  return new Objm(nc).open(bucket);
}

export interface ConsumerState {
  stream: string;
  name: string;
  filterSubject: string;
  /** False for an ephemeral consumer (a reader: `ace replay`, the dashboard). */
  durable: boolean;
  /** Matching messages not yet delivered. */
  pending: number;
  /** Delivered, not yet acknowledged. */
  ackPending: number;
  redelivered: number;
  delivered: number;
  ackFloor: number;
  waiting: number;
}

export interface StreamState {
  name: string;
  subjects: string[];
  messages: number;
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  consumers: ConsumerState[];
}

/** A snapshot of every stream of a prefix that exists, and its consumers. */
export async function readTopologyState(jsm: JetStreamManager, names: TopologyNames): Promise<StreamState[]> {
  const out: StreamState[] = [];
  for (const spec of Object.values(names.streams)) {
    const info = await jsm.streams.info(spec.name).catch(() => null);
    if (!info) continue;
    const consumers: ConsumerState[] = [];
    for await (const c of jsm.consumers.list(spec.name)) {
      consumers.push({
        stream: spec.name,
        name: c.name,
        filterSubject: c.config.filter_subject ?? '',
        durable: Boolean(c.config.durable_name),
        pending: c.num_pending,
        ackPending: c.num_ack_pending,
        redelivered: c.num_redelivered,
        delivered: c.delivered.stream_seq,
        ackFloor: c.ack_floor.stream_seq,
        waiting: c.num_waiting,
      });
    }
    out.push({
      name: spec.name,
      subjects: info.config.subjects ?? [],
      messages: info.state.messages,
      bytes: info.state.bytes,
      firstSeq: info.state.first_seq,
      lastSeq: info.state.last_seq,
      consumers,
    });
  }
  return out;
}

/** Messages waiting for a consumer: not yet delivered plus delivered and unacked. */
export async function inFlight(jsm: JetStreamManager, stream: string, durable: string): Promise<number> {
  const info = await jsm.consumers.info(stream, durable);
  return info.num_pending + info.num_ack_pending;
}
