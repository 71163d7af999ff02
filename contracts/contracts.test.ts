import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Envelope, SCHEMAS, Verdict } from './index.ts';

describe('wire contracts', () => {
  it('every message carries the envelope: id, runId, step, policyVersion', () => {
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      if (name === 'Topology') continue;
      const shape = (schema as z.ZodObject).shape;
      for (const key of Object.keys(Envelope.shape)) expect(shape, `${name}.${key}`).toHaveProperty(key);
    }
  });

  it('exports JSON Schema for every message, with the outcome union spelled out', () => {
    for (const schema of Object.values(SCHEMAS)) expect(() => z.toJSONSchema(schema, { io: 'input' })).not.toThrow();
    const verdict = z.toJSONSchema(Verdict) as unknown as { properties: { outcome: { properties: { kind: { enum: string[] } } } } };
    expect(verdict.properties.outcome.properties.kind.enum).toEqual(['correct', 'wrong', 'unparseable', 'timeout', 'error']);
  });

  it('rejects a verdict whose reward does not fit the schema, naming the field', () => {
    const base = {
      kind: 'verdict', id: 'v1', runId: 'r', step: 0, policyVersion: 0, ts: 1, rolloutId: 'ro1', taskId: 't1', groupId: 'g1', groupIndex: 0, index: 0, groupSize: 4,
      outcome: { kind: 'correct', reason: 'equal' }, reward: 1, verifier: 'v-0', verifyMs: 1, promptTokens: [1], responseTokens: [2],
    };
    expect(Verdict.safeParse(base).success).toBe(true);
    const bad = Verdict.safeParse({ ...base, reward: 0.5 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(['reward']);
  });
});
