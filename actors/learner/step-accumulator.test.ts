import { describe, expect, it } from 'vitest';
import type { ScoredGroup } from '../../contracts/scored.ts';
import { StepAccumulator, StepAccumulatorError } from './step-accumulator.ts';

function group(step: number, index: number, over: Partial<ScoredGroup> = {}): ScoredGroup {
  return {
    kind: 'scored-group',
    id: `g.s${step}.${index}`,
    runId: 'r',
    step,
    policyVersion: step,
    ts: 0,
    groupId: `g.s${step}.${index}`,
    groupIndex: index,
    taskId: `t${index}`,
    members: [{ rolloutId: `ro.${step}.${index}.0`, index: 0, outcome: 'correct', reward: 1, advantage: 0, promptTokens: [1], responseTokens: [2] }],
    rewardMean: 1,
    rewardStd: 0,
    completion: 'complete',
    missing: [],
    dropped: false,
    ...over,
  };
}

/** Feeds groups in `order`, each with part `p<index>`; returns the parts released, in release order. */
function feed(acc: StepAccumulator<string>, gs: ScoredGroup[]): string[] {
  const added: string[] = [];
  for (const g of gs) {
    const a = acc.admit(g);
    if (a) added.push(...acc.put(a.index, a.offPolicy ? null : `p${a.index}`));
  }
  return added;
}

function thrown(f: () => unknown): StepAccumulatorError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(StepAccumulatorError);
    return e as StepAccumulatorError;
  }
  throw new Error('did not throw');
}

