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
// redone step computes the same bits (the same groups added in index order, deterministic
// kernels); should it not, an already announced version wins (see the loop).
//
// Prompts are measured in the run's prompt format (../generator/config.ts promptFormatDir: the
// model's tokenizer and chat template, or the embedded byte-level format), whose tokenizer
// files each step checkpoint copies, so that a step checkpoint of a real model is a complete
// model directory. The base may be a bare model directory (no trainer_state.json: step 0).
//
// This file is the wiring. The step's intake is collect-step.ts around the pure
// step-accumulator.ts; its metrics and ledger entry step-metrics.ts; the curriculum and the
// prompt draw ops/recipe/curriculum.ts; announcements ../policy-store.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from '../../contracts/task.ts';
import { AdamW } from '../../ops/model/adamw.ts';
import { type Checkpoint, loadCheckpoint, pruneCheckpoints, saveTrainerState, saveWeights, stepCheckpointDir, trainerState } from '../../ops/model/checkpoint.ts';
import { Learner } from '../../ops/model/learner.ts';
import { checkContext, CurriculumError, passKey, placeStages, type PoolTask, selectTasks, sharedPrefixFor, stageAt, stagePool, taskIdOfPassKey, totalSteps } from '../../ops/recipe/curriculum.ts';
import { bytePromptFormat, modelPromptFormat } from '../../ops/recipe/template.ts';
import { promptFormatDir } from '../generator/config.ts';
import { listKeys, openKv, retryTransient } from '../../streams/manager.ts';
import { faultPoint } from '../fault.ts';
import { dropCheckpointsBefore, fetchCheckpoint, putCheckpoint } from '../checkpoint-store.ts';
import { type Announcer, announcementOf, announcePolicy, dropPolicy, loadAnnounced } from '../policy-store.ts';
import { rlSubjects } from '../rl-subjects.ts';
import type { ActorDefinition } from '../runtime.ts';
import { collectStep } from './collect-step.ts';
import { defaultBuckets, LearnerConfig } from './config.ts';
import { groupPassRates, stepMetrics, stepRecord } from './step-metrics.ts';

/** Run KV keys: the last committed step (the commit point) and, once the run is over, its final step. */
export const STEP_KEY = 'learner.step';
export const DONE_KEY = 'learner.done';

