import { describe, expect, it } from 'vitest';
import { downCommand, parseCommand, scaleCommand, scaleOf } from './control.ts';

describe('control commands', () => {
  it('round-trips scale and down commands through their stored text', () => {
    expect(scaleOf(scaleCommand('run-1', 'verifier', 3))).toBe(3);
    const down = parseCommand(downCommand('run-1'));
    expect(down.ok && down.command.command).toEqual({ type: 'down' });
  });

  it('reports what is wrong with a stored value instead of acting on it', () => {
    expect(parseCommand('7')).toMatchObject({ ok: false });
    expect(parseCommand('{oops')).toEqual({ ok: false, reason: 'not JSON: {oops' });
    const bad = parseCommand(JSON.stringify({ kind: 'control', id: 'c1', runId: 'r', step: 0, policyVersion: 0, ts: 1, command: { type: 'scale', actor: 'v', instances: -2 } }));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/command\.instances: Too small/);
    expect(scaleOf(downCommand('r'))).toBeNull();
  });
});
