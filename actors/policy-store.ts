// Where policy versions live and how an actor loads one. Weights never travel in the data
// path: a small PolicyUpdate announcement (one subject per version) carries the version,
// the sha256 digest and the location: the JetStream object store (`policy-v<N>`, fp32
// safetensors with the LlamaConfig in its metadata; works across hosts) or a checkpoint file
// on a filesystem the actors share (no copy at all: the fast path on one machine).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { PolicyUpdate } from '../contracts/policy.ts';
import { loadParams } from '../ops/model/checkpoint.ts';
import { type LlamaConfig, paramShapes, parseLlamaConfig } from '../ops/model/config.ts';
import { type NamedTensor, readSafetensors, writeSafetensors } from '../ops/model/safetensors.ts';
import { notThere, openObjectStore, retryTransient, withTimeout } from '../streams/manager.ts';
import type { Sink } from '../streams/sink.ts';
import type { TopologyNames } from '../streams/topology.ts';
import { rlSubjects } from './rl-subjects.ts';
import { CodedError } from '../ops/errors.ts';


export class PolicyStoreError extends CodedError<'MISSING_VERSION' | 'DIGEST_MISMATCH'> {}

export const policyObjectName = (version: number) => `policy-v${version}`;

export function encodePolicy(config: LlamaConfig, params: ReadonlyMap<string, Float32Array>, version: number): Uint8Array {
  const tensors = new Map<string, NamedTensor>();
  for (const [name, shape] of paramShapes(config)) tensors.set(name, { shape, data: params.get(name)! });
  return writeSafetensors(tensors, { dtype: 'F32', metadata: { config: JSON.stringify(config), policyVersion: String(version) } });
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function putPolicy(nc: NatsConnection, names: TopologyNames, version: number, config: LlamaConfig, params: ReadonlyMap<string, Float32Array>): Promise<{ digest: string; bytes: number }> {
  const bytes = encodePolicy(config, params, version);
  // Again whole when the cluster elects a leader under it: a put replaces an object of the same
  // name, and the readers check the digest the announcement carries.
  await retryTransient(async () => (await openObjectStore(nc, names.objectStore)).putBlob({ name: policyObjectName(version) }, bytes));
  return { digest: sha256Hex(bytes), bytes: bytes.length };
}

/** Deletes a version's object (its chunks purged); a version not there is no error. */
export async function dropPolicy(nc: NatsConnection, names: TopologyNames, version: number): Promise<void> {
  const store = await openObjectStore(nc, names.objectStore);
  if (await store.info(policyObjectName(version))) await store.delete(policyObjectName(version));
}

export async function getPolicy(
  nc: NatsConnection,
  names: TopologyNames,
  version: number,
  expectDigest?: string,
): Promise<{ config: LlamaConfig; params: Map<string, Float32Array>; digest: string }> {
  // The read has no timeout of its own: one that waits on a lost server is given up (after 30 s
  // plus 1 s a MB) and made again.
  const bytes = await retryTransient(async () => {
    const store = await openObjectStore(nc, names.objectStore);
    const size = (await store.info(policyObjectName(version)))?.size ?? 0;
    return withTimeout(store.getBlob(policyObjectName(version)), 30_000 + size / 1000);
  });
  if (!bytes) throw new PolicyStoreError('MISSING_VERSION', `policy version ${version} is not in object store ${names.objectStore}`);
  const digest = sha256Hex(bytes);
  if (expectDigest && digest !== expectDigest) throw new PolicyStoreError('DIGEST_MISMATCH', `policy v${version}: digest ${digest} != announced ${expectDigest}`);
  const { metadata } = readSafetensors(bytes);
  const config = parseLlamaConfig(JSON.parse(metadata.config ?? '{}'));
  return { config, params: loadParams(config, bytes), digest };
}

/** The announcement of one version, or null when it has not been announced yet. */
export async function announcementOf(nc: NatsConnection, names: TopologyNames, runId: string, version: number): Promise<PolicyUpdate | null> {
  const m = await retryTransient(async () => (await jetstreamManager(nc)).streams.getMessage(names.streams.policy.name, { last_by_subj: rlSubjects(names, runId).policy(version) }).catch(notThere));
  return m ? m.json<PolicyUpdate>() : null;
}

/** The newest version announced in this run, or null before the first announcement. */
export async function latestAnnounced(nc: NatsConnection, names: TopologyNames, runId: string): Promise<number | null> {
  const jsm = await retryTransient(() => jetstreamManager(nc));
  const info = await retryTransient(() => jsm.streams.info(names.streams.policy.name).catch(notThere));
  if (!info || info.state.messages === 0) return null;
  // The stream holds announcements only, in version order; a new run deletes the old ones.
  const m = await retryTransient(() => jsm.streams.getMessage(names.streams.policy.name, { seq: info.state.last_seq }).catch(notThere));
  const a = m ? m.json<PolicyUpdate>() : null;
  return a && a.runId === runId ? a.policyVersion : null;
}

/** Loads an announced version from where its announcement points, checking the digest. */
export async function loadAnnounced(nc: NatsConnection, names: TopologyNames, runId: string, version: number): Promise<{ config: LlamaConfig; params: Map<string, Float32Array>; digest: string }> {
  const a = await announcementOf(nc, names, runId, version);
  if (!a) throw new PolicyStoreError('MISSING_VERSION', `policy version ${version} has not been announced`);
  if (a.location.type === 'object-store') return getPolicy(nc, names, version, a.digest);
  if (a.location.type !== 'file') throw new PolicyStoreError('MISSING_VERSION', `policy v${version}: location type ${a.location.type} is not supported by this actor`);
  const bytes = readFileSync(a.location.path);
  const digest = sha256Hex(bytes);
  if (digest !== a.digest) throw new PolicyStoreError('DIGEST_MISMATCH', `policy v${version}: ${a.location.path} has digest ${digest}, announced ${a.digest}`);
  const config = parseLlamaConfig(JSON.parse(readFileSync(join(dirname(a.location.path), 'config.json'), 'utf8')));
  return { config, params: loadParams(config, bytes), digest };
}

/** Where and how a learner announces its versions. `params` is read at each announcement. */
export interface Announcer {
  nc: NatsConnection;
  names: TopologyNames;
  sink: Sink;
  runId: string;
  /** 'object-store': the weights are put there; 'file': the announcement points at `file`. */
  weights: 'object-store' | 'file';
  config: LlamaConfig;
  params: ReadonlyMap<string, Float32Array>;
}

/**
 * Publishes version `version` (stored where `a.weights` says) and its announcement. In 'file'
 * mode `file` is the version's model.safetensors, with its bytes when the caller has them (else
 * they are read back to digest them); unused in 'object-store' mode. An announced version is immutable: the generators may
 * already be sampling with it.
 */
export async function announcePolicy(a: Announcer, version: number, file: { path: string; bytes?: Uint8Array }): Promise<PolicyUpdate> {
  let location: PolicyUpdate['location'];
  let digest: string;
  let bytes: number;
  if (a.weights === 'file') {
    const data = file.bytes ?? readFileSync(file.path);
    location = { type: 'file', path: resolve(file.path) };
    digest = sha256Hex(data);
    bytes = data.length;
  } else {
    ({ digest, bytes } = await putPolicy(a.nc, a.names, version, a.config, a.params));
    location = { type: 'object-store', bucket: a.names.objectStore, name: policyObjectName(version) };
  }
  const update: PolicyUpdate = {
    kind: 'policy-update',
    id: `policy.${a.runId}.v${version}`,
    runId: a.runId,
    step: version,
    policyVersion: version,
    ts: Date.now(),
    digest,
    bytes,
    format: 'safetensors',
    location,
  };
  await a.sink.publish(rlSubjects(a.names, a.runId).policy(version), update);
  return update;
}
