// The advantage-normalizer's core: joins verdicts into groups by groupId and, when a group
// is complete, computes group-normalized advantages. Pure and synchronous (no I/O, no clock
// of its own), so it is tested directly and the actor only wires it to streams.
//
// Incomplete groups: a group still missing verdicts `groupTimeoutMs` after its first verdict
// arrived is closed as `partial` with the members it has; the missing ones are listed and
// take no part (as if unscorable). The actor logs every such closure.
import type { ScoredGroup } from '../../contracts/scored.ts';
import type { Verdict } from '../../contracts/verdict.ts';
import { groupAdvantages } from '../../ops/recipe/advantage.ts';

export interface JoinerOptions {
  groupTimeoutMs: number;
  /** Drop groups whose scorable rewards are all equal (paper: keep). */
  dropDegenerate: boolean;
}

interface Pending {
  firstAt: number;
  verdicts: Map<number, Verdict>;
}

export interface Closed {
  group: ScoredGroup;
  /** Verdict ids joined into the group (to ack once the group is published). */
  verdictIds: string[];
}

export class GroupJoiner {
  private readonly pending = new Map<string, Pending>();
  /** Groups already closed: a late or redelivered verdict for one of them is ignored. */
  private readonly closed = new Set<string>();

  constructor(private readonly opts: JoinerOptions) {}

  get open(): number {
    return this.pending.size;
  }

  /** Adds a verdict; returns the group when this verdict completes it. */
  add(v: Verdict, now: number): Closed | 'duplicate' | 'late' | null {
    if (this.closed.has(v.groupId)) return 'late';
    let p = this.pending.get(v.groupId);
    if (!p) {
      p = { firstAt: now, verdicts: new Map() };
      this.pending.set(v.groupId, p);
    }
    if (p.verdicts.has(v.index)) return 'duplicate';
    p.verdicts.set(v.index, v);
    return p.verdicts.size === v.groupSize ? this.close(v.groupId, 'complete', now) : null;
  }

  /** Closes every group older than the timeout as partial. */
  expire(now: number): Closed[] {
    const out: Closed[] = [];
    for (const [groupId, p] of this.pending) {
      if (now - p.firstAt >= this.opts.groupTimeoutMs) out.push(this.close(groupId, 'partial', now));
    }
    return out;
  }

  /** Forget a closed group id (after its scored group is durably published and acked). */
  forget(groupId: string): void {
    this.closed.delete(groupId);
  }

  private close(groupId: string, completion: 'complete' | 'partial', now: number): Closed {
    const p = this.pending.get(groupId)!;
    this.pending.delete(groupId);
    this.closed.add(groupId);
    const members = [...p.verdicts.values()].sort((a, b) => a.index - b.index);
    const first = members[0];
    const stats = groupAdvantages(members.map((m) => m.reward));
    const present = new Set(members.map((m) => m.index));
    const missing = Array.from({ length: first.groupSize }, (_, i) => i).filter((i) => !present.has(i));
    const group: ScoredGroup = {
      kind: 'scored-group',
      id: groupId,
      runId: first.runId,
      step: first.step,
      policyVersion: first.policyVersion,
      ts: now,
      groupId,
      groupIndex: first.groupIndex,
      taskId: first.taskId,
      members: members.map((m, i) => ({
        rolloutId: m.rolloutId,
        index: m.index,
        outcome: m.outcome.kind,
        reward: m.reward,
        advantage: stats.advantages[i],
        promptTokens: m.promptTokens,
        responseTokens: m.responseTokens,
      })),
      rewardMean: stats.mean,
      rewardStd: stats.std,
      completion,
      missing,
      dropped: this.opts.dropDegenerate && stats.degenerate,
    };
    return { group, verdictIds: members.map((m) => m.id) };
  }
}
