// Issue 18: the recipe as data, through real actor processes and a real nats-server. Stage
// switches at step boundaries (checked from every released task and every rollout that
// entered a gradient, with prompts released a step ahead), a curated JSONL written by `ace
// curate` driving a run, and the whole topology SIGKILLed in the second stage: `--resume`
// goes on in that stage with the pass rates it had (the same prompts as a run never killed).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { STEP_KEY } from '../../actors/learner/learner.ts';
import type { Rollout } from '../../contracts/rollout.ts';
import type { ScoredGroup } from '../../contracts/scored.ts';
import type { Task } from '../../contracts/task.ts';
import type { TopologyInput } from '../../contracts/topology.ts';
import { openKv } from '../../streams/manager.ts';
import { Recipe, type RecipeStageInput, selectTasks, stageAt, stagePool } from '../../ops/recipe/curriculum.ts';
import { ACE, readAll, runAce, waitFor } from '../../tools/harness/up.ts';
import { useNats } from '../support/nats.ts';
import { checkLedger, killTrains, rlTopology, startTrain } from '../support/rl-run.ts';
import { tinyPolicy } from '../support/tiny-policy.ts';

/** Every task published on the run's prompt subjects (the prompts stream is a work queue, so they are caught live). */
function captureTasks(nc: NatsConnection, prefix: string): { tasks: Task[]; sub: Subscription } {
  const tasks: Task[] = [];
  const sub = nc.subscribe(`${prefix}.prompts.>`, { callback: (_err, m) => void tasks.push(m.json<Task>()) });
  return { tasks, sub };
}

/** One task per released id (a re-release after a restart is the same message, de-duplicated by JetStream). */
const distinct = (tasks: Task[]) => [...new Map(tasks.map((t) => [t.id, t])).values()];

