// verifier: judges each rollout of its domains (ops/reward/judge.ts) and publishes the verdict
// (with the rollout's tokens, so nothing downstream needs a lookup). Each verifier actor is a
// role with a durable consumer of its own, named after the actor and filtered on its domains,
// so math and code verification scale apart. Outcomes are data; a verdict's msgID is derived
// from the rollout id, so a redelivered rollout cannot be judged twice downstream. Slowness
// for tests and benches is injected around the judgement (fault.ts).
import { Rollout } from '../../contracts/rollout.ts';
import type { Verdict } from '../../contracts/verdict.ts';
import { RolloutJudge } from '../../ops/reward/judge.ts';
import { ACK, consume } from '../consume.ts';
import { readInjection, verifierHook } from '../fault.ts';
import { rlSubjects } from '../rl-subjects.ts';
import type { ActorDefinition } from '../runtime.ts';
import { VerifierConfig } from './config.ts';

export const verifier: ActorDefinition<typeof VerifierConfig> = {
  kind: 'verifier',
  config: VerifierConfig,
  async run(ctx, cfg) {
    const injection = readInjection();
    if (injection?.verifier) ctx.log(`injected (ACE_INJECT) ${JSON.stringify(injection.verifier)}`);
    const inject = verifierHook(injection);
    const judge = new RolloutJudge(cfg, cfg.domains);
    const subjects = rlSubjects(ctx.names, ctx.runId);
    // One filter subject per consumer: both domains are the whole stream of this run.
    const filterSubject = cfg.domains.length === 1 ? subjects.rolloutsOf(cfg.domains[0]) : subjects.all('rollouts');
    try {
      await judge.ready();
      ctx.log(`judging ${cfg.domains.join(' and ')} rollouts (${filterSubject}) through durable '${ctx.actor}'; pools started: ${judge.started().join(', ') || 'none yet'}`);
      await consume(
        ctx,
        {
          stream: ctx.names.streams.rollouts.name,
          durable: ctx.actor,
          filterSubject,
          schema: Rollout,
          concurrency: cfg.concurrency,
          ackWaitMs: cfg.ackWaitMs,
          metricPrefix: 'verifier',
        },
        async (d) => {
          const r = d.value;
          const t0 = performance.now();
          const { outcome, reward } = await inject(() => judge.judge(r));
          const verdict: Verdict = {
            kind: 'verdict',
            id: `v.${r.id}`,
            runId: r.runId,
            step: r.step,
            policyVersion: r.policyVersion,
            ts: Date.now(),
            rolloutId: r.id,
            taskId: r.taskId,
            groupId: r.groupId,
            groupIndex: r.groupIndex,
            index: r.index,
            groupSize: r.groupSize,
            outcome,
            reward,
            verifier: ctx.instance,
            verifyMs: performance.now() - t0,
            promptTokens: r.promptTokens,
            responseTokens: r.responseTokens,
            finished: r.finished,
          };
          await ctx.sink.publish(subjects.verdicts(r.step, r.groupId), verdict);
          ctx.metrics.inc(`verifier/${outcome.kind}`);
          // Judged again after another instance held it past the ack wait (it died or was cut off).
          if (d.redeliveryCount > 0) ctx.metrics.inc('verifier/redelivered');
          ctx.metrics.inc('verifier/verify_ms_total', verdict.verifyMs);
          return ACK;
        },
      );
    } finally {
      await judge.close();
    }
  },
};
