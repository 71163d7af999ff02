import { describe, expect, it } from 'vitest';
import type { ScoredGroup } from '../../contracts/scored.ts';
import type { Reward, Verdict } from '../../contracts/verdict.ts';
import { GroupJoiner } from './joiner.ts';

function verdict(groupId: string, index: number, reward: Reward, groupSize = 4): Verdict {
  const kind = reward === 1 ? 'correct' : reward === 0 ? 'wrong' : 'timeout';
  return {
    kind: 'verdict', id: `${groupId}.${index}.v`, runId: 'r', step: 3, policyVersion: 3, ts: 0, rolloutId: `${groupId}.${index}`, groupIndex: 0,
    taskId: `task-${groupId}`, groupId, index, groupSize, outcome: { kind, reason: kind }, reward, verifier: 'v-0', verifyMs: 1,
    promptTokens: [1, 2], responseTokens: [3, index],
  };
}

describe('group joiner', () => {
  it('emits a complete group with normalized advantages once every member is in, in index order', () => {
    const j = new GroupJoiner({ groupTimeoutMs: 1000, dropDegenerate: false, lateWindowMs: 60_000 });
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
    const j = new GroupJoiner({ groupTimeoutMs: 1000, dropDegenerate: false, lateWindowMs: 60_000 });
    j.add(verdict('g', 0, 1, 2), 0);
    expect(j.add(verdict('g', 0, 1, 2), 1)).toBe('duplicate');
    expect(j.add(verdict('g', 1, 0, 2), 2)).not.toBeNull();
    expect(j.add(verdict('g', 1, 0, 2), 3)).toBe('late');
  });

  it('closes a group that never completes as partial after the timeout, listing what is missing', () => {
    const j = new GroupJoiner({ groupTimeoutMs: 100, dropDegenerate: false, lateWindowMs: 60_000 });
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

  // Regression: the closed-group set grew for the whole run (forget was never called).
  it('remembers closed groups only lateWindowMs past their settle, so a long run stays bounded', () => {
    const lateWindowMs = 60_000;
    const j = new GroupJoiner({ groupTimeoutMs: 120_000, dropDegenerate: false, lateWindowMs });
    const groups = 10_000;
    const perStep = 16;
    const msPerGroup = 50;
    const tickMs = 1000; // the actor calls expire once a second
    // Ids the window can hold, plus those settled within one tick of the sweep.
    const bound = lateWindowMs / msPerGroup + tickMs / msPerGroup;
    let now = 0;
    let lastTick = 0;
    const idOf = (i: number) => `g.s${Math.floor(i / perStep)}.${i % perStep}`;
    let maxClosed = 0;
    let completed = 0;
    const notLate: string[] = [];
    for (let i = 0; i < groups; i++) {
      now += msPerGroup;
      if (now - lastTick >= tickMs) {
        j.expire(now);
        lastTick = now;
      }
      const at = (index: number) => ({ ...verdict(idOf(i), index, (index % 2) as Reward), step: Math.floor(i / perStep) });
      for (let index = 0; index < 4; index++) if (j.add(at(index), now) !== null) completed++;
      j.settled(idOf(i), now);
      // A redelivery of this group, and of the one settled a tick short of a window ago, is late.
      if (j.add(at(0), now) !== 'late') notLate.push(idOf(i));
      const back = i - (lateWindowMs - tickMs) / msPerGroup;
      if (back >= 0 && j.add(verdict(idOf(back), 2, 0), now) !== 'late') notLate.push(idOf(back));
      maxClosed = Math.max(maxClosed, j.closed);
    }
    expect(completed).toBe(groups);
    expect(notLate).toEqual([]);
    expect(maxClosed).toBeLessThanOrEqual(bound);
    expect(maxClosed).toBeGreaterThan(lateWindowMs / msPerGroup - tickMs / msPerGroup);
    expect(j.open).toBe(0);
    // Past its window a group is forgotten: its verdict opens a group again.
    j.expire(now + lateWindowMs);
    expect(j.closed).toBe(0);
    expect(j.add(verdict('g.s0.0', 0, 1), now + lateWindowMs)).toBeNull();
  });

  it('remembers a closed group until it is settled, however long that takes', () => {
    const j = new GroupJoiner({ groupTimeoutMs: 100, dropDegenerate: false, lateWindowMs: 1000 });
    j.add(verdict('g', 0, 1, 2), 0);
    expect(j.add(verdict('g', 1, 0, 2), 0)).not.toBeNull();
    j.expire(1_000_000);
    expect(j.add(verdict('g', 1, 0, 2), 1_000_000)).toBe('late');
    j.settled('g', 1_000_000);
    j.expire(1_000_999);
    expect(j.add(verdict('g', 0, 1, 2), 1_000_999)).toBe('late');
    j.expire(1_001_000);
    expect(j.closed).toBe(0);
  });

  it('keeps all-equal groups by default and drops them when configured', () => {
    const keep = new GroupJoiner({ groupTimeoutMs: 100, dropDegenerate: false, lateWindowMs: 60_000 });
    const drop = new GroupJoiner({ groupTimeoutMs: 100, dropDegenerate: true, lateWindowMs: 60_000 });
    for (const j of [keep, drop]) j.add(verdict('g', 0, 1, 2), 0);
    const k = keep.add(verdict('g', 1, 1, 2), 0) as { group: { dropped: boolean } };
    const d = drop.add(verdict('g', 1, 1, 2), 0) as { group: { dropped: boolean } };
    expect(k.group.dropped).toBe(false);
    expect(d.group.dropped).toBe(true);
  });

  it('overlong filtering: a response cut by the cap leaves the statistics (advantage 0, marked) only when configured', () => {
    const cut = (v: Verdict): Verdict => ({ ...v, finished: false });
    const run = (overlongFilter: boolean) => {
      const j = new GroupJoiner({ groupTimeoutMs: 100, dropDegenerate: false, overlongFilter, lateWindowMs: 60_000 });
      j.add(verdict('g', 0, 1), 0);
      j.add(verdict('g', 1, 0), 0);
      j.add(cut(verdict('g', 2, 0)), 0);
      return (j.add({ ...verdict('g', 3, 1), finished: true }, 0) as { group: ScoredGroup }).group;
    };
    const off = run(false);
    expect(off.members.map((m) => m.overlong)).toEqual([false, false, false, false]);
    expect(off.rewardMean).toBe(0.5);
    expect(off.members[2].advantage).toBeLessThan(0); // scored 0 like any wrong answer
    const on = run(true);
    expect(on.members.map((m) => m.overlong)).toEqual([false, false, true, false]);
    expect(on.rewardMean).toBeCloseTo(2 / 3, 12);
    expect(on.members[2]).toMatchObject({ reward: 0, advantage: 0 }); // its reward is still reported
    expect(on.members[1].advantage).toBeLessThan(0);
    expect(on.members[0].advantage).toBeGreaterThan(0);
  });
});
