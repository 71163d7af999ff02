// The learner's step checkpoint in the run's object store, beside the policy versions: so a
// learner restarted on a machine that does not hold the run dir (its machine was lost) resumes
// from the last committed step as one on the same machine does. A checkpoint is its folder's
// files, one object each (`checkpoint-step-NNNNN/<file>`), then a manifest object listing them
// with their sha256, written last: a checkpoint without its manifest is incomplete and not used.
// Only the newest one is kept.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { CodedError } from '../ops/errors.ts';
import { openObjectStore, withTimeout } from '../streams/manager.ts';
import type { TopologyNames } from '../streams/topology.ts';

export class CheckpointStoreError extends CodedError<'DIGEST_MISMATCH' | 'MISSING_FILE'> {}

const prefixOf = (step: number) => `checkpoint-step-${String(step).padStart(5, '0')}/`;
const MANIFEST = 'MANIFEST.json';
/** A read that has not answered in this long (plus 1 s a MB) met a server lost mid-read: again (retryTransient). */
const READ_MS = 20_000;

const Manifest = z.object({ step: z.int().min(0), files: z.array(z.object({ path: z.string().min(1), bytes: z.int().min(0), sha256: z.string() })) });
type Manifest = z.infer<typeof Manifest>;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Uploads the checkpoint folder of `step`, manifest last. Returns the bytes uploaded. */
export async function putCheckpoint(nc: NatsConnection, names: TopologyNames, step: number, dir: string): Promise<number> {
  const store = await openObjectStore(nc, names.objectStore);
  const manifest: Manifest = { step, files: [] };
  for (const path of filesUnder(dir)) {
    const bytes = readFileSync(path);
    const rel = relative(dir, path);
    await store.putBlob({ name: prefixOf(step) + rel }, bytes);
    manifest.files.push({ path: rel, bytes: bytes.length, sha256: sha256(bytes) });
  }
  await store.putBlob({ name: prefixOf(step) + MANIFEST }, new TextEncoder().encode(JSON.stringify(manifest)));
  return manifest.files.reduce((a, f) => a + f.bytes, 0);
}

/**
 * Writes the stored checkpoint of `step` into `dir` (each file checked against the manifest's
 * sha256, the folder swapped in whole); false when the store holds no complete one.
 */
export async function fetchCheckpoint(nc: NatsConnection, names: TopologyNames, step: number, dir: string, log: (m: string) => void = () => {}): Promise<boolean> {
  const store = await openObjectStore(nc, names.objectStore);
  log(`reading the manifest of step ${step}'s checkpoint from object store ${names.objectStore}`);
  const raw = await withTimeout(store.getBlob(prefixOf(step) + MANIFEST), READ_MS);
  if (!raw) return false;
  const manifest = Manifest.parse(JSON.parse(new TextDecoder().decode(raw)));
  log(`fetching ${manifest.files.length} files (${(manifest.files.reduce((a, f) => a + f.bytes, 0) / 1e6).toFixed(1)} MB)`);
  const tmp = `${dir}.fetching`;
  rmSync(tmp, { recursive: true, force: true });
  for (const f of manifest.files) {
    const bytes = await withTimeout(store.getBlob(prefixOf(step) + f.path), READ_MS + f.bytes / 1000); // + 1 s a MB
    if (!bytes) throw new CheckpointStoreError('MISSING_FILE', `checkpoint of step ${step}: ${f.path} is listed in its manifest but not in object store ${names.objectStore}`);
    if (sha256(bytes) !== f.sha256) throw new CheckpointStoreError('DIGEST_MISMATCH', `checkpoint of step ${step}: ${f.path} does not match its manifest's sha256`);
    mkdirSync(dirname(join(tmp, f.path)), { recursive: true });
    writeFileSync(join(tmp, f.path), bytes);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  return true;
}

/** Deletes the stored checkpoints of steps before `step` (manifest first, so none looks complete half-deleted). */
export async function dropCheckpointsBefore(nc: NatsConnection, names: TopologyNames, step: number): Promise<void> {
  const store = await openObjectStore(nc, names.objectStore);
  const manifests = (await store.list()).map((o) => /^checkpoint-step-(\d+)\/MANIFEST\.json$/.exec(o.name)).filter((m): m is RegExpExecArray => m !== null && Number(m[1]) < step);
  for (const m of manifests) {
    const old = Number(m[1]);
    const raw = await store.getBlob(m[0]);
    await store.delete(m[0]);
    if (!raw) continue;
    for (const f of Manifest.parse(JSON.parse(new TextDecoder().decode(raw))).files) await store.delete(prefixOf(old) + f.path).catch(() => {});
  }
}
