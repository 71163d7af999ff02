// The learner's per-step intake: a fresh consumer reads step N's scored groups from the start
// of their subject into a StepAccumulator; each group's gradients are computed (ORT) as it
// arrives and the parts the accumulator releases are added to the engine in index order.
// It uses source$ rather than consume(): the consumer is recreated per step, groups are taken
// one at a time in arrival order, and nothing is acked here (the learner acks after its commit).
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { fromEvent, takeUntil } from 'rxjs';
import { ScoredGroup } from '../../contracts/scored.ts';
import type { GradientPart, Learner } from '../../ops/model/learner.ts';
import { notThere, retryTransient } from '../../streams/manager.ts';
import { type Delivery, source$ } from '../../streams/source.ts';
import { countPullRetry } from '../consume.ts';
import { rlSubjects } from '../rl-subjects.ts';
import type { ActorContext } from '../runtime.ts';
import { StepAccumulator } from './step-accumulator.ts';
import type { StepGroups } from './step-metrics.ts';

export interface CollectedStep extends StepGroups {
  /** Every delivery of the step's subject taken in, duplicates included: acked after the commit. */
  deliveries: Delivery<ScoredGroup>[];
  /** performance.now() when the step's last group arrived. */
  lastArrival: number;
}

/** Accumulates the step's groups as they arrive; null when the learner drains first. */
export async function collectStep(
  ctx: ActorContext,
  engine: Learner,
  step: number,
  groups: number,
  maxPolicyLag: number,
  threads: { narrow: number; wide: number },
  /** Dynamic sampling: groups released at most, and how a new group's prompt is released. */
  dynamic?: { maxGroups: number; release: (index: number) => Promise<void> },
): Promise<CollectedStep | null> {
  const subjects = rlSubjects(ctx.names, ctx.runId);
  const durable = `learner-s${step}`;
  // A fresh consumer per step reading the step's subject from its start: after a restart the
  // step's groups come back whether or not an earlier incarnation had received them.
  // Through an election (a server of the cluster lost): wait, do not restart.
  await retryTransient(async () => {
    await ctx.jsm.consumers.delete(ctx.names.streams.scored.name, durable).catch(notThere);
    await ctx.jsm.consumers.add(ctx.names.streams.scored.name, {
      durable_name: durable,
      filter_subject: subjects.scored(step),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(3_600_000),
      max_ack_pending: 100_000,
    });
  }, { onRetry: (err) => ctx.log(`step ${step}: creating its consumer met ${err.message}; retrying`) });
  const acc = new StepAccumulator<GradientPart>(step, groups, maxPolicyLag, dynamic?.maxGroups ?? groups);
  const deliveries: Delivery<ScoredGroup>[] = [];
  const collected = (lastArrival: number): CollectedStep => ({ groups: acc.inOrder(), offPolicy: acc.offPolicy, deliveries, lastArrival });
  return new Promise((resolve, reject) => {
    let chain = Promise.resolve();
    let waiting = 0; // groups received and not yet taken up
    const sub = source$({
      js: ctx.js,
      stream: ctx.names.streams.scored.name,
      durable,
      schema: ScoredGroup,
      capacity: 100_000,
      deadLetters: { sink: ctx.sink, subject: ctx.deadLetterSubject },
      onTransientError: countPullRetry(ctx, 'learner'),
    })
      .pipe(takeUntil(fromEvent(ctx.drain, 'abort')))
      .subscribe({
        next: (d) => {
          const arrived = performance.now();
          waiting++;
          chain = chain
            .then(async () => {
              waiting--;
              deliveries.push(d);
              const a = acc.admit(d.value);
              if (!a) return;
              const g = a.group;
              for (const index of a.refill) {
                ctx.metrics.inc('learner/refilled_groups');
                await dynamic!.release(index);
              }
              let part: GradientPart | null = null;
              if (a.offPolicy) {
                ctx.log(`group ${g.groupId} has policy v${g.policyVersion}, outside [${step - maxPolicyLag}, ${step}] for step ${step}: left out`);
                ctx.metrics.inc('learner/off_policy_groups');
              } else if (!g.dropped && g.members.some((m) => !m.overlong)) {
                // Overlong members (overlong filtering) are left out of the loss, tokens and all.
                const members = g.members.filter((m) => !m.overlong);
                if (members.length < g.members.length) ctx.metrics.inc('learner/overlong_filtered', g.members.length - members.length);
                // Narrow while keeping up (the other cores generate and verify); wide for the
                // step's last group and whenever groups queue up behind this one. Every width
                // gives the same bits.
                const wide = a.last || waiting > 0;
                part = await engine.gradientsOf(
                  {
                    tokens: members.map((m) => Int32Array.from([...m.promptTokens, ...m.responseTokens])),
                    responseStart: members.map((m) => m.promptTokens.length),
                    advantages: members.map((m) => m.advantage),
                  },
                  { threads: wide ? threads.wide : threads.narrow },
                );
                ctx.metrics.inc(wide ? 'learner/wide_groups' : 'learner/narrow_groups');
              }
              for (const p of acc.put(a.index, part)) engine.addGradients(p);
              ctx.metrics.set('learner/groups_in_step', acc.count);
              if (acc.complete) {
                sub.unsubscribe();
                resolve(collected(arrived));
              }
            })
            .catch((err) => {
              sub.unsubscribe();
              reject(err);
            });
        },
        error: reject,
        complete: () => chain.then(() => resolve(acc.complete ? collected(performance.now()) : null)),
      });
  });
}
