// verifier: routes each rollout to the math or code reward and publishes the verdict (with the
// rollout's tokens, so nothing downstream needs a lookup). Outcomes are data; a verdict's
// msgID is derived from the rollout id, so a redelivered rollout cannot be judged twice
// downstream.
import { Rollout } from '../../contracts/rollout.ts';
import type { Outcome, Verdict } from '../../contracts/verdict.ts';
import { CodeVerifierPool } from '../../ops/reward/code/pool.ts';
import { MathVerifierPool } from '../../ops/reward/math/pool.ts';
import { burnCpu } from '../burn.ts';
import { ACK, consume } from '../consume.ts';
import { rlSubjects } from '../rl-subjects.ts';
import type { ActorDefinition } from '../runtime.ts';
import { VerifierConfig } from './config.ts';

export const verifier: ActorDefinition<typeof VerifierConfig> = {
  kind: 'verifier',
  config: VerifierConfig,
  async run(ctx, cfg) {
    const math = new MathVerifierPool({ workers: cfg.mathWorkers, deadlineMs: cfg.mathDeadlineMs });
    let code = null as CodeVerifierPool | null;
    const subjects = rlSubjects(ctx.names, ctx.runId);
    try {
      await math.ready();
      await consume(
        ctx,
        {
          stream: ctx.names.streams.rollouts.name,
          durable: 'verifier',
          filterSubject: subjects.all('rollouts'),
          schema: Rollout,
          concurrency: cfg.concurrency,
          ackWaitMs: cfg.ackWaitMs,
          metricPrefix: 'verifier',
        },
        async (d) => {
          const r = d.value;
          const t0 = performance.now();
          let outcome: Outcome;
          let reward: 0 | 1 | null;
          if (r.domain === 'math') {
            const v = await math.verify({ gold: r.gold ?? '', response: r.response });
            outcome = { kind: v.kind, reason: v.reason, rule: v.rule, detail: { gold: v.gold, pred: v.pred } };
            reward = v.reward;
          } else {
            code ??= new CodeVerifierPool({ jsWorkers: cfg.codeJsWorkers, pyWorkers: cfg.codePyWorkers });
            const v = await code.verify({ response: r.response, tests: r.tests });
            const reason = v.reason ?? (v.firstFailure ? `test ${v.firstFailure.test}: ${v.firstFailure.reason}` : `passed ${v.passed}/${v.total}`);
            outcome = { kind: v.kind, reason, detail: { passed: v.passed, total: v.total, firstFailure: v.firstFailure } };
            reward = v.reward;
          }
          if (cfg.burnMsPerRollout > 0) burnCpu(cfg.burnMsPerRollout);
          const elapsed = performance.now() - t0;
          if (cfg.slowFactor > 1) await new Promise((res) => setTimeout(res, elapsed * (cfg.slowFactor - 1)));
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
          };
          await ctx.sink.publish(subjects.verdicts(r.step, r.groupId), verdict);
          ctx.metrics.inc(`verifier/${outcome.kind}`);
          ctx.metrics.inc('verifier/verify_ms_total', verdict.verifyMs);
          return ACK;
        },
      );
    } finally {
      await math.close();
      await code?.close();
    }
  },
};
