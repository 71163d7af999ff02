// ensureTopology against a real nats-server: a topology gets the streams its actors use and
// no others, and a second call changes nothing; listKeys lists a bucket whose keys are being
// rewritten, as heartbeats are; which broker errors pass (an election) and retryTransient.
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { Topology } from '../contracts/topology.ts';
import { useNats } from '../test/support/nats.ts';
import { Kvm } from '@nats-io/kv';
import { ensureTopology, isTransientNatsError, listKeys, retryTransient } from './manager.ts';

const streamNames = async (nc: Parameters<typeof jetstreamManager>[0], prefix: string) => {
  const out: string[] = [];
  for await (const s of (await jetstreamManager(nc)).streams.list()) if (s.config.name.startsWith(`${prefix.toUpperCase()}_`)) out.push(s.config.name);
  return out.sort();
};

describe('ensureTopology', () => {
  const nats = useNats();

  it('creates no DEMO (or METRICS) stream for an RL topology', async () => {
    const t = Topology.parse({ name: 'rl', prefix: 'rl', streams: { storage: 'memory' }, actors: { learner: { kind: 'learner' }, normalizer: { kind: 'normalizer' } } });
    const { report } = await ensureTopology(nats.nc, t);
    expect(await streamNames(nats.nc, 'rl')).toEqual(['RL_DLQ', 'RL_POLICY', 'RL_PROMPTS', 'RL_REPLAY', 'RL_ROLLOUTS', 'RL_SCORED', 'RL_STEPS', 'RL_VERDICTS']);
    expect(report.created).toHaveLength(8);
    const again = await ensureTopology(nats.nc, t);
    expect(again.report).toEqual({ created: [], updated: [], unchanged: report.created });
  });

  it('creates the DEMO stream when the topology runs demo actors', async () => {
    const t = Topology.parse({ name: 'demo', prefix: 'dm', streams: { storage: 'memory' }, actors: { relay: { kind: 'demo-stage', config: { from: 'in' } } } });
    await ensureTopology(nats.nc, t);
    expect(await streamNames(nats.nc, 'dm')).toContain('DM_DEMO');
  });
});

describe('listKeys', () => {
  const nats = useNats();

  it('lists every key under a filter while the keys are rewritten every few ms; a deleted key is listed, its value empty', async () => {
    const kv = await new Kvm(nats.nc).create('lk');
    const keys = ['a.0', 'b.0', 'b.1', 'desired.x', 'desired.y'];
    for (const k of keys) await kv.put(k, '1');
    await kv.delete('desired.y');
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await kv.put(keys[i % 3], String(i));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    for (let i = 0; i < 50; i++) {
      expect(await listKeys(nats.nc, 'lk')).toEqual(keys);
      expect(await listKeys(nats.nc, 'lk', 'desired.>')).toEqual(['desired.x', 'desired.y']);
    }
    writing = false;
    await writer;
    expect((await kv.get('desired.y'))?.value.length).toBe(0);
  });
});

describe('broker errors that pass', () => {
  const nats = useNats();

  it('tells an election-like error (no responder, timeout) from a real one, and retryTransient waits out only the first', async () => {
    const js = jetstream(nats.nc);
    // A publish no stream takes: nats.js says "jetstream is not enabled" (no responders), what a
    // stream electing its leader looks like to a client.
    const noStream = await js.publish('tr.x', 'a', { timeout: 1000 }).then(() => null, (err: unknown) => err);
    expect(isTransientNatsError(noStream)).toBe(true);
    const missing = await (await jetstreamManager(nats.nc)).streams.info('TR_NONE').then(() => null, (err: unknown) => err);
    expect(missing).toBeInstanceOf(Error);
    expect(isTransientNatsError(missing)).toBe(false);
    expect(isTransientNatsError(new Error('timeout'))).toBe(false); // by class, not by words

    // The stream appears while retryTransient waits: the publish goes through.
    let tries = 0;
    const created = setTimeout(() => void jetstreamManager(nats.nc).then((m) => m.streams.add({ name: 'TR', subjects: ['tr.>'], storage: StorageType.Memory })), 600);
    const ack = await retryTransient(() => (tries++, js.publish('tr.x', 'a', { timeout: 1000 })), { withinMs: 10_000 });
    clearTimeout(created);
    expect(ack.stream).toBe('TR');
    expect(tries).toBeGreaterThan(1);
    // Any other error at once; a transient one once the time is up.
    let calls = 0;
    await expect(retryTransient(async () => (calls++, Promise.reject(missing)), { withinMs: 10_000 })).rejects.toBe(missing);
    expect(calls).toBe(1);
    const t0 = Date.now();
    await expect(retryTransient(() => js.publish('none.x', 'a', { timeout: 500 }), { withinMs: 1500 })).rejects.toThrow(/jetstream is not enabled/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