export const learner: ActorDefinition<typeof LearnerConfig> = {
  kind: 'learner',
  config: LearnerConfig,
  async run(ctx, cfg) {
    const subjects = rlSubjects(ctx.names, ctx.runId);
    const runKv = await openKv(ctx.nc, ctx.names.kv.run);
    const curriculumKv = await openKv(ctx.nc, ctx.names.kv.curriculum);
    const committed = await runKv.get(STEP_KEY);
    let step = committed?.value.length ? Number(committed.string()) : 0;

    // A learner restarted on another machine (its own lost) finds no checkpoint in the run dir
    // here: with weights in the object store, the committed step's checkpoint is there too.
    const resumeDir = stepCheckpointDir(cfg.runDir, step);
    if (step > 0 && cfg.weights === 'object-store' && !existsSync(join(resumeDir, 'trainer_state.json'))) {
      if (await retryTransient(() => fetchCheckpoint(ctx.nc, ctx.names, step, resumeDir, ctx.log))) ctx.log(`step ${step}'s checkpoint is not in ${cfg.runDir} on this host: fetched it from the object store`);
    }
    // The policy at `step`: the step's checkpoint when resuming, else the base.
    const ckpt: Checkpoint = step > 0 ? loadCheckpoint(stepCheckpointDir(cfg.runDir, step)) : loadCheckpoint(cfg.base, { allowModelDir: true });
    const { config, params } = ckpt;
    const formatDir = promptFormatDir(ctx.topology);
    const format = formatDir === null ? bytePromptFormat : modelPromptFormat(formatDir, config);
    const optimizer = new AdamW({ weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm }, step > 0 ? (ckpt.optimizer ?? undefined) : undefined);
    // Every stage's pool now, so a bad source or a cap that does not fit fails at start, not
    // hours in at its stage switch.
    const steps = totalSteps(cfg.stages);
    const placed = placeStages(cfg.stages);
    const pools: PoolTask[][] = placed.map((p) => {
      const pool = stagePool(p.stage, p.name, ctx.topology.seed);
      if (pool.length < cfg.tasksPerStep) throw new CurriculumError('POOL_TOO_SMALL', `stage ${p.name}: its pool holds ${pool.length} prompts, fewer than tasksPerStep ${cfg.tasksPerStep}`);
      checkContext(pool, p.stage.maxResponseTokens, config.max_position_embeddings, p.name, format);
      return pool;
    });
    const sharedPrefix = cfg.sharePrompts ? sharedPrefixFor(pools.flat(), format) : 0;
    // Sharing prompts, a row holds a response (at most the longest cap, + 1 to spare); else prompt and response.
    const buckets = cfg.buckets ?? defaultBuckets(config.max_position_embeddings, sharedPrefix > 0 ? Math.max(...cfg.stages.map((st) => st.maxResponseTokens)) + 1 : undefined);
    const engine = new Learner(config, params, { buckets, threads: cfg.threads, spinWait: cfg.spinWait, sharedPrefix });
    const passRates = new Map<string, number>();
    for (const k of await listKeys(ctx.nc, ctx.names.kv.curriculum, 'pass.>')) {
      const e = await curriculumKv.get(k);
      if (e?.value.length) passRates.set(taskIdOfPassKey(k), Number(e.string()));
    }
    const stagesLine = placed.map((p, i) => `${p.name} (${p.stage.domain}, steps ${p.fromStep}-${p.endStep - 1}, cap ${p.stage.maxResponseTokens}, ${pools[i].length} prompts)`).join(', ');
    ctx.log(`starting at step ${step} of ${steps} (${step > 0 ? 'resumed from checkpoint' : `base ${cfg.base}`}) in stage ${stageAt(placed, step).name}; stages: ${stagesLine}`);

    // Announced versions are immutable: the generators may already be sampling with them.
    const announcer: Announcer = { nc: ctx.nc, names: ctx.names, sink: ctx.sink, runId: ctx.runId, weights: cfg.weights, config, params };
    const announce = async (version: number, file: { path: string; bytes?: Uint8Array }) => {
      await announcePolicy(announcer, version, file);
      ctx.metrics.set('policy/version', version);
    };
    const weightsPath = (version: number) => join(version === 0 ? cfg.base : stepCheckpointDir(cfg.runDir, version), 'model.safetensors');
    if (!(await announcementOf(ctx.nc, ctx.names, ctx.runId, step))) {
      if (step === 0 && cfg.weights === 'file' && !existsSync(weightsPath(0))) {
        // A sharded base (model.safetensors.index.json) has no one file to point at: version 0's
        // weights are written once as the run's step-0 checkpoint and announced from there.
        const bytes = saveWeights(stepCheckpointDir(cfg.runDir, 0), { config, params, state: trainerState() });
        await announce(0, { bytes, path: join(stepCheckpointDir(cfg.runDir, 0), 'model.safetensors') });
      } else await announce(step, { path: weightsPath(step) });
    }

    // Each stage's last checkpoint is kept whatever keepCheckpoints says (the per-stage table
    // reads them), and every keepCheckpointEvery-th (the probes read them).
    const stageEnds = new Set(placed.map((p) => p.endStep));
    const keptCheckpoint = (s: number) => stageEnds.has(s) || (cfg.keepCheckpointEvery > 0 && s % cfg.keepCheckpointEvery === 0);
    let released = step - 1;
    // Dynamic sampling may release up to maxGroups prompts for a step: the step's draw is made
    // once, that long, and kept (its first tasksPerStep are the step's batch, the rest refills).
    const maxGroups = cfg.dynamicSampling ? (cfg.maxGroupsPerStep ?? 3 * cfg.tasksPerStep) : cfg.tasksPerStep;
    const draws = new Map<number, PoolTask[]>();
    const drawOf = (s: number) => {
      let d = draws.get(s);
      if (!d) {
        const { stage, index } = stageAt(placed, s);
        d = selectTasks(pools[index], passRates, stage.filter.dropPassRateAtLeast, ctx.topology.seed, s, Math.min(maxGroups, pools[index].length));
        draws.set(s, d);
        for (const old of draws.keys()) if (old < s - cfg.maxPolicyLag - 1) draws.delete(old);
      }
      return d;
    };
    const publishTask = (s: number, i: number, version: number) => {
      const { stage, name } = stageAt(placed, s);
      const t = drawOf(s)[i];
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
        domain: t.domain,
        prompt: t.prompt,
        gold: t.gold,
        tests: t.tests,
        groupSize: cfg.groupSize,
        maxResponseTokens: stage.maxResponseTokens,
        stage: name,
        meta: t.meta,
      };
      return ctx.sink.publish(subjects.prompts(s), msg);
    };
    // All at once: one round trip on the critical path, not one per prompt. Their order in
    // the stream does not matter (row seeds fix each sample; groups add in index order).
    const releaseStep = async (s: number, version: number) => {
      await Promise.all(Array.from({ length: cfg.tasksPerStep }, (_, i) => publishTask(s, i, version)));
    };
    // Prompts through `current` + maxPolicyLag, tagged with the version current now; msgIDs
    // make a re-release after a restart a no-op.
    const releaseThrough = async (current: number) => {
      for (let s = Math.max(current, released + 1); s <= Math.min(current + cfg.maxPolicyLag, steps - 1); s++) {
        await releaseStep(s, current);
        released = s;
      }
    };

    let warmedUp = false;
    while (step < steps && !ctx.drain.aborted) {
      const t0 = Date.now();
      ctx.metrics.set('learner/step', step);
      await releaseThrough(step);
      // Every micro-batch shape's graph now, while the first prompts generate, rather than
      // one by one inside later steps as new lengths turn up (about 0.1 s each).
      if (!warmedUp) {
        await engine.warmup([...new Set([cfg.threads, Math.min(cfg.narrowThreads, cfg.threads)])]);
        warmedUp = true;
      }
      const { stage, name: stageNow, fromStep, index: stageIndex } = stageAt(placed, step);
      ctx.metrics.set('learner/stage', stageIndex);
      if (step === fromStep) {
        ctx.log(`stage ${stageNow} from step ${step}: ${stage.domain}, cap ${stage.maxResponseTokens} tokens, ${stage.source.kind === 'curated' ? stage.source.path : `synthetic levels ${stage.source.levels.join(',')}`}`);
        await retryTransient(() => curriculumKv.put('stage', stageNow));
      }

      const current = step;
      const dynamic = cfg.dynamicSampling ? { maxGroups: Math.min(maxGroups, drawOf(step).length), release: async (i: number) => void (await publishTask(current, i, current)) } : undefined;
      const result = await collectStep(ctx, engine, step, cfg.tasksPerStep, cfg.maxPolicyLag, { narrow: Math.min(cfg.narrowThreads, cfg.threads), wide: cfg.threads }, dynamic);
      if (!result) break; // draining: nothing committed, the next incarnation redoes the step
      const tClosed = performance.now();

      // The step's pass rates steer the hard-prompt curriculum from the next release on (here,
      // before it, and in the curriculum bucket with the commit, so a restart sees the same).
      const stepRates = groupPassRates(result.groups);
      for (const [taskId, rate] of stepRates) passRates.set(taskId, rate);

      // Exactly one optimizer step for the batch.
      const grads = engine.takeGrads();
      const stats = engine.lastStep!;
      const report = optimizer.step(params, grads, stage.lr ?? cfg.lr);
      engine.recycle(grads);
      const tOptimized = performance.now();
      const next = step + 1;
      const dir = stepCheckpointDir(cfg.runDir, next);
      const state = trainerState({ step: next, optimizerStep: optimizer.state.step });

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

      saveTrainerState(dir, { config, params, optimizer: optimizer.state, state }, formatDir === null ? {} : { tokenizerFrom: formatDir });
      // Before the commit: the step a restarted learner resumes from is in the store wherever it runs.
      if (cfg.weights === 'object-store') await retryTransient(() => putCheckpoint(ctx.nc, ctx.names, next, dir));
      const tSaved = performance.now();

      const seconds = (Date.now() - t0) / 1000;
      const times = { seconds, lastArrival: result.lastArrival, closed: tClosed, optimized: tOptimized, announced: tAnnounced, saved: tSaved };
      const metrics = stepMetrics(step, result, stage.maxResponseTokens, stats, report, times);
      await ctx.sink.publish(subjects.steps(), stepRecord(ctx.runId, step, stageNow, result, metrics, t0, Date.now()));
      await retryTransient(() => Promise.all([...stepRates].map(([taskId, rate]) => curriculumKv.put(passKey(taskId), String(rate)))));
      await retryTransient(() => runKv.put(STEP_KEY, String(next))); // the commit point (a put: again is harmless)
      step = next;
      for (const d of result.deliveries) d.ack();
      await ctx.jsm.consumers.delete(ctx.names.streams.scored.name, `learner-s${step - 1}`).catch(() => {});
      pruneCheckpoints(cfg.runDir, step, cfg.keepCheckpoints, keptCheckpoint);
      // The object store keeps the versions a generator may still sample with (this one and
      // maxPolicyLag before it) and one more for a generator still loading: not every version
      // of the run (100 versions of a 7 MB policy filled a 256 MB store at step 16).
      if (cfg.weights === 'object-store') await retryTransient(() => dropCheckpointsBefore(ctx.nc, ctx.names, step)).catch((err: Error) => ctx.log(`could not drop older checkpoints from the object store: ${err.message}`));
      if (cfg.weights === 'object-store' && step - cfg.maxPolicyLag - 2 >= 0) {
        const stale = step - cfg.maxPolicyLag - 2;
        await retryTransient(() => dropPolicy(ctx.nc, ctx.names, stale)).catch((err: Error) => ctx.log(`could not drop policy v${stale} from the object store: ${err.message}`));
      }
      ctx.log(`step ${step - 1} done in ${seconds.toFixed(1)} s: reward ${metrics['reward/mean'].toFixed(3)} loss ${stats.loss.toFixed(4)} entropy ${stats.entropy.toFixed(3)}`);
    }
    if (step >= steps) await retryTransient(() => runKv.put(DONE_KEY, String(step)));
  },
};

function sameBits(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): boolean {
  const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return a.size === b.size && [...a].every(([name, v]) => b.has(name) && bytes(v).equals(bytes(b.get(name)!)));
}
