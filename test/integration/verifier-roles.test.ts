// Issue 17, point 3: math and code verification as separately scalable roles, against a real
// nats-server and real actor processes. Each rollout reaches the verifier role of its domain
// and never the other (from the messages and the consumers' counts), with unverified rollouts
// bounded over both roles; a SIGKILLed code-verifier mid-step leaves an intact ledger; and
// programs that loop, allocate or print without bound cost one verdict each, within the code
// pool's per-test limit, while `ace scale code-verifier=2` adds an instance on the same durable.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { rlSubjects } from '../../actors/rl-subjects.ts';
import type { Domain } from '../../contracts/common.ts';
import type { Rollout } from '../../contracts/rollout.ts';
import type { ScoredGroup } from '../../contracts/scored.ts';
import { StreamLimits, type TopologyInput } from '../../contracts/topology.ts';
import type { Verdict } from '../../contracts/verdict.ts';
import { CodeLimits } from '../../ops/reward/code/types.ts';
import { Sink } from '../../streams/sink.ts';
import { topologyNames } from '../../streams/topology.ts';
import { heartbeats, killStartedUps, readAll, runAce, sampleInFlight, startUp, waitFor } from '../../tools/harness/up.ts';
import { useNats } from '../support/nats.ts';
import { burn, checkLedger, G, killTrains, rlTopology, startTrain, TASKS } from '../support/rl-run.ts';
import { tinyPolicy } from '../support/tiny-policy.ts';

const ROLES = ['math-verifier', 'code-verifier'];
const roles = (): TopologyInput['actors'] => ({
  'math-verifier': { kind: 'verifier', config: { domains: ['math'], ackWaitMs: 2000, concurrency: 4 } },
  'code-verifier': { kind: 'verifier', config: { domains: ['code'], ackWaitMs: 2000, concurrency: 4 } },
});
// Code prompts run to 119 tokens: the tiny policy gets a longer context for them.
const learnerFor = (domain: Domain) => (domain === 'code' ? { learner: { buckets: [{ batch: 4, length: 256 }] }, stage: { domain } } : { stage: { domain } });

