// The learner's step core: takes the step's scored groups as they arrive, in any order, and
// releases their gradient parts to be added in group-index order, so the step's sum (and the
// run) does not depend on arrival order. Pure and synchronous: the caller computes each part
// (ORT) and adds the released ones; `P` is whatever it computes. Not the stream consumer
// (collect-step.ts) and not the optimizer step.
import type { ScoredGroup } from '../../contracts/scored.ts';
import { CodedError } from '../../ops/errors.ts';

export class StepAccumulatorError extends CodedError<'WRONG_STEP' | 'INDEX_OUT_OF_RANGE' | 'INDEX_TAKEN' | 'NOT_PENDING'> {}

export interface Admitted {
  index: number;
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

  constructor(
    readonly step: number,
    /** Groups in the step (its tasksPerStep). */
    readonly groups: number,
    readonly maxPolicyLag: number,
  ) {}

  /** Groups taken in so far. */
  get count(): number {
    return this.received.size;
  }

  /** Every group taken in and every part released. */
  get complete(): boolean {
    return this.nextIndex === this.groups;
  }

  /**
   * Takes a group in, or returns null when there is nothing to do with it: a redelivered
   * group, or any group once the step has them all. Throws on a group of another step or an
   * index outside [0, groups).
   */
  admit(g: ScoredGroup): Admitted | null {
    if (this.received.size >= this.groups) return null;
    const where = `scored group ${g.groupId} (step ${g.step}, index ${g.groupIndex})`;
    if (g.step !== this.step) throw new StepAccumulatorError('WRONG_STEP', `${where} is not of step ${this.step}`);
    if (!Number.isInteger(g.groupIndex) || g.groupIndex < 0 || g.groupIndex >= this.groups) {
      throw new StepAccumulatorError('INDEX_OUT_OF_RANGE', `${where} is not one of step ${this.step}'s ${this.groups} groups (index 0 ... ${this.groups - 1})`);
    }
    const prior = this.received.get(g.groupIndex);
    if (prior) {
      if (prior.groupId !== g.groupId) throw new StepAccumulatorError('INDEX_TAKEN', `${where}: index ${g.groupIndex} is group ${prior.groupId}'s`);
      return null;
    }
    this.received.set(g.groupIndex, g);
    const offPolicy = g.policyVersion > this.step || g.policyVersion < this.step - this.maxPolicyLag;
    if (offPolicy) this.offPolicy.add(g.groupId);
    return { index: g.groupIndex, offPolicy, last: this.received.size === this.groups };
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
    return [...this.received.keys()].sort((a, b) => a - b).map((i) => this.received.get(i)!);
  }
}
