import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Topology } from '../contracts/topology.ts';
import { topologyStreams } from './topology.ts';

const rl = Topology.parse({
  name: 'rl',
  actors: { generator: { kind: 'generator' }, verifier: { kind: 'verifier' }, normalizer: { kind: 'normalizer' }, learner: { kind: 'learner' } },
});

describe('topologyStreams', () => {
  it('gives an RL topology no demo stream', () => {
    expect(topologyStreams(rl)).toEqual(['prompts', 'rollouts', 'verdicts', 'scored', 'policy', 'steps', 'dlq', 'replay']);
  });

  it('gives the demo topology its demo stream', () => {
    const demo = Topology.parse(JSON.parse(readFileSync(new URL('../topologies/demo.json', import.meta.url), 'utf8')));
    expect(topologyStreams(demo)).toContain('demo');
    expect(topologyStreams({ actors: { relay: { kind: 'demo-stage', instances: 1, config: {}, nice: 0 } } })).toContain('demo');
  });
});
