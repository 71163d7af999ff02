// Acceptance (issue 6), the loop's mechanics with a tiny random policy against a real
// nats-server and real actor processes: strict on-policy (from the messages), the ledger
// after SIGKILLs of each actor mid-run, backpressure with a verifier slowed tenfold, and
// `ace train --resume` after the whole topology is killed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { injectionEnv } from '../../actors/fault.ts';
import type { Heartbeat } from '../../contracts/metrics.ts';
import type { PolicyUpdate } from '../../contracts/policy.ts';
import type { StepRecord } from '../../contracts/step.ts';
import { useNats } from '../support/nats.ts';
import { burn, checkLedger, G, killTrains, rlTopology, startTrain, TASKS } from '../support/rl-run.ts';
import { tinyPolicy } from '../support/tiny-policy.ts';
import { heartbeats, readAll, runAce, sampleInFlight, waitFor } from '../../tools/harness/up.ts';

describe('the RL loop (tiny policy)', () => {
  const nats = useNats(killTrains);
  const base = tinyPolicy();

  it('is strictly on-policy: every rollout in step N was sampled with version N', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    // Weights through step checkpoint files here; the other tests use the object store.
    const t = startTrain(rlTopology('ra', base, runDir, 3, { weights: 'file' }), nats.server.url, runDir);
    expect(await t.exit, t.output()).toBe(0);
    const { records } = await checkLedger(nats.nc, 'ra', 3);
    expect(records.every((r) => Number.isFinite(r.metrics['learner/entropy']))).toBe(true);
    expect(t.output()).toMatch(/step +2 +1-math +v2 +reward/);
    // Re-judging the recorded rollouts with the same verifier changes no reward.
    const rv = await runAce(['reverify', '--nats', nats.server.url, '--topology', join(runDir, 'topology.json')], 120_000);
    expect(rv.code, rv.stderr).toBe(0);
    expect(rv.stderr).toContain(`verifier settings from ${join(runDir, 'topology.json')}`);
    expect(JSON.parse(rv.stdout.trim().split('\n').at(-1)!)).toMatchObject({ rollouts: 3 * TASKS * G, same: 3 * TASKS * G, changed: [], withoutVerdict: 0, invalid: 0 });
    const announced = await readAll<PolicyUpdate>(nats.nc, 'RA_POLICY', 'ra.policy.>');
    expect(announced.map((m) => [m.value.policyVersion, m.value.location.type])).toEqual([0, 1, 2, 3].map((v) => [v, 'file']));
  });

  it('redoes a step bit for bit when the learner dies between announcing version N+1 and committing step N', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const marker = join(runDir, 'fault-fired');
    const t = startTrain(rlTopology('rf', base, runDir, 3), nats.server.url, runDir, [], { ACE_FAULT: 'learner-after-announce@1', ACE_FAULT_MARKER: marker });
    expect(await t.exit, t.output()).toBe(0);
    expect(t.output()).toMatch(/learner-0 failed \(SIGKILL\)/);
    const learnerLog = readFileSync(join(runDir, 'logs', 'learner-0.log'), 'utf8');
    expect(learnerLog).toMatch(/step 1 redone after a restart: version 2 was announced before \([0-9a-f]{12}\); the redone weights are bit-identical/);
    await checkLedger(nats.nc, 'rf', 3);
    // Every version announced exactly once: the redo kept the announced version 2.
    const announced = await readAll<PolicyUpdate>(nats.nc, 'RF_POLICY', 'rf.policy.>');
    expect(announced.map((m) => m.value.policyVersion)).toEqual([0, 1, 2, 3]);
  });

  it('is reproducible: runs that batch and verify differently end on the same weights', async () => {
    // The shipped base on easy levels, so groups mix rewards and every step moves the weights
    // (the tiny random policy never scores, so its advantages, and updates, are all zero).
    const learner = { base: resolve('models/base'), buckets: undefined };
    const stage = { source: { kind: 'synthetic', levels: [1, 2], poolSize: 200 }, maxResponseTokens: 40 };
    const digests: string[][] = [];
    const rewards: number[] = [];
    for (const [prefix, over] of [
      ['rg', { tasksPerBatch: TASKS, verifierConcurrency: 4, learner, stage }],
      ['rh', { tasksPerBatch: 1, verifierConcurrency: 1, learner, stage }],
    ] as const) {
      const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
      const t = startTrain(rlTopology(prefix, base, runDir, 3, over), nats.server.url, runDir);
      expect(await t.exit, t.output()).toBe(0);
      const announced = await readAll<PolicyUpdate>(nats.nc, `${prefix.toUpperCase()}_POLICY`, `${prefix}.policy.>`);
      digests.push(announced.map((m) => `v${m.value.policyVersion} ${m.value.digest}`));
      const records = await readAll<StepRecord>(nats.nc, `${prefix.toUpperCase()}_STEPS`, `${prefix}.steps.>`);
      rewards.push(...records.map((r) => r.value.metrics['reward/mean']));
    }
    expect(new Set(digests[0].map((d) => d.split(' ')[1])).size).toBe(4); // every step changed the weights
    expect(rewards.some((r) => r > 0 && r < 1)).toBe(true);
    expect(digests[1]).toEqual(digests[0]);
  }, 180_000); // two runs back to back: 52 s alone, over a minute beside other test files

  it('with maxPolicyLag 1 samples ahead with the previous version, never staler', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const t = startTrain(rlTopology('re', base, runDir, 4, { maxPolicyLag: 1 }), nats.server.url, runDir);
    expect(await t.exit, t.output()).toBe(0);
    const { lags } = await checkLedger(nats.nc, 're', 4, 1);
    expect(lags.some((l) => l === 1)).toBe(true);
  });

  it('completes with an intact ledger when each actor is SIGKILLed mid-run', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    // Verification burns 25 ms of CPU per rollout (>= 0.4 s a step), so every kill lands
    // before the run ends however fast the machine is.
    const t = startTrain(rlTopology('rb', base, runDir, 12), nats.server.url, runDir, [], burn(25));
    let exited = false;
    t.exit.then(() => (exited = true));
    const learnerStep = (hb: Heartbeat[]) => hb.find((h) => h.actor === 'learner' && h.state === 'RUNNING')?.metrics['learner/step'] ?? -1;
    const killed: string[] = [];
    for (const [actor, atStep] of [['generator', 1], ['verifier', 3], ['normalizer', 5], ['learner', 7]] as const) {
      const victim = await waitFor(`${actor} at step ${atStep}`, async () => {
        if (exited) throw new Error(`the run ended before ${actor} was killed (killed so far: ${killed.join(' ')}):\n${t.output()}`);
        const hb = await heartbeats(nats.nc, 'rb').catch(() => []);
        const h = hb.find((x) => x.actor === actor && x.state === 'RUNNING' && Date.now() - x.ts < 3000);
        return learnerStep(hb) >= atStep && h ? h : null;
      }, 120_000, 50);
      process.kill(victim.pid, 'SIGKILL');
      killed.push(`${actor}@${learnerStep(await heartbeats(nats.nc, 'rb'))}`);
    }
    expect(await t.exit, t.output()).toBe(0);
    for (const actor of ['generator', 'verifier', 'normalizer', 'learner']) expect(t.output()).toMatch(new RegExp(`${actor}-0 failed \\(SIGKILL\\)`));
    await checkLedger(nats.nc, 'rb', 12);
  }, 240_000);

  it('keeps unverified rollouts within maxUnverified when the verifier is ten times slower; the generator waits', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const maxUnverified = 6;
    const t = startTrain(rlTopology('rc', base, runDir, 2, { maxUnverified }), nats.server.url, runDir, [], injectionEnv({ verifier: { slowFactor: 10 } }));
    const { maxInFlight, samples } = await sampleInFlight(nats.nc, 'RC_ROLLOUTS', 'verifier', t.exit, 10);
    expect(await t.exit, t.output()).toBe(0);
    expect(samples).toBeGreaterThan(10);
    expect(maxInFlight).toBeLessThanOrEqual(maxUnverified);
    const gen = (await heartbeats(nats.nc, 'rc')).find((h) => h.actor === 'generator')!;
    expect(gen.metrics['generator/window_waits']).toBeGreaterThan(0);
    expect(gen.metrics['generator/max_in_flight_seen']).toBeLessThanOrEqual(maxUnverified);
    await checkLedger(nats.nc, 'rc', 2);
    expect(readFileSync(join(runDir, 'logs', 'verifier-0.log'), 'utf8')).toContain('injected (ACE_INJECT) {"slowFactor":10,"burnMsPerRollout":0}');
  });

  it('resumes after the whole topology is killed, applying no step twice', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const t = startTrain(rlTopology('rd', base, runDir, 8), nats.server.url, runDir, [], burn(25));
    await waitFor('step 2 committed', async () => {
      const hb = await heartbeats(nats.nc, 'rd').catch(() => []);
      return (hb.find((h) => h.actor === 'learner')?.metrics['learner/step'] ?? 0) >= 2;
    }, 120_000, 50);
    // Kill the supervisor and every actor process at once.
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(t.child.pid)], { encoding: 'utf8' }).split('\n').map((s) => Number(s.trim())).filter(Boolean);
    t.child.kill('SIGKILL');
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited on its own between the listing and the kill
      }
    }
    await t.exit;
    const committed = Math.max(...(await heartbeats(nats.nc, 'rd')).filter((h) => h.actor === 'learner').map((h) => h.metrics['learner/step'] ?? 0));
    expect(committed).toBeLessThan(8);
    const r = startTrain(rlTopology('rd', base, runDir, 8), nats.server.url, runDir, ['--resume']);
    expect(await r.exit, r.output()).toBe(0);
    expect(r.output()).toMatch(/\(resumed\)/);
    await checkLedger(nats.nc, 'rd', 8);
  });
});
