// ensureTopology against a real nats-server: a topology gets the streams its actors use and
// no others, and a second call changes nothing.
import { jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { Topology } from '../contracts/topology.ts';
import { useNats } from '../test/support/nats.ts';
import { ensureTopology } from './manager.ts';

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
