// learner: owns the step clock. For step N it releases the step's prompts (policy version N),
// accumulates gradients group by group as scored groups arrive, and once the step's batch is
// complete takes exactly one AdamW step, writes the new weights and announces version N+1
// (object store, or the step checkpoint's model.safetensors) and releases the next prompts:
// that is the whole per-step barrier. The rest of the checkpoint (optimizer moments, trainer
// state), the ledger entry, the curriculum pass rates and the commit in the run KV bucket
// follow while the next step generates; then the step's groups are acked. With
// maxPolicyLag k, prompts go out k steps ahead under the current version.
//
// Recovery: the run KV key `learner.step` is the commit point. A restarted learner loads the
// checkpoint of that step and re-reads the step's scored groups from the start of their
// subject (a fresh per-step consumer), so no group is lost and none enters two steps. The
// redone step computes the same bits (same groups in stream order, deterministic kernels);
// should it not, an already announced version wins (see the loop).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { fromEvent, takeUntil } from 'rxjs';
import type { PolicyUpdate } from '../../contracts/policy.ts';
import { ScoredGroup } from '../../contracts/scored.ts';
import type { StepRecord } from '../../contracts/step.ts';
import type { Task } from '../../contracts/task.ts';
import { AdamW } from '../../ops/model/adamw.ts';
import { type Checkpoint, loadCheckpoint, saveTrainerState, saveWeights } from '../../ops/model/checkpoint.ts';
import { type GradientPart, Learner } from '../../ops/model/learner.ts';
import { promptTokens } from '../../ops/recipe/template.ts';
import { Rng } from '../../ops/rng.ts';
import { generateMathTasks, type MathLevel, type MathTask } from '../../ops/tasks/math.ts';
import { openKv } from '../../streams/manager.ts';
import { type Delivery, source$ } from '../../streams/source.ts';
import { countPullRetry } from '../consume.ts';
import { faultPoint } from '../fault.ts';
import { announcementOf, loadAnnounced, policyObjectName, putPolicy, sha256Hex } from '../policy-store.ts';
import { rlSubjects } from '../rl-subjects.ts';
import type { ActorContext, ActorDefinition } from '../runtime.ts';
import { type CurriculumStage, defaultBuckets, LearnerConfig } from './config.ts';

export const STEP_KEY = 'learner.step';
export const DONE_KEY = 'learner.done';

export function stageAt(curriculum: readonly CurriculumStage[], step: number): CurriculumStage {
  return [...curriculum].sort((a, b) => a.fromStep - b.fromStep).filter((s) => s.fromStep <= step).at(-1) ?? curriculum[0];
}

/** The step's prompts: a seeded draw from the pool, leaving out prompts the stage calls too easy. */
export function selectTasks(pool: readonly MathTask[], passRates: ReadonlyMap<string, number>, stage: CurriculumStage, seed: number, step: number, n: number): MathTask[] {
  const eligible = pool.filter((t) => (passRates.get(t.id) ?? 0) < stage.dropPassRateAtLeast);
  const from = eligible.length >= n ? eligible : pool;
  const rng = new Rng((seed * 1_000_003 + step) >>> 0);
  const picked = new Set<number>();
  while (picked.size < n) picked.add(rng.int(0, from.length - 1));
  return [...picked].map((i) => from[i]);
}

/** Prefix slots for prompt sharing: the pool's longest prompt minus its last token, rounded up to eights. */
export function sharedPrefixFor(pool: readonly MathTask[]): number {
  const longest = pool.reduce((m, t) => Math.max(m, promptTokens(t.question).length), 1);
  return Math.ceil((longest - 1) / 8) * 8;
}

const stepDir = (runDir: string, step: number) => join(runDir, 'checkpoints', `step-${String(step).padStart(5, '0')}`);

