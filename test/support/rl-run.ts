// Test support for runs of the RL loop through `ace train` against a test's nats-server: the
// topology (tiny policy, TASKS x G rollouts a step), a started train with its output, and the
// ledger check (every step once, every rollout of it once, none in two steps).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { expect } from 'vitest';
import { injectionEnv } from '../../actors/fault.ts';
import type { Rollout } from '../../contracts/rollout.ts';
import type { StepRecord } from '../../contracts/step.ts';
import type { TopologyInput } from '../../contracts/topology.ts';
import { ACE, readAll } from '../../tools/harness/up.ts';

export const TASKS = 4;
export const G = 4;

export interface RlTopologyOptions {
  maxUnverified?: number;
  maxPolicyLag?: number;
  weights?: 'file' | 'object-store';
  tasksPerBatch?: number;
  verifierConcurrency?: number;
  learner?: Record<string, unknown>;
  /** Settings of the one recipe stage (domain math, the 200-prompt synthetic pool, cap 16 by default). */
  stage?: Record<string, unknown>;
  normalizer?: Record<string, unknown>;
  /** The verifier actors, in place of one `verifier` for both domains. */
  verifiers?: TopologyInput['actors'];
}

export function rlTopology(prefix: string, base: string, runDir: string, steps: number, over: RlTopologyOptions = {}): TopologyInput {
  return {
    name: 'rl',
    prefix,
    seed: 5,
    maxUnverified: over.maxUnverified ?? 64,
    actors: {
      generator: { kind: 'generator', config: { tasksPerBatch: over.tasksPerBatch ?? TASKS, ackWaitMs: 2000, lingerMs: 20 } },
      ...(over.verifiers ?? { verifier: { kind: 'verifier', config: { ackWaitMs: 2000, concurrency: over.verifierConcurrency ?? 4 } } }),
      normalizer: { kind: 'normalizer', config: { ackWaitMs: 2000, ...over.normalizer } },
      learner: {
        kind: 'learner',
        config: {
          base,
          runDir,
          weights: over.weights ?? 'object-store',
          maxPolicyLag: over.maxPolicyLag ?? 0,
          tasksPerStep: TASKS,
          groupSize: G,
          buckets: [{ batch: 4, length: 64 }],
          stages: [{ domain: 'math', steps, source: { kind: 'synthetic', poolSize: 200 }, maxResponseTokens: 16, ...over.stage }],
          ...over.learner,
        },
      },
    },
  };
}

/** Verification burns this much CPU per rollout (ms), injected through the environment. */
export const burn = (ms: number) => injectionEnv({ verifier: { burnMsPerRollout: ms } });

const trains = new Set<ReturnType<typeof spawn>>();

/** SIGKILLs every train this test file started that still runs (its actors follow). */
export function killTrains(): void {
  for (const c of trains) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

export function startTrain(t: TopologyInput, natsUrl: string, runDir: string, extra: string[] = [], env: Record<string, string> = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'ace-rl-')), 'topology.json');
  writeFileSync(file, JSON.stringify(t));
  const args = extra.includes('--resume') ? extra : ['--topology', file, ...extra];
  const child = spawn(process.execPath, [ACE, 'train', '--run-dir', runDir, '--nats', natsUrl, '--no-eval', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  trains.add(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exit = new Promise<number>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? -1 : 0))));
  return { child, exit, output: () => out };
}

/** The ledger: each step once, `perStep` (TASKS x G) rollouts each, none twice, each sampled with a version in [step - lag, step]. */
export async function checkLedger(nc: NatsConnection, prefix: string, steps: number, lag = 0, perStep = TASKS * G): Promise<{ records: StepRecord[]; lags: number[] }> {
  const P = prefix.toUpperCase();
  const records = (await readAll<StepRecord>(nc, `${P}_STEPS`, `${prefix}.steps.>`)).map((m) => m.value);
  expect(records.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, i) => i));
  const rollouts = await readAll<Rollout>(nc, `${P}_ROLLOUTS`, `${prefix}.rollouts.>`);
  const byId = new Map(rollouts.map((m) => [m.value.id, m.value]));
  expect(byId.size).toBe(rollouts.length); // no rollout published twice
  const lags: number[] = [];
  const all = records.flatMap((r) => r.rolloutIds);
  expect(new Set(all).size).toBe(all.length); // no rollout counted in two steps
  for (const r of records) {
    expect(r.rolloutIds).toHaveLength(perStep);
    for (const id of r.rolloutIds) {
      const ro = byId.get(id);
      expect(ro, `rollout ${id} of step ${r.step}`).toBeDefined();
      expect(ro!.step).toBe(r.step);
      lags.push(r.step - ro!.policyVersion);
      if (lag === 0) expect({ id, version: ro!.policyVersion }).toEqual({ id, version: r.step });
      else expect(r.step - ro!.policyVersion, id).toBeGreaterThanOrEqual(0);
      expect(r.step - ro!.policyVersion, id).toBeLessThanOrEqual(lag);
    }
  }
  return { records, lags };
}
