// The learner's checkpoint in the object store against a real nats-server: a folder goes in and
// comes back byte for byte; a checkpoint without its manifest is not there; a tampered file is
// refused by its sha256; older checkpoints are dropped, the newest kept.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Topology } from '../contracts/topology.ts';
import { ensureTopology, openObjectStore } from '../streams/manager.ts';
import { useNats } from '../test/support/nats.ts';
import { CheckpointStoreError, dropCheckpointsBefore, fetchCheckpoint, putCheckpoint } from './checkpoint-store.ts';

describe('checkpoint store', () => {
  const nats = useNats();

  it('puts a step folder and fetches it back whole; no manifest, no checkpoint; a changed file is refused; older ones are dropped', async () => {
    const { names } = await ensureTopology(nats.nc, Topology.parse({ name: 'ck', prefix: 'ck', streams: { storage: 'memory' }, actors: { learner: { kind: 'learner' } } }));
    const root = mkdtempSync(join(tmpdir(), 'ace-ckstore-'));
    const src = join(root, 'step-00003');
    mkdirSync(join(src, 'tokenizer'), { recursive: true });
    const weights = new Uint8Array(300_000).map((_, i) => (i * 7) % 251); // several chunks
    writeFileSync(join(src, 'model.safetensors'), weights);
    writeFileSync(join(src, 'trainer_state.json'), '{"step":3}');
    writeFileSync(join(src, 'tokenizer', 'tokenizer.json'), '{}');
    expect(await putCheckpoint(nats.nc, names, 3, src)).toBe(300_000 + 10 + 2);

    const out = join(root, 'elsewhere', 'step-00003');
    expect(await fetchCheckpoint(nats.nc, names, 3, out)).toBe(true);
    expect(Buffer.compare(readFileSync(join(out, 'model.safetensors')), Buffer.from(weights))).toBe(0);
    expect(readFileSync(join(out, 'trainer_state.json'), 'utf8')).toBe('{"step":3}');
    expect(readFileSync(join(out, 'tokenizer', 'tokenizer.json'), 'utf8')).toBe('{}');
    expect(await fetchCheckpoint(nats.nc, names, 2, join(root, 'none'))).toBe(false);
    expect(existsSync(join(root, 'none'))).toBe(false);

    const store = await openObjectStore(nats.nc, names.objectStore);
    await store.putBlob({ name: 'checkpoint-step-00003/trainer_state.json' }, new TextEncoder().encode('{"step":4}'));
    const err = await fetchCheckpoint(nats.nc, names, 3, join(root, 'bad')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointStoreError);
    expect((err as CheckpointStoreError).code).toBe('DIGEST_MISMATCH');
    expect(existsSync(join(root, 'bad'))).toBe(false);

    writeFileSync(join(src, 'trainer_state.json'), '{"step":5}');
    await putCheckpoint(nats.nc, names, 5, src);
    await dropCheckpointsBefore(nats.nc, names, 5);
    const left = (await store.list()).map((o) => o.name).sort();
    expect(left).toEqual(['checkpoint-step-00005/MANIFEST.json', 'checkpoint-step-00005/model.safetensors', 'checkpoint-step-00005/tokenizer/tokenizer.json', 'checkpoint-step-00005/trainer_state.json']);
  });
});