export const learner: ActorDefinition<typeof LearnerConfig> = {
  kind: 'learner',
  config: LearnerConfig,
  async run(ctx, cfg) {
    const subjects = rlSubjects(ctx.names, ctx.runId);
    const runKv = await openKv(ctx.nc, ctx.names.kv.run);
    const curriculumKv = await openKv(ctx.nc, ctx.names.kv.curriculum);
    const committed = await runKv.get(STEP_KEY);
    let step = committed?.value.length ? Number(committed.string()) : 0;

    // The policy at `step`: the step's checkpoint when resuming, else the base.
    const ckpt: Checkpoint = step > 0 ? loadCheckpoint(stepDir(cfg.runDir, step)) : loadCheckpoint(cfg.base);
    const { config, params } = ckpt;
    const optimizer = new AdamW({ weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm }, step > 0 ? (ckpt.optimizer ?? undefined) : undefined);
    const pool = generateMathTasks({ seed: ctx.topology.seed, split: 'train', count: cfg.poolSize, levels: cfg.levels as MathLevel[] });
    const sharedPrefix = cfg.sharePrompts ? sharedPrefixFor(pool) : 0;
    const buckets = cfg.buckets ?? defaultBuckets(config.max_position_embeddings);
    const engine = new Learner(config, params, { buckets, threads: cfg.threads, spinWait: cfg.spinWait, sharedPrefix });
    const passRates = new Map<string, number>();
    for await (const k of await curriculumKv.keys('pass.>')) {
      const e = await curriculumKv.get(k);
      if (e?.value.length) passRates.set(k.slice('pass.'.length), Number(e.string()));
    }
    ctx.log(`starting at step ${step} of ${cfg.steps} (${step > 0 ? 'resumed from checkpoint' : `base ${cfg.base}`}); pool ${pool.length} tasks`);

    // Publishes version `version` (stored where cfg.weights says) and its announcement. An
    // announced version is immutable: the generators may already be sampling with it.
    const announce = async (version: number, weightsFile?: { bytes: Uint8Array; path: string }) => {
      let location: PolicyUpdate['location'];
      let digest: string;
      let bytes: number;
      if (cfg.weights === 'file') {
        const path = weightsFile?.path ?? join(version === 0 ? cfg.base : stepDir(cfg.runDir, version), 'model.safetensors');
        const data = weightsFile?.bytes ?? readFileSync(path);
        location = { type: 'file', path: resolve(path) };
        digest = sha256Hex(data);
        bytes = data.length;
      } else {
        ({ digest, bytes } = await putPolicy(ctx.nc, ctx.names, version, config, params));
        location = { type: 'object-store', bucket: ctx.names.objectStore, name: policyObjectName(version) };
      }
      const update: PolicyUpdate = {
        kind: 'policy-update',
        id: `policy.${ctx.runId}.v${version}`,
        runId: ctx.runId,
        step: version,
        policyVersion: version,
        ts: Date.now(),
        digest,
        bytes,
        format: 'safetensors',
        location,
      };
      await ctx.sink.publish(subjects.policy(version), update);
      ctx.metrics.set('policy/version', version);
    };
    if (!(await announcementOf(ctx.nc, ctx.names, ctx.runId, step))) await announce(step);

    let released = step - 1;
    const releaseStep = async (s: number, version: number) => {
      const stage = stageAt(cfg.curriculum, s);
      const tasks = selectTasks(pool, passRates, stage, ctx.topology.seed, s, cfg.tasksPerStep);
      // All at once: one round trip on the critical path, not one per prompt. Their order in
      // the stream does not matter (row seeds fix each sample; groups add in index order).
      await Promise.all(tasks.map((t, i) => {
        const msg: Task = {
          kind: 'task',
          id: `task.${ctx.runId}.s${s}.${i}`,
          runId: ctx.runId,
          step: s,
          policyVersion: version,
          ts: Date.now(),
          taskId: t.id,
          groupId: `g.s${s}.${i}`,
          groupIndex: i,
          domain: 'math',
          prompt: t.question,
          gold: t.gold,
          groupSize: cfg.groupSize,
          maxResponseTokens: stage.maxResponseTokens,
          meta: { level: t.level, family: t.family },
        };
        return ctx.sink.publish(subjects.prompts(s), msg);
      }));
    };
    // Prompts through `current` + maxPolicyLag, tagged with the version current now; msgIDs
    // make a re-release after a restart a no-op.
    const releaseThrough = async (current: number) => {
      for (let s = Math.max(current, released + 1); s <= Math.min(current + cfg.maxPolicyLag, cfg.steps - 1); s++) {
        await releaseStep(s, current);
        released = s;
      }
    };

    let warmedUp = false;
    while (step < cfg.steps && !ctx.drain.aborted) {
      const t0 = Date.now();
      ctx.metrics.set('learner/step', step);
      await releaseThrough(step);
      // Every micro-batch shape's graph now, while the first prompts generate, rather than
      // one by one inside later steps as new lengths turn up (about 0.1 s each).
      if (!warmedUp) {
        await engine.warmup([...new Set([cfg.threads, Math.min(cfg.narrowThreads, cfg.threads)])]);
        warmedUp = true;
      }
      const stage = stageAt(cfg.curriculum, step);

      const result = await collectStep(ctx, engine, step, cfg.tasksPerStep, cfg.maxPolicyLag, { narrow: Math.min(cfg.narrowThreads, cfg.threads), wide: cfg.threads });
      if (!result) break; // draining: nothing committed, the next incarnation redoes the step
      const tClosed = performance.now();

      // The step's pass rates steer the hard-prompt curriculum from the next release on (here,
      // before it, and in the curriculum bucket with the commit, so a restart sees the same).
      const stepRates = new Map<string, number>();
      for (const g of result.groups) {
        const scored = g.members.filter((m) => m.reward !== null);
        if (scored.length) stepRates.set(g.taskId, scored.filter((m) => m.reward === 1).length / scored.length);
      }
      for (const [taskId, rate] of stepRates) passRates.set(taskId, rate);

      // Exactly one optimizer step for the batch.
      const grads = engine.takeGrads();
      const stats = engine.lastStep!;
      const report = optimizer.step(params, grads, cfg.lr);
      engine.recycle(grads);
      const tOptimized = performance.now();
      const next = step + 1;
      const dir = stepDir(cfg.runDir, next);
      const state = { formatVersion: 1 as const, step: next, policyVersion: next, optimizerStep: optimizer.state.step, rngState: null, extra: {} };

      // The critical path: version N+1 out and the next prompts released, before the rest of
      // the checkpoint, the ledger and the commit, which overlap the next step's generation.
      // A learner that dies in between redoes step N from checkpoint N on restart (its groups
      // are not acked yet); if version N+1 was announced by then, the announced weights stay
      // (they may have sampled rollouts already) and only the optimizer moments are redone.
      const prior = await announcementOf(ctx.nc, ctx.names, ctx.runId, next);
      if (prior) {
        const kept = await loadAnnounced(ctx.nc, ctx.names, ctx.runId, next);
        const same = sameBits(params, kept.params);
        ctx.log(`step ${step} redone after a restart: version ${next} was announced before (${prior.digest.slice(0, 12)}); the redone weights are ${same ? 'bit-identical' : 'different and are replaced by the announced ones'}`);
        if (!same) for (const [name, p] of params) p.set(kept.params.get(name)!);
        saveWeights(dir, { config, params, state });
      } else {
        const bytes = saveWeights(dir, { config, params, state });
        await announce(next, { bytes, path: join(dir, 'model.safetensors') });
      }
      await releaseThrough(next);
      const tAnnounced = performance.now();
      faultPoint('learner-after-announce', step);

      saveTrainerState(dir, { config, params, optimizer: optimizer.state, state });
      const tSaved = performance.now();

      const rewards = result.groups.flatMap((g) => g.members.map((m) => m.reward)).filter((r): r is 0 | 1 => r !== null);
      const responseLens = result.groups.flatMap((g) => g.members.map((m) => m.responseTokens.length));
      const seconds = (Date.now() - t0) / 1000;
      const metrics: Record<string, number> = {
        'reward/mean': rewards.length ? rewards.reduce((s: number, r) => s + r, 0) / rewards.length : 0,
        'reward/pass_rate': result.groups.filter((g) => g.members.some((m) => m.reward === 1)).length / result.groups.length,
        'reward/unscorable': result.groups.reduce((s, g) => s + g.members.filter((m) => m.reward === null).length, 0),
        'response/mean_tokens': responseLens.reduce((s, n) => s + n, 0) / Math.max(1, responseLens.length),
        'response/max_tokens_cap': stage.maxResponseTokens,
        'learner/loss': stats.loss,
        'learner/entropy': stats.entropy,
        'learner/grad_norm': report.gradNorm,
        'learner/lr': report.lr,
        'learner/response_tokens': stats.tokenCount,
        'learner/micro_batches': stats.microBatches,
        'learner/groups_partial': result.groups.filter((g) => g.completion === 'partial').length,
        'learner/groups_dropped': result.groups.filter((g) => g.dropped).length,
        'learner/groups_off_policy': result.offPolicy.size,
        'learner/policy_lag_max': Math.max(...result.groups.map((g) => step - g.policyVersion)),
        // Where the step's wall time went: last group in -> optimizer done -> version out and
        // prompts released -> checkpoint complete.
        'step/seconds': seconds,
        'step/tail_after_last_group_ms': tClosed - result.lastArrival,
        'step/optimizer_ms': tOptimized - tClosed,
        'step/publish_ms': tAnnounced - tOptimized,
        'step/checkpoint_ms': tSaved - tAnnounced,
        'step/tokens_per_s': responseLens.reduce((s, n) => s + n, 0) / seconds,
      };
      const record: StepRecord = {
        kind: 'step',
        id: `step.${ctx.runId}.${step}`,
        runId: ctx.runId,
        step,
        policyVersion: step,
        ts: Date.now(),
        rolloutIds: result.groups.flatMap((g) => (g.dropped || result.offPolicy.has(g.groupId) ? [] : g.members.map((m) => m.rolloutId))),
        groupIds: result.groups.map((g) => g.groupId),
        metrics,
        startedAt: t0,
        endedAt: Date.now(),
      };
      await ctx.sink.publish(subjects.steps(), record);
      await Promise.all([...stepRates].map(([taskId, rate]) => curriculumKv.put(`pass.${taskId}`, String(rate))));
      await runKv.put(STEP_KEY, String(next)); // the commit point
      step = next;
      for (const d of result.deliveries) d.ack();
      await ctx.jsm.consumers.delete(ctx.names.streams.scored.name, `learner-s${step - 1}`).catch(() => {});
      pruneCheckpoints(cfg.runDir, step, cfg.keepCheckpoints);
      ctx.log(`step ${step - 1} done in ${seconds.toFixed(1)} s: reward ${metrics['reward/mean'].toFixed(3)} loss ${stats.loss.toFixed(4)} entropy ${stats.entropy.toFixed(3)}`);
    }
    if (step >= cfg.steps) await runKv.put(DONE_KEY, String(step));
  },
};

