// Policy versions in the JetStream object store: `policy-v<N>` holds the weights as fp32
// safetensors with the LlamaConfig in its metadata; a small PolicyUpdate announcement carries
// version and sha256 digest. Weights never travel in the data path.
import { createHash } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadParams } from '../ops/model/checkpoint.ts';
import { type LlamaConfig, paramShapes, parseLlamaConfig } from '../ops/model/config.ts';
import { type NamedTensor, readSafetensors, writeSafetensors } from '../ops/model/safetensors.ts';
import { openObjectStore } from '../streams/manager.ts';
import type { TopologyNames } from '../streams/topology.ts';

export class PolicyStoreError extends Error {
  constructor(
    readonly code: 'MISSING_VERSION' | 'DIGEST_MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'PolicyStoreError';
  }
}

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
  const store = await openObjectStore(nc, names.objectStore);
  await store.putBlob({ name: policyObjectName(version) }, bytes);
  return { digest: sha256Hex(bytes), bytes: bytes.length };
}

export async function getPolicy(
  nc: NatsConnection,
  names: TopologyNames,
  version: number,
  expectDigest?: string,
): Promise<{ config: LlamaConfig; params: Map<string, Float32Array>; digest: string }> {
  const store = await openObjectStore(nc, names.objectStore);
  const bytes = await store.getBlob(policyObjectName(version));
  if (!bytes) throw new PolicyStoreError('MISSING_VERSION', `policy version ${version} is not in object store ${names.objectStore}`);
  const digest = sha256Hex(bytes);
  if (expectDigest && digest !== expectDigest) throw new PolicyStoreError('DIGEST_MISMATCH', `policy v${version}: digest ${digest} != announced ${expectDigest}`);
  const { metadata } = readSafetensors(bytes);
  const config = parseLlamaConfig(JSON.parse(metadata.config ?? '{}'));
  return { config, params: loadParams(config, bytes), digest };
}
