// The advantage-normalizer's core: joins verdicts into groups by groupId and, when a group
// is complete, computes group-normalized advantages. Pure and synchronous (no I/O, no clock
// of its own), so it is tested directly and the actor only wires it to streams.
//
// Incomplete groups: a group still missing verdicts `groupTimeoutMs` after its first verdict
// arrived is closed as `partial` with the members it has; the missing ones are listed and
// take no part (as if unscorable). The actor logs every such closure.
//
// Closed groups: a verdict for a group already closed is 'late' (acked, starts no group) while
// the id is remembered: until the group's verdicts are acked (`settled`) and `lateWindowMs`
// after that, then it is forgotten, so a long run holds only its recent ids (see lateWindowMs).
import type { ScoredGroup } from '../../contracts/scored.ts';
import type { Verdict } from '../../contracts/verdict.ts';
import { groupAdvantages } from '../../ops/recipe/advantage.ts';

export interface JoinerOptions {
  groupTimeoutMs: number;
  /** Drop groups whose scorable rewards are all equal (paper: keep). */
  dropDegenerate: boolean;
  /** Leave responses cut by the length cap out of the statistics (and, at the learner, the loss). */
  overlongFilter?: boolean;
  /**
   * How long a closed group's id is remembered after `settled`, ms. A member verdict whose ack
   * is lost comes back one consumer ack wait after its last delivery or progress signal, both
   * before the settle, so this must exceed the ack wait (plus the wait for a pull).
   * Forgetting is harmless for a verdict later still (a member missing from a partial group):
   * it opens a new group that closes partial and is published under the same msgID, which the
   * stream drops within its duplicate window and the learner ignores after it (it keeps a
   * step's first group of an id, and has left older steps behind).
   */
  lateWindowMs: number;
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
  /** Closed group id -> when to forget it (Infinity until settled); its verdicts are 'late'. */
  private readonly closedUntil = new Map<string, number>();

  constructor(private readonly opts: JoinerOptions) {}

  get open(): number {
    return this.pending.size;
  }

  /** Closed groups whose ids are still remembered. */
  get closed(): number {
    return this.closedUntil.size;
  }

  /** Adds a verdict; returns the group when this verdict completes it. */
  add(v: Verdict, now: number): Closed | 'duplicate' | 'late' | null {
    if (this.closedUntil.has(v.groupId)) return 'late';
    let p = this.pending.get(v.groupId);
    if (!p) {
      p = { firstAt: now, verdicts: new Map() };
      this.pending.set(v.groupId, p);
    }
    if (p.verdicts.has(v.index)) return 'duplicate';
    p.verdicts.set(v.index, v);
    return p.verdicts.size === v.groupSize ? this.close(v.groupId, 'complete', now) : null;
  }

  /** Closes every group older than the timeout as partial, and forgets closed ids past their window. */
  expire(now: number): Closed[] {
    for (const [groupId, until] of this.closedUntil) if (until <= now) this.closedUntil.delete(groupId);
    const out: Closed[] = [];
    for (const [groupId, p] of this.pending) {
      if (now - p.firstAt >= this.opts.groupTimeoutMs) out.push(this.close(groupId, 'partial', now));
    }
    return out;
  }

  /** The closed group is durably published and its verdicts acked: remember it lateWindowMs more. */
  settled(groupId: string, now: number): void {
    this.closedUntil.set(groupId, now + this.opts.lateWindowMs);
  }

  private close(groupId: string, completion: 'complete' | 'partial', now: number): Closed {
    const p = this.pending.get(groupId)!;
    this.pending.delete(groupId);
    this.closedUntil.set(groupId, Number.POSITIVE_INFINITY);
    const members = [...p.verdicts.values()].sort((a, b) => a.index - b.index);
    const first = members[0];
    const overlong = members.map((m) => this.opts.overlongFilter === true && m.finished === false);
    const stats = groupAdvantages(members.map((m, i) => (overlong[i] ? null : m.reward)));
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
        overlong: overlong[i],
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