/** Accumulates the step's groups as they arrive; null when the learner drains first. */
async function collectStep(
  ctx: ActorContext,
  engine: Learner,
  step: number,
  groups: number,
  maxPolicyLag: number,
  threads: { narrow: number; wide: number },
): Promise<{ groups: ScoredGroup[]; offPolicy: Set<string>; deliveries: Delivery<ScoredGroup>[]; lastArrival: number } | null> {
  const subjects = rlSubjects(ctx.names, ctx.runId);
  const durable = `learner-s${step}`;
  // A fresh consumer per step reading the step's subject from its start: after a restart the
  // step's groups come back whether or not an earlier incarnation had received them.
  await ctx.jsm.consumers.delete(ctx.names.streams.scored.name, durable).catch(() => {});
  await ctx.jsm.consumers.add(ctx.names.streams.scored.name, {
    durable_name: durable,
    filter_subject: subjects.scored(step),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(3_600_000),
    max_ack_pending: 100_000,
  });
  const seen = new Map<string, ScoredGroup>();
  const offPolicy = new Set<string>();
  const deliveries: Delivery<ScoredGroup>[] = [];
  // Gradients are computed as groups arrive but added to the step in group-index order (an
  // early group waits here), so the step's sum, and the run, do not depend on arrival order.
  const parked = new Map<number, GradientPart | null>();
  let nextIndex = 0;
  const indexOf = (groupId: string): number => {
    const m = /^g\.s(\d+)\.(\d+)$/.exec(groupId);
    if (!m || Number(m[1]) !== step || Number(m[2]) >= groups) throw new Error(`scored group ${groupId} is not one of step ${step}'s ${groups} groups (g.s${step}.0 ... g.s${step}.${groups - 1})`);
    return Number(m[2]);
  };
  const byIndex = () => [...seen.values()].sort((a, b) => indexOf(a.groupId) - indexOf(b.groupId));
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
              const g = d.value;
              deliveries.push(d);
              if (seen.has(g.groupId) || seen.size >= groups) return;
              const index = indexOf(g.groupId);
              seen.set(g.groupId, g);
              let part: GradientPart | null = null;
              // Counted toward the step (so it completes) but kept out of the gradient.
              if (g.policyVersion > step || g.policyVersion < step - maxPolicyLag) {
                ctx.log(`group ${g.groupId} has policy v${g.policyVersion}, outside [${step - maxPolicyLag}, ${step}] for step ${step}: left out`);
                ctx.metrics.inc('learner/off_policy_groups');
                offPolicy.add(g.groupId);
              } else if (!g.dropped) {
                // Narrow while keeping up (the other cores generate and verify); wide for the
                // step's last group and whenever groups queue up behind this one. Every width
                // gives the same bits.
                const wide = seen.size === groups || waiting > 0;
                part = await engine.gradientsOf(
                  {
                    tokens: g.members.map((m) => Int32Array.from([...m.promptTokens, ...m.responseTokens])),
                    responseStart: g.members.map((m) => m.promptTokens.length),
                    advantages: g.members.map((m) => m.advantage),
                  },
                  { threads: wide ? threads.wide : threads.narrow },
                );
                ctx.metrics.inc(wide ? 'learner/wide_groups' : 'learner/narrow_groups');
              }
              parked.set(index, part);
              for (; parked.has(nextIndex); nextIndex++) {
                const p = parked.get(nextIndex);
                parked.delete(nextIndex);
                if (p) engine.addGradients(p);
              }
              ctx.metrics.set('learner/groups_in_step', seen.size);
              if (seen.size === groups) {
                sub.unsubscribe();
                resolve({ groups: byIndex(), offPolicy, deliveries, lastArrival: arrived });
              }
            })
            .catch((err) => {
              sub.unsubscribe();
              reject(err);
            });
        },
        error: reject,
        complete: () => chain.then(() => resolve(seen.size === groups ? { groups: byIndex(), offPolicy, deliveries, lastArrival: performance.now() } : null)),
      });
  });
}

function sameBits(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): boolean {
  const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return a.size === b.size && [...a].every(([name, v]) => b.has(name) && bytes(v).equals(bytes(b.get(name)!)));
}

function pruneCheckpoints(runDir: string, latest: number, keep: number): void {
  const root = join(runDir, 'checkpoints');
  if (!existsSync(root)) return;
  const steps = readdirSync(root)
    .map((n) => /^step-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((s) => s < latest)
    .sort((a, b) => b - a);
  for (const s of steps.slice(keep)) rmSync(stepDir(runDir, s), { recursive: true, force: true });
}
