// Acceptance (issue 2): 10,000 messages through a chain of actor processes, exactly once
// downstream; then again with a stage process killed with SIGKILL mid-flow.
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DemoItem } from '../../contracts/demo.ts';
import type { TopologyInput } from '../../contracts/topology.ts';
import { useNats } from '../support/nats.ts';
import { heartbeats, killStartedUps, readAll, startUp, subjectCounts, waitFor } from '../../tools/harness/up.ts';

const N = 10_000;

/** Nice values of a process's threads (field 19 of /proc/PID/task/TID/stat). */
const threadNices = (pid: number) =>
  readdirSync(`/proc/${pid}/task`).map((tid) => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]));

function chain(prefix: string): TopologyInput {
  return {
    name: 'chain',
    prefix,
    maxUnverified: 512,
    actors: {
      source: { kind: 'demo-source', instances: 1, config: { count: N, downstream: 'first' } },
      first: { kind: 'demo-stage', instances: 2, config: { from: 'in', to: 'mid', ackWaitMs: 2000 } },
      second: { kind: 'demo-stage', instances: 1, config: { from: 'mid', to: 'out', ackWaitMs: 2000 } },
    },
  };
}

async function expectExactlyOnce(nc: NatsConnection, prefix: string): Promise<void> {
  const stream = `${prefix.toUpperCase()}_DEMO`;
  const counts = await subjectCounts(nc, stream, `${prefix}.demo.>`);
  // published = processed by each stage = arrived downstream, exactly.
  expect(counts).toEqual({ [`${prefix}.demo.in`]: N, [`${prefix}.demo.mid`]: N, [`${prefix}.demo.out`]: N });
  const out = await readAll<DemoItem>(nc, stream, `${prefix}.demo.out`);
  const ids = new Set(out.map((m) => m.value.id));
  expect(ids.size).toBe(N);
  const seqs = new Set(out.map((m) => m.value.seq));
  expect(Math.min(...seqs)).toBe(0);
  expect(Math.max(...seqs)).toBe(N - 1);
  expect(out.every((m) => m.value.hops.join('>') === 'source>first>second')).toBe(true);
  // acked: nothing pending or unacknowledged on either consumer.
  const jsm = await jetstreamManager(nc);
  for (const durable of ['first', 'second']) {
    const ci = await jsm.consumers.info(stream, durable);
    expect({ durable, pending: ci.num_pending, ackPending: ci.num_ack_pending }).toEqual({ durable, pending: 0, ackPending: 0 });
  }
}

describe('a chain of actor processes', () => {
  const nats = useNats(killStartedUps);

  it('carries 10,000 messages: published = acked = processed', async () => {
    const up = startUp(chain('ca'), nats.server.url, ['--until-idle']);
    expect(await up.exitWithin(50_000), up.output()).toBe(0);
    await expectExactlyOnce(nats.nc, 'ca');
    const hb = await heartbeats(nats.nc, 'ca');
    const processed = (actor: string) => hb.filter((h) => h.actor === actor).reduce((s, h) => s + (h.metrics['stage/processed'] ?? 0), 0);
    expect(processed('first')).toBe(N);
    expect(processed('second')).toBe(N);
  });

  it('loses nothing and duplicates nothing downstream when a stage is SIGKILLed mid-flow', async () => {
    const up = startUp(chain('cb'), nats.server.url, ['--until-idle']);
    // Kill one `first` instance once it has processed a few thousand messages.
    const victim = await waitFor('first-0 mid-flow', async () => {
      const hb = (await heartbeats(nats.nc, 'cb').catch(() => [])).find((h) => h.instance === 'first-0');
      return hb && (hb.metrics['stage/processed'] ?? 0) > 1500 && hb.state === 'RUNNING' ? hb : null;
    });
    process.kill(victim.pid, 'SIGKILL');
    expect(await up.exitWithin(50_000), up.output()).toBe(0);
    expect(up.output()).toMatch(/first-0 failed \(SIGKILL\); restart in/);
    await expectExactlyOnce(nats.nc, 'cb');
  });

  it("runs an actor at its topology's nice value, every thread of it", async () => {
    const t: TopologyInput = {
      name: 'nice',
      prefix: 'cn',
      actors: {
        idle: { kind: 'demo-stage', nice: 7, config: { from: 'in' } },
        plain: { kind: 'demo-stage', config: { from: 'in' } },
      },
    };
    const up = startUp(t, nats.server.url);
    const beats = await waitFor('both heartbeats', async () => {
      const hb = await heartbeats(nats.nc, 'cn').catch(() => []);
      return hb.length === 2 ? hb : null;
    });
    const pid = (actor: string) => beats.find((h) => h.actor === actor)!.pid;
    expect(new Set(threadNices(pid('idle')))).toEqual(new Set([7]));
    expect(new Set(threadNices(pid('plain')))).toEqual(new Set([0]));
    up.child.kill('SIGTERM');
    expect(await up.exitWithin(30_000), up.output()).toBe(0);
  });
});
