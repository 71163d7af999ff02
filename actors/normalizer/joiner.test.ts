import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../contracts/verdict.ts';
import { GroupJoiner } from './joiner.ts';

function verdict(groupId: string, index: number, reward: 0 | 1 | null, groupSize = 4): Verdict {
  const kind = reward === 1 ? 'correct' : reward === 0 ? 'wrong' : 'timeout';
  return {
    kind: 'verdict', id: `${groupId}.${index}.v`, runId: 'r', step: 3, policyVersion: 3, ts: 0, rolloutId: `${groupId}.${index}`, groupIndex: 0,
    taskId: `task-${groupId}`, groupId, index, groupSize, outcome: { kind, reason: kind }, reward, verifier: 'v-0', verifyMs: 1,
    promptTokens: [1, 2], responseTokens: [3, index],
  };
}

describe('group joiner', () => {
  it('emits a complete group with normalized advantages once every member is in, in index order', () => {
    const j = new GroupJoiner({ groupTimeoutMs: 1000, dropDegenerate: false });
    expect(j.add(verdict('g', 2, 0), 0)).toBeNull();
    expect(j.add(verdict('g', 0, 1), 1)).toBeNull();
    expect(j.add(verdict('g', 3, null), 2)).toBeNull();
    const closed = j.add(verdict('g', 1, 0), 3);
    expect(closed).not.toBeNull();
    const g = (closed as Exclude<typeof closed, string | null>).group;
    expect(g.completion).toBe('complete');
    expect(g.members.map((m) => m.index)).toEqual([0, 1, 2, 3]);
    expect(g.members[3].advantage).toBe(0); // unscorable
    expect(g.rewardMean).toBeCloseTo(1 / 3, 12);
    expect(g.members[0].advantage).toBeGreaterThan(0);
    expect(g.members[1].advantage).toBeLessThan(0);
    expect(g.taskId).toBe('task-g');
    expect(j.open).toBe(0);
  });

  it('ignores a duplicate verdict and a verdict for a group already closed', () => {
    const j = new GroupJoiner({ groupTimeoutMs: 1000, dropDegenerate: false });
    j.add(verdict('g', 0, 1, 2), 0);
    expect(j.add(verdict('g', 0, 1, 2), 1)).toBe('duplicate');
    expect(j.add(verdict('g', 1, 0, 2), 2)).not.toBeNull();
    expect(j.add(verdict('g', 1, 0, 2), 3)).toBe('late');
  });

  it('closes a group that never completes as partial after the timeout, listing what is missing', () => {
    const j = new GroupJoiner({ groupTimeoutMs: 100, dropDegenerate: false });
    j.add(verdict('a', 0, 1), 0);
    j.add(verdict('a', 2, 0), 50);
    j.add(verdict('b', 0, 1), 60);
    expect(j.expire(99)).toEqual([]);
    const [closed] = j.expire(100);
    expect(closed.group.groupId).toBe('a');
    expect(closed.group.completion).toBe('partial');
    expect(closed.group.missing).toEqual([1, 3]);
    expect(closed.verdictIds).toEqual(['a.0.v', 'a.2.v']);
    expect(j.open).toBe(1);
  });

  it('keeps all-equal groups by default and drops them when configured', () => {
    const keep = new GroupJoiner({ groupTimeoutMs: 100, dropDegenerate: false });
    const drop = new GroupJoiner({ groupTimeoutMs: 100, dropDegenerate: true });
    for (const j of [keep, drop]) j.add(verdict('g', 0, 1, 2), 0);
    const k = keep.add(verdict('g', 1, 1, 2), 0) as { group: { dropped: boolean } };
    const d = drop.add(verdict('g', 1, 1, 2), 0) as { group: { dropped: boolean } };
    expect(k.group.dropped).toBe(false);
    expect(d.group.dropped).toBe(true);
  });
});
