// The learner's step core: takes the step's scored groups as they arrive, in any order, and
// releases their gradient parts to be added in group-index order, so the step's sum (and the
// run) does not depend on arrival order. Pure and synchronous: the caller computes each part
// (ORT) and adds the released ones; `P` is whatever it computes. Not the stream consumer
// (collect-step.ts) and not the optimizer step.
//
// Dynamic sampling (maxGroups > groups): a group whose advantages are all zero (all rewards
// equal, or dropped by the normalizer) carries no signal; it is marked dropped and the step
// grows by one group (index groups, groups + 1, ...), for which the caller releases a new
// prompt, until `groups` groups with signal are in or maxGroups are released. The step's
// groups are then indices 0 .. target - 1 with target = min(maxGroups, groups + degenerate
// among them): a fixed point of the groups' own contents, so arrival order, and a restart
// that re-reads the step's groups, give the same step.
import type { ScoredGroup } from '../../contracts/scored.ts';
import { CodedError } from '../../ops/errors.ts';

export class StepAccumulatorError extends CodedError<'WRONG_STEP' | 'INDEX_OUT_OF_RANGE' | 'INDEX_TAKEN' | 'NOT_PENDING'> {}

export interface Admitted {
  index: number;
  /** The group as taken in (dynamic sampling marks a group without signal dropped). */
  group: ScoredGroup;
  /** Dynamic sampling: indices the step grew by with this group (their prompts are to be released). */
  refill: number[];
  /** Sampled with a version outside [step - maxPolicyLag, step]: counts toward the step, adds no gradient. */
  offPolicy: boolean;
  /** The step's last group to arrive. */
  last: boolean;
}

export class StepAccumulator<P> {
  /** Group ids whose rollouts were sampled with a version the step does not train on. */
  readonly offPolicy = new Set<string>();
  private readonly received = new Map<number, ScoredGroup>();
  /** Parts put but not yet released: they wait for every lower index. */
  private readonly parked = new Map<number, P | null>();
  private nextIndex = 0;
  /** Groups the step is made of now: `groups`, grown by dynamic sampling. */
  private target: number;

  constructor(
    readonly step: number,
    /** Groups with signal the step wants (its tasksPerStep). */
    readonly groups: number,
    readonly maxPolicyLag: number,
    /** Groups released at most for the step (dynamic sampling when above `groups`). */
    readonly maxGroups: number = groups,
  ) {
    this.target = groups;
  }

  /** Groups taken in so far. */
  get count(): number {
    return this.received.size;
  }

  /** Groups the step is made of (its indices are 0 .. size - 1). */
  get size(): number {
    return this.target;
  }

  /** Every group taken in and every part released. */
  get complete(): boolean {
    return this.nextIndex >= this.target;
  }

  /**
   * Takes a group in, or returns null when there is nothing to do with it: a redelivered
   * group, or any group once the step has them all. Throws on a group of another step or an
   * index outside [0, groups).
   */
  admit(g: ScoredGroup): Admitted | null {
    if (this.complete) return null;
    const where = `scored group ${g.groupId} (step ${g.step}, index ${g.groupIndex})`;
    if (g.step !== this.step) throw new StepAccumulatorError('WRONG_STEP', `${where} is not of step ${this.step}`);
    if (!Number.isInteger(g.groupIndex) || g.groupIndex < 0 || g.groupIndex >= this.maxGroups) {
      throw new StepAccumulatorError('INDEX_OUT_OF_RANGE', `${where} is not one of step ${this.step}'s ${this.maxGroups} groups (index 0 ... ${this.maxGroups - 1})`);
    }
    const prior = this.received.get(g.groupIndex);
    if (prior) {
      if (prior.groupId !== g.groupId) throw new StepAccumulatorError('INDEX_TAKEN', `${where}: index ${g.groupIndex} is group ${prior.groupId}'s`);
      return null;
    }
    const offPolicy = g.policyVersion > this.step || g.policyVersion < this.step - this.maxPolicyLag;
    if (offPolicy) this.offPolicy.add(g.groupId);
    const refill: number[] = [];
    const degenerate = g.dropped || g.members.every((m) => m.advantage === 0);
    if (this.maxGroups > this.groups && degenerate && !offPolicy) {
      // Kept marked dropped: no gradient, and the ledger leaves its rollouts out.
      g = { ...g, dropped: true };
      if (this.target < this.maxGroups) refill.push(this.target++);
    }
    this.received.set(g.groupIndex, g);
    return { index: g.groupIndex, group: g, refill, offPolicy, last: this.received.size >= this.target };
  }

  /** Dynamic sampling: the step's groups with signal so far. */
  get withSignal(): number {
    return [...this.received.values()].filter((g) => !g.dropped && !this.offPolicy.has(g.groupId)).length;
  }

  /**
   * The part of admitted group `index` (null: nothing to add, e.g. dropped or off-policy);
   * returns the parts now due, in index order.
   */
  put(index: number, part: P | null): P[] {
    if (!this.received.has(index) || index < this.nextIndex || this.parked.has(index)) {
      throw new StepAccumulatorError('NOT_PENDING', `group index ${index} of step ${this.step} is not admitted or already has its part`);
    }
    this.parked.set(index, part);
    const due: P[] = [];
    for (; this.parked.has(this.nextIndex); this.nextIndex++) {
      const p = this.parked.get(this.nextIndex) as P | null;
      this.parked.delete(this.nextIndex);
      if (p !== null) due.push(p);
    }
    return due;
  }

  /** The groups taken in, in index order. */
  inOrder(): ScoredGroup[] {
    return [...this.received.keys()].filter((i) => i < this.target).sort((a, b) => a - b).map((i) => this.received.get(i)!);
  }
}