describe('the recipe through the actors', () => {
  const nats = useNats(killTrains);

  it('switches stages at step boundaries: every task and every trained rollout belongs to the stage of its step', async () => {
    // Prompts go out one step ahead (maxPolicyLag 1), so the next stage's tasks are released
    // while the last step of the previous stage still trains.
    const stages: RecipeStageInput[] = [
      { name: 'easy', domain: 'math', steps: 2, source: { kind: 'synthetic', levels: [1, 2], poolSize: 60 }, maxResponseTokens: 12 },
      { name: 'long', domain: 'math', steps: 2, source: { kind: 'synthetic', levels: [3, 4, 5], poolSize: 60 }, maxResponseTokens: 20, filter: { dropPassRateAtLeast: 0.5 } },
      { name: 'code', domain: 'code', steps: 2, source: { kind: 'synthetic', poolSize: 60 }, maxResponseTokens: 8 },
    ];
    const base = tinyPolicy(1, 192);
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const topo = rlTopology('rs', base, runDir, 0, { maxPolicyLag: 1, learner: { stages, buckets: [{ batch: 4, length: 192 }] } });
    const { tasks, sub } = captureTasks(nats.nc, 'rs');
    const t = startTrain(topo, nats.server.url, runDir);
    expect(await t.exit, t.output()).toBe(0);
    sub.unsubscribe();

    const recipe = Recipe.parse(stages);
    const pools = recipe.map((s, i) => new Set(stagePool(s, String(i), topo.seed!).map((p) => p.id)));
    const released = distinct(tasks);
    expect(released).toHaveLength(6 * 4);
    for (const task of released) {
      const at = stageAt(recipe, task.step);
      expect({ id: task.id, stage: task.stage, domain: task.domain, cap: task.maxResponseTokens }).toEqual({ id: task.id, stage: at.name, domain: at.stage.domain, cap: at.stage.maxResponseTokens });
      expect(pools[at.index].has(task.taskId), `${task.taskId} of step ${task.step} in stage ${at.name}'s pool`).toBe(true);
    }
    // Released ahead: step 2's tasks (stage 'long') went out under version 1, during stage 'easy'.
    expect(released.filter((x) => x.step === 2).every((x) => x.policyVersion === 1)).toBe(true);

    const { records } = await checkLedger(nats.nc, 'rs', 6, 1);
    const rollouts = new Map((await readAll<Rollout>(nats.nc, 'RS_ROLLOUTS', 'rs.rollouts.>')).map((m) => [m.value.id, m.value]));
    const taskOf = new Map(released.map((x) => [x.groupId + x.step, x]));
    for (const r of records) {
      const at = stageAt(recipe, r.step);
      expect(r.stage).toBe(at.name);
      for (const id of r.rolloutIds) {
        const ro = rollouts.get(id)!;
        const task = taskOf.get(ro.groupId + ro.step)!;
        expect({ id, stage: task.stage, domain: ro.domain }).toEqual({ id, stage: at.name, domain: at.stage.domain });
        expect(ro.responseTokens.length).toBeLessThanOrEqual(at.stage.maxResponseTokens);
      }
    }
    expect(t.output()).toMatch(/step +2 +long +v2/);
    expect(readFileSync(join(runDir, 'logs', 'learner-0.log'), 'utf8')).toMatch(/stage code from step 4: code, cap 8 tokens/);
  }, 300_000);

  it('runs on a curated JSONL written by `ace curate`, read by the learner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ace-recipe-curate-'));
    // A small source of our own: sums and products, with answers.
    const rows: string[] = [];
    for (let a = 2; a < 8; a++) for (const b of [3, 11]) rows.push(JSON.stringify({ q: `What is ${a} times ${b} plus ${a}?`, a: String(a * b + a) }));
    writeFileSync(join(dir, 'pool.jsonl'), `${rows.join('\n')}\n`);
    writeFileSync(join(dir, 'curate.json'), JSON.stringify({ name: 'sums', domain: 'math', answerCheck: 'none', sources: [{ name: 'own', file: join(dir, 'pool.jsonl'), domain: 'math', fields: { prompt: 'q', answer: 'a' } }] }));
    const curated = await runAce(['curate', join(dir, 'curate.json'), '--out', dir], 120_000);
    expect(curated.code, curated.stderr).toBe(0);
    const file = join(dir, 'sums.jsonl');
    const ids = readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { taskId: string }).taskId);
    expect(ids).toHaveLength(12);

    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const { tasks, sub } = captureTasks(nats.nc, 'rc');
    const t = startTrain(rlTopology('rc', tinyPolicy(), runDir, 2, { stage: { name: 'curated', source: { kind: 'curated', path: file } } }), nats.server.url, runDir);
    expect(await t.exit, t.output()).toBe(0);
    sub.unsubscribe();
    await checkLedger(nats.nc, 'rc', 2);
    const released = distinct(tasks);
    expect(released).toHaveLength(8);
    for (const task of released) {
      expect(ids).toContain(task.taskId);
      expect(task.meta.source).toBe('own');
      expect(task.gold).toMatch(/^\d+$/);
    }
    expect(readFileSync(join(runDir, 'logs', 'learner-0.log'), 'utf8')).toMatch(/curated \(math, steps 0-1, cap 16, 12 prompts\)/);
  }, 240_000);

  it('SIGKILL of the whole topology in the second stage: --resume goes on in that stage, with its pass rates, no step twice', async () => {
    // The shipped base on a small easy pool, so groups have pass rates and the second stage's
    // filter (drop prompts solved at least half the time) changes which prompts it draws.
    const stages: RecipeStageInput[] = [
      { name: 'first', domain: 'math', steps: 2, source: { kind: 'synthetic', levels: [1, 2], poolSize: 16 }, maxResponseTokens: 40 },
      { name: 'second', domain: 'math', steps: 3, source: { kind: 'synthetic', levels: [1, 2], poolSize: 16 }, maxResponseTokens: 48, filter: { dropPassRateAtLeast: 0.5 } },
    ];
    const topo = (prefix: string, runDir: string): TopologyInput => rlTopology(prefix, resolve('models/base'), runDir, 0, { learner: { stages, buckets: undefined } });
    const stepTasks = (tasks: Task[]) => {
      const by = new Map<number, string[]>();
      for (const x of distinct(tasks)) by.set(x.step, [...(by.get(x.step) ?? []), x.taskId].sort());
      return [...by].sort((a, b) => a[0] - b[0]);
    };

    // The reference: the same run, never killed.
    const refDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const ref = captureTasks(nats.nc, 'rk');
    const r = startTrain(topo('rk', refDir), nats.server.url, refDir);
    expect(await r.exit, r.output()).toBe(0);
    ref.sub.unsubscribe();

    // The killed run: train and every actor SIGKILLed at once (one process group) once step 2,
    // the second stage's first, is committed.
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const file = join(mkdtempSync(join(tmpdir(), 'ace-rl-')), 'topology.json');
    writeFileSync(file, JSON.stringify(topo('rq', runDir)));
    const got = captureTasks(nats.nc, 'rq');
    const killed = spawn(process.execPath, [ACE, 'train', '--run-dir', runDir, '--nats', nats.server.url, '--no-eval', '--topology', file], { stdio: 'ignore', detached: true });
    const committed = async () => Number((await openKv(nats.nc, 'rq-run').then((kv) => kv.get(STEP_KEY)).catch(() => null))?.string() ?? '0');
    await waitFor('step 2 committed', async () => (await committed()) >= 3, 240_000, 50);
    process.kill(-killed.pid!, 'SIGKILL');
    await new Promise((res) => killed.once('exit', res));
    const curriculumKv = await openKv(nats.nc, 'rq-curriculum');
    expect((await curriculumKv.get('stage'))?.string()).toBe('second');

    const again = startTrain(topo('rq', runDir), nats.server.url, runDir, ['--resume']);
    expect(await again.exit, again.output()).toBe(0);
    got.sub.unsubscribe();
    expect(readFileSync(join(runDir, 'logs', 'learner-0.log'), 'utf8')).toMatch(/starting at step 3 of 5 \(resumed from checkpoint\) in stage second/);
    await checkLedger(nats.nc, 'rq', 5);
    // The same prompts at every step as the run never killed: the second stage's draws after the
    // restart read the pass rates of steps 0-2 back from the curriculum bucket.
    expect(stepTasks(got.tasks)).toEqual(stepTasks(ref.tasks));
    // ... and those pass rates mattered: without them (every prompt unseen) the second stage
    // would have drawn other prompts at some step.
    const recipe = Recipe.parse(stages);
    const pool = stagePool(recipe[1], 'second', topo('rq', runDir).seed!);
    const unfiltered = [2, 3, 4].map((s) => [s, selectTasks(pool, new Map(), 0.5, topo('rq', runDir).seed!, s, 4).map((x) => x.id).sort()] as const);
    expect(stepTasks(got.tasks).slice(2)).not.toEqual(unfiltered);
  }, 600_000);

  it('dynamic sampling: groups without signal leave the step and new prompts refill it, from the messages', async () => {
    // The shipped base on easy levels: many groups of 4 are all right (or all wrong).
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const { tasks, sub } = captureTasks(nats.nc, 'rd');
    const learner = { base: resolve('models/base'), buckets: undefined, dynamicSampling: true, maxGroupsPerStep: 16 };
    const stage = { source: { kind: 'synthetic', levels: [1, 2], poolSize: 200 }, maxResponseTokens: 40 };
    const t = startTrain(rlTopology('rd', resolve('models/base'), runDir, 2, { learner, stage }), nats.server.url, runDir);
    expect(await t.exit, t.output()).toBe(0);
    sub.unsubscribe();
    // Each step trains on exactly TASKS groups with signal, G rollouts each.
    const { records } = await checkLedger(nats.nc, 'rd', 2);
    const groups = new Map((await readAll<ScoredGroup>(nats.nc, 'RD_SCORED', 'rd.scored.>')).map((m) => [m.value.groupId + m.value.step, m.value]));
    const released = distinct(tasks);
    let refilled = 0;
    for (const r of records) {
      const mine = released.filter((x) => x.step === r.step);
      expect(mine.map((x) => x.groupIndex).sort((a, b) => a - b)).toEqual(r.groupIds.map((_, i) => i));
      refilled += mine.length - 4;
      const trained = new Set(r.rolloutIds);
      for (const id of r.groupIds) {
        const g = groups.get(id + r.step)!;
        const flat = new Set(g.members.map((m) => m.reward)).size === 1;
        // A group is in the gradient iff its rewards differ; every all-equal one was replaced.
        expect({ id, trained: g.members.every((m) => trained.has(m.rolloutId)) }).toEqual({ id, trained: !flat });
      }
      expect(r.groupIds.length - 4).toBe(r.metrics['learner/groups_dropped']);
    }
    expect(refilled).toBeGreaterThan(0);
  }, 300_000);

  it('evaluates each stage as it ends and probes fixed training prompts: per-stage table, eval-stages.json, probes.jsonl, result.json', async () => {
    const stages: RecipeStageInput[] = [
      { name: 'short', domain: 'math', steps: 2, source: { kind: 'synthetic', levels: [1, 2], poolSize: 60 }, maxResponseTokens: 12 },
      { name: 'long', domain: 'math', steps: 1, source: { kind: 'synthetic', levels: [1, 2], poolSize: 60 }, maxResponseTokens: 20 },
    ];
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const file = join(mkdtempSync(join(tmpdir(), 'ace-rl-')), 'topology.json');
    writeFileSync(file, JSON.stringify(rlTopology('re', tinyPolicy(), runDir, 0, { learner: { stages } })));
    const r = await runAce(['train', '--run-dir', runDir, '--nats', nats.server.url, '--topology', file, '--eval-suite', 'math', '--eval-problems', '6', '--eval-k', '2', '--probe-every', '1', '--probe-prompts', '5'], 240_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/stage short ended at step 2: evaluating its checkpoint/);
    expect(r.stdout).toMatch(/after stage short \(held-out, 6 problems per suite, T=0\.6\):\n\| stage \| steps \| cap \| math avg@2 \| math pass@2 \|/);
    expect(r.stdout).toMatch(/\n\| long \| 2-2 \| 20 \| \d+\.\d% \| \d+\.\d% \|\n/);
    const stageEvals = JSON.parse(readFileSync(join(runDir, 'eval-stages.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(stageEvals).sort()).toEqual(['long', 'short']);
    const result = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8'));
    expect(result.stages.map((x: { name: string; fromStep: number; endStep: number }) => [x.name, x.fromStep, x.endStep])).toEqual([['short', 0, 2], ['long', 2, 3]]);
    expect(result.stages[1].eval.math.avgAtK).toBe(result.after.math.avgAtK);
    // A probe per version, each on the same 5 prompts x 4; versions 1.. carry the batch reward beside them.
    const probes = readFileSync(join(runDir, 'probes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(probes.map((p) => [p.step, p.stage, p.domain, p.prompts, p.k])).toEqual([[0, 'base', 'math', 5, 4], [1, 'short', 'math', 5, 4], [2, 'short', 'math', 5, 4], [3, 'long', 'math', 5, 4]]);
    expect(probes[0].batchReward).toBeNull();
    // Per level too: the levels of the probe set, each a reward in [0, 1], averaging to the overall one by prompt count.
    for (const p of probes) {
      const levels = Object.values(p.byLevel as Record<string, number>);
      expect(levels.length).toBeGreaterThan(0);
      expect(levels.every((x) => x >= 0 && x <= 1)).toBe(true);
    }
    expect(probes.slice(1).every((p) => typeof p.batchReward === 'number')).toBe(true);
    expect(result.probes).toEqual(probes);
    expect(r.stderr).toMatch(/probe v3 \(long; 5 fixed training prompts per domain x 4, T 1\): reward math \d\.\d{3} \(batch reward, last 1 steps: \d\.\d{3}\)/);
  }, 300_000);
});