describe('verifier roles (math and code apart)', () => {
  const nats = useNats(() => {
    killTrains();
    killStartedUps();
  });
  const base = tinyPolicy(1, 256);

  it('routes every rollout to the verifier role of its domain and never to the other, within maxUnverified over both', async () => {
    const maxUnverified = 6;
    for (const [prefix, domain, other] of [['va', 'code', 'math'], ['vb', 'math', 'code']] as const) {
      const P = prefix.toUpperCase();
      const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
      const t = startTrain(rlTopology(prefix, base, runDir, 2, { verifiers: roles(), maxUnverified, ...learnerFor(domain) }), nats.server.url, runDir, [], burn(20));
      const { maxInFlight, samples } = await sampleInFlight(nats.nc, `${P}_ROLLOUTS`, ROLES, t.exit, 10);
      expect(await t.exit, t.output()).toBe(0);
      await checkLedger(nats.nc, prefix, 2);

      const rollouts = await readAll<Rollout>(nats.nc, `${P}_ROLLOUTS`, `${prefix}.rollouts.>`);
      expect(rollouts).toHaveLength(2 * TASKS * G);
      for (const { subject, value: r } of rollouts) expect(subject).toBe(`${prefix}.rollouts.${r.runId}.${domain}.${r.step}.${r.groupId}`);
      const verdicts = await readAll<Verdict>(nats.nc, `${P}_VERDICTS`, `${prefix}.verdicts.>`);
      expect(verdicts.map((v) => v.value.rolloutId).sort()).toEqual(rollouts.map((r) => r.value.id).sort()); // one verdict each
      expect([...new Set(verdicts.map((v) => v.value.verifier))]).toEqual([`${domain}-verifier-0`]);

      // The other role's durable saw nothing; this role's was delivered each rollout once.
      const jsm = await jetstreamManager(nats.nc);
      const own = await jsm.consumers.info(`${P}_ROLLOUTS`, `${domain}-verifier`);
      const idle = await jsm.consumers.info(`${P}_ROLLOUTS`, `${other}-verifier`);
      expect({ delivered: own.delivered.consumer_seq, acked: own.ack_floor.consumer_seq, pending: own.num_pending }).toEqual({ delivered: rollouts.length, acked: rollouts.length, pending: 0 });
      expect({ delivered: idle.delivered.consumer_seq, pending: idle.num_pending, filter: idle.config.filter_subject }).toEqual({ delivered: 0, pending: 0, filter: `${prefix}.rollouts.${rollouts[0].value.runId}.${other}.>` });

      // The code role starts no math workers (its code pool starts with the first code rollout).
      expect(readFileSync(join(runDir, 'logs', 'code-verifier-0.log'), 'utf8')).toMatch(/judging code rollouts \(.*\.code\.>\) through durable 'code-verifier'; pools started: none yet/);
      expect(readFileSync(join(runDir, 'logs', 'math-verifier-0.log'), 'utf8')).toMatch(/judging math rollouts .* through durable 'math-verifier'; pools started: math\n/);

      // Unverified rollouts, summed over both roles' durables, never above maxUnverified.
      expect(samples).toBeGreaterThan(5);
      expect(maxInFlight).toBeLessThanOrEqual(maxUnverified);
      const gen = (await heartbeats(nats.nc, prefix)).find((h) => h.actor === 'generator')!;
      expect(gen.metrics['generator/max_in_flight_seen']).toBeLessThanOrEqual(maxUnverified);
      expect(gen.metrics['generator/window_waits']).toBeGreaterThan(0);
    }
  }, 120_000);

  it('completes with an intact ledger when a code-verifier instance is SIGKILLed mid-step', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const steps = 5;
    // 25 ms of CPU per rollout (>= 0.4 s a step): the kill lands while rollouts are ack-pending.
    const t = startTrain(rlTopology('vc', base, runDir, steps, { verifiers: roles(), ...learnerFor('code') }), nats.server.url, runDir, [], burn(25));
    let exited = false;
    t.exit.then(() => (exited = true));
    const jsm = await jetstreamManager(nats.nc);
    const victim = await waitFor('code-verifier RUNNING at learner step 2', async () => {
      if (exited) throw new Error(`the run ended before the kill:\n${t.output()}`);
      const hb = await heartbeats(nats.nc, 'vc').catch(() => []);
      const step = hb.find((h) => h.actor === 'learner' && h.state === 'RUNNING')?.metrics['learner/step'] ?? -1;
      return step >= 2 ? hb.find((h) => h.actor === 'code-verifier' && h.state === 'RUNNING' && Date.now() - h.ts < 3000) : null;
    }, 60_000, 50);
    // Mid-step: the kill waits for rollouts delivered to it and not yet acked.
    await waitFor('code rollouts ack-pending', async () => {
      if (exited) throw new Error(`the run ended before the kill:\n${t.output()}`);
      return (await jsm.consumers.info('VC_ROLLOUTS', 'code-verifier')).num_ack_pending >= 2;
    }, 30_000, 5);
    process.kill(victim.pid, 'SIGKILL');
    expect(await t.exit, t.output()).toBe(0);
    expect(t.output()).toMatch(/code-verifier-0 failed \(SIGKILL\)/);
    await checkLedger(nats.nc, 'vc', steps);

    const rollouts = await readAll<Rollout>(nats.nc, 'VC_ROLLOUTS', 'vc.rollouts.>');
    const verdicts = await readAll<Verdict>(nats.nc, 'VC_VERDICTS', 'vc.verdicts.>');
    expect(verdicts.map((v) => v.value.rolloutId).sort()).toEqual(rollouts.map((r) => r.value.id).sort()); // one verdict each
    expect(verdicts.every((v) => v.value.verifier === 'code-verifier-0')).toBe(true);
    // The rollouts held by the killed instance were redelivered to its successor.
    const info = await jsm.consumers.info('VC_ROLLOUTS', 'code-verifier');
    expect(info.delivered.consumer_seq).toBeGreaterThan(rollouts.length);
    expect(info.ack_floor.stream_seq).toBe(rollouts.at(-1)!.seq);
    expect((await jsm.consumers.info('VC_ROLLOUTS', 'math-verifier')).delivered.consumer_seq).toBe(0);
  }, 120_000);

  it('a looping, an allocating and a printing program cost one verdict each within the per-test limit; `ace scale code-verifier=2` shares the durable', async () => {
    const runId = 'hostile';
    const up = startUp(
      {
        name: 'hostile',
        prefix: 'vh',
        actors: {
          'code-verifier': { kind: 'verifier', config: { domains: ['code'], codeJsWorkers: 4, concurrency: 4 } },
          normalizer: { kind: 'normalizer', config: {} },
        },
      },
      nats.server.url,
      ['--run-id', runId],
    );
    const jsm = await jetstreamManager(nats.nc);
    await waitFor('the code-verifier consumer', async () => jsm.consumers.info('VH_ROLLOUTS', 'code-verifier').catch(() => null), 30_000);
    const subjects = rlSubjects(topologyNames('vh', StreamLimits.parse({})), runId);
    const sink = new Sink(jetstream(nats.nc));
    const fence = '```';
    const tests = { format: 'function', fnName: 'f', cases: [{ args: [1, 2], expected: 3 }, { args: [2, 2], expected: 4 }] };
    const publishGroup = async (groupId: string, programs: string[]) => {
      const sentAt = Date.now();
      for (const [index, body] of programs.entries()) {
        const rollout: Rollout = {
          kind: 'rollout', id: `${groupId}.${index}`, runId, step: 0, policyVersion: 0, ts: sentAt, taskId: `task-${groupId}`, groupId, groupIndex: 0, index,
          groupSize: programs.length, domain: 'code', tests, response: `<think>plan</think>\n${fence}js\n${body}\n${fence}`,
          promptTokens: [1], responseTokens: [2], logprobs: [-1], finished: true, generator: 'test', genMs: 0,
        };
        await sink.publish(subjects.rollouts('code', 0, groupId), rollout);
      }
      return sentAt;
    };
    const scoredGroup = (groupId: string) =>
      waitFor(`scored group ${groupId}`, async () => (await readAll<ScoredGroup>(nats.nc, 'VH_SCORED', 'vh.scored.>')).find((m) => m.value.groupId === groupId)?.value, 60_000, 50);
    const verdictsOf = async (groupId: string) => (await readAll<Verdict>(nats.nc, 'VH_VERDICTS', 'vh.verdicts.>')).map((m) => m.value).filter((v) => v.groupId === groupId).sort((a, b) => a.index - b.index);

    // Warm-up: the code pool starts its JavaScript processes at the first code rollout.
    await publishGroup('warm', ['function f(a, b) { return a + b; }', 'function f(a, b) { return a - b; }']);
    await scoredGroup('warm');

    const limits = CodeLimits.parse({});
    const sentAt = await publishGroup('hostile', [
      'function f(a, b) { while (true) {} }',
      'function f(a, b) { const keep = []; for (;;) keep.push(new Array(1e6).fill(a)); }',
      "function f(a, b) { const line = 'x'.repeat(1 << 20); for (;;) console.log(line); }",
      'function f(a, b) { return a + b; }',
    ]);
    const scored = await scoredGroup('hostile');
    // The step waits for the looping program no longer than the per-test limit it hits on its first case (plus slack for a loaded machine).
    const slackMs = 4000;
    expect(scored.ts - sentAt).toBeLessThan(limits.perTestMs + slackMs);
    const verdicts = await verdictsOf('hostile');
    const reason = (v: Verdict) => (v.outcome.detail?.firstFailure as { reason: string } | null)?.reason ?? null;
    expect(verdicts.map((v) => [v.index, v.outcome.kind, v.reward])).toEqual([[0, 'wrong', 0], [1, 'wrong', 0], [2, 'wrong', 0], [3, 'correct', 1]]);
    expect(reason(verdicts[0])).toBe('time_limit');
    // The allocating program reaches the heap limit, or on a loaded machine (GC near the limit) the time limit first.
    expect(['memory_limit', 'time_limit']).toContain(reason(verdicts[1]));
    expect(reason(verdicts[2])).toBe('runtime_error');
    expect((verdicts[2].outcome.detail?.firstFailure as { detail: string }).detail).toMatch(/output limit exceeded/);
    for (const v of verdicts) expect(v.verifyMs).toBeLessThan(limits.perTestMs + slackMs);
    expect(verdicts[0].verifyMs).toBeGreaterThanOrEqual(limits.perTestMs * 0.9);
    // Judged programs that fail their tests, so scored as today: reward 0, in the group's statistics.
    expect({ completion: scored.completion, rewards: scored.members.map((m) => m.reward), mean: scored.rewardMean }).toEqual({ completion: 'complete', rewards: [0, 0, 0, 1], mean: 0.25 });

    // A second instance joins the same durable: the next group is judged once per rollout by the role.
    const scale = await runAce(['scale', 'code-verifier=2', '--state-dir', up.stateDir]);
    expect(scale.code, scale.stderr).toBe(0);
    expect(scale.stderr).toMatch(/code-verifier 2\/2/);
    await publishGroup('scaled', ['function f(a, b) { return a + b; }', 'function f(a, b) { return a * b; }', 'no program', 'function f(a, b) { return b + a; }']);
    await scoredGroup('scaled');
    const scaled = await verdictsOf('scaled');
    expect(scaled.map((v) => [v.index, v.reward])).toEqual([[0, 1], [1, 0], [2, 0], [3, 1]]);
    for (const v of scaled) expect(v.verifier).toMatch(/^code-verifier-[01]$/);
    const consumers: string[] = [];
    for await (const c of jsm.consumers.list('VH_ROLLOUTS')) consumers.push(c.name);
    expect(consumers).toEqual(['code-verifier']);
    const info = await jsm.consumers.info('VH_ROLLOUTS', 'code-verifier');
    expect({ delivered: info.delivered.consumer_seq, acked: info.ack_floor.consumer_seq }).toEqual({ delivered: 10, acked: 10 }); // each of the 10 rollouts once

    up.child.kill('SIGTERM');
    expect(await up.exitWithin(60_000), up.output()).toBe(0);
  }, 120_000);
});
