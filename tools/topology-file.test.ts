import { describe, expect, it } from 'vitest';
import { parseTopology, TopologyFileError } from './topology-file.ts';

const valid = { name: 'demo', actors: { relay: { kind: 'demo-stage', config: { from: 'in' } } } };

function errorOf(raw: unknown): TopologyFileError {
  try {
    parseTopology(raw, 'test.json');
  } catch (err) {
    return err as TopologyFileError;
  }
  throw new Error('expected a TopologyFileError');
}

describe('topology file validation', () => {
  it('accepts a valid file and fills defaults', () => {
    const t = parseTopology(valid, 'test.json');
    expect(t.prefix).toBe('ace');
    expect(t.maxUnverified).toBe(64);
    expect(t.actors.relay.instances).toBe(1);
    expect(t.streams.storage).toBe('file');
  });

  it('names the field and the allowed values for a bad actor kind', () => {
    const e = errorOf({ ...valid, actors: { relay: { kind: 'verifer' } } });
    expect(e.code).toBe('TOPOLOGY_INVALID');
    expect(e.message).toMatch(/actors\.relay\.kind: Invalid option: expected one of "generator"\|"verifier"\|"normalizer"\|"learner"\|"demo-source"\|"demo-stage"/);
  });

  it('names unknown keys, wrong types and bad storage choices', () => {
    const e = errorOf({ ...valid, maxUnverifed: 3, seed: 'x', streams: { storage: 'disk' } });
    expect(e.message).toMatch(/\(root\): Unrecognized key: "maxUnverifed"/);
    expect(e.message).toMatch(/seed: Invalid input: expected number, received string/);
    expect(e.message).toMatch(/streams\.storage: Invalid option: expected one of "file"\|"memory"/);
  });

  it('rejects out-of-range instance counts and an empty actor set', () => {
    expect(errorOf({ ...valid, actors: { relay: { kind: 'demo-stage', instances: -1 } } }).message).toMatch(/actors\.relay\.instances: Too small/);
    expect(errorOf({ name: 'x', actors: {} }).message).toMatch(/actors: at least one actor/);
  });
});