describe('StepAccumulator', () => {
  it('releases parts in index order whatever the arrival order', () => {
    const acc = new StepAccumulator<string>(3, 5, 0);
    const released: string[][] = [];
    for (const i of [2, 4, 0, 3, 1]) {
      const a = acc.admit(group(3, i))!;
      released.push(acc.put(a.index, `p${i}`));
    }
    // 2 and 4 wait for 0; 0 releases itself only (1 is missing); 1 releases 1..4.
    expect(released).toEqual([[], [], ['p0'], [], ['p1', 'p2', 'p3', 'p4']]);
    expect(acc.complete).toBe(true);
    expect(acc.inOrder().map((g) => g.groupIndex)).toEqual([0, 1, 2, 3, 4]);
  });

  it('ignores a redelivered group and, once full, any group', () => {
    const acc = new StepAccumulator<string>(0, 3, 0);
    expect(feed(acc, [group(0, 1), group(0, 1), group(0, 0), group(0, 1)])).toEqual(['p0', 'p1']);
    expect(acc.count).toBe(2);
    expect(acc.complete).toBe(false);
    expect(feed(acc, [group(0, 2)])).toEqual(['p2']);
    expect(acc.complete).toBe(true);
    expect(acc.admit(group(0, 2))).toBeNull();
    expect(acc.admit(group(0, 7))).toBeNull(); // the step is closed: nothing more is looked at
    expect(acc.count).toBe(3);
  });

  it('reports the last group to arrive', () => {
    const acc = new StepAccumulator<string>(0, 2, 0);
    expect(acc.admit(group(0, 1))).toMatchObject({ index: 1, refill: [], offPolicy: false, last: false });
    expect(acc.admit(group(0, 0))).toMatchObject({ index: 0, refill: [], offPolicy: false, last: true });
    expect(acc.complete).toBe(false); // every group in, but no part put yet
  });

  it('rejects an index outside [0, groups), a group of another step and a taken index', () => {
    const acc = new StepAccumulator<string>(2, 4, 0);
    expect(thrown(() => acc.admit(group(2, 4))).code).toBe('INDEX_OUT_OF_RANGE');
    expect(thrown(() => acc.admit(group(2, -1))).code).toBe('INDEX_OUT_OF_RANGE');
    expect(thrown(() => acc.admit(group(1, 0))).code).toBe('WRONG_STEP');
    expect(thrown(() => acc.admit(group(2, 0, { step: 3 }))).message).toMatch(/g\.s2\.0 \(step 3, index 0\) is not of step 2/);
    acc.admit(group(2, 1));
    expect(thrown(() => acc.admit(group(2, 1, { groupId: 'g.other' }))).code).toBe('INDEX_TAKEN');
    expect(acc.count).toBe(1);
  });

  it('refuses a part for a group not admitted, or a second part', () => {
    const acc = new StepAccumulator<string>(0, 3, 0);
    expect(thrown(() => acc.put(0, 'x')).code).toBe('NOT_PENDING');
    acc.admit(group(0, 1));
    acc.put(1, 'p1');
    expect(thrown(() => acc.put(1, 'again')).code).toBe('NOT_PENDING');
    acc.admit(group(0, 0));
    acc.put(0, 'p0');
    expect(thrown(() => acc.put(0, 'again')).code).toBe('NOT_PENDING');
  });

  it('counts off-policy groups toward the step but keeps their parts out', () => {
    // Step 5 with maxPolicyLag 1 trains on versions 4 and 5.
    const acc = new StepAccumulator<string>(5, 4, 1);
    const gs = [group(5, 0, { policyVersion: 3 }), group(5, 1, { policyVersion: 4 }), group(5, 2, { policyVersion: 6 }), group(5, 3)];
    expect(gs.map((g) => acc.admit(g)!.offPolicy)).toEqual([true, false, true, false]);
    expect([...acc.offPolicy]).toEqual(['g.s5.0', 'g.s5.2']);
    expect([acc.put(0, null), acc.put(2, null), acc.put(1, 'p1'), acc.put(3, 'p3')]).toEqual([[], [], ['p1'], ['p3']]);
    expect(acc.complete).toBe(true);
  });

  describe('dynamic sampling', () => {
    // Groups with signal have a nonzero advantage; `flat` ones are all-equal.
    const signal = (step: number, i: number) => group(step, i, { members: [{ ...group(step, i).members[0], advantage: 0.5 }] });
    const flat = (step: number, i: number) => group(step, i);
    /** Admits in `order`; kind(i) says whether index i has signal; returns the refills asked for, the parts added and the step's groups. */
    function run(order: number[], hasSignal: (i: number) => boolean, groups = 3, maxGroups = 6) {
      const acc = new StepAccumulator<string>(1, groups, 0, maxGroups);
      const refills: number[] = [];
      const added: string[] = [];
      const pending = [...order];
      // Indices arrive only once released (0 .. groups - 1 at first, then each refill).
      const released = new Set(Array.from({ length: groups }, (_, i) => i));
      while (!acc.complete) {
        const i = pending.find((x) => released.has(x));
        if (i === undefined) throw new Error(`stuck: released ${[...released]}`);
        pending.splice(pending.indexOf(i), 1);
        const a = acc.admit(hasSignal(i) ? signal(1, i) : flat(1, i))!;
        for (const r of a.refill) released.add(r);
        refills.push(...a.refill);
        added.push(...acc.put(a.index, a.group.dropped ? null : `p${a.index}`));
      }
      return { refills, added, groups: acc.inOrder().map((g) => [g.groupIndex, g.dropped]), withSignal: acc.withSignal };
    }

    it('refills the step for each group without signal until it has `groups` with signal, whatever the arrival order', () => {
      const hasSignal = (i: number) => i !== 1 && i !== 3;
      const a = run([0, 1, 2, 3, 4, 5], hasSignal);
      const b = run([2, 1, 0, 4, 3, 5], hasSignal);
      expect(a.refills).toEqual([3, 4]);
      expect(a.added).toEqual(['p0', 'p2', 'p4']);
      expect(a.groups).toEqual([[0, false], [1, true], [2, false], [3, true], [4, false]]);
      expect(a.withSignal).toBe(3);
      expect(b.added).toEqual(a.added);
      expect(b.groups).toEqual(a.groups);
    });

    it('stops at maxGroups: the step closes with fewer groups with signal', () => {
      const r = run([0, 1, 2, 3, 4, 5], (i) => i === 0);
      expect(r.refills).toEqual([3, 4, 5]);
      expect(r.groups).toHaveLength(6);
      expect(r.withSignal).toBe(1);
      expect(r.added).toEqual(['p0']);
    });

    it('after a restart, takes a refill group that arrives before the group it replaced', () => {
      // Index 3 was released before the crash (group 1 had no signal); the fresh consumer
      // delivers it first.
      const acc = new StepAccumulator<string>(1, 3, 0, 6);
      expect(acc.admit(signal(1, 3))!.refill).toEqual([]);
      acc.put(3, 'p3');
      for (const [i, s] of [[0, true], [1, false], [2, true]] as const) {
        const a = acc.admit(s ? signal(1, i) : flat(1, i))!;
        expect(a.refill).toEqual(i === 1 ? [3] : []);
        acc.put(i, s ? `p${i}` : null);
      }
      expect(acc.complete).toBe(true);
      expect(acc.size).toBe(4);
    });

    it('is off when maxGroups equals groups: all-equal groups count as they are', () => {
      const acc = new StepAccumulator<string>(1, 2, 0);
      expect(acc.admit(flat(1, 0))).toMatchObject({ refill: [], group: { dropped: false } });
    });
  });
});
