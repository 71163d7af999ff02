// Issue 22: the default run (`ace train`'s recipe: 100 steps x 32 prompts x 8 responses, math
// then code) over three hosts, as docs/multi-host.md describes it: the topology `ace train` builds
// from its default flags, with R3 streams and weights through the object store, the learner and
// normalizer on host A, the generator and the math verifier joined on B, the code verifier on C.
// It completes every step with the ledger guarantees of one host: each step once, 256 rollouts
// each, none published twice or counted in two steps, each sampled with its step's version.
// In `npm run test:long`: about 11 minutes here (608-649 s for the 100 steps on 2026-12-06).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netnsAvailable } from '../../streams/netns.ts';
import { checkFlag } from '../../tools/command.ts';
import { TRAIN_FLAGS, type TrainSettings, trainTopology } from '../../tools/train.ts';
import { checkLedger } from '../support/rl-run.ts';
import { A, B, C, useThreeHosts } from '../support/three-hosts.ts';

const net = netnsAvailable();

describe.skipIf(!net.ok)(`the default run over three hosts${net.ok ? '' : ` — SKIPPED: ${net.why}`}`, () => {
  // 100 policy versions of 7 MB in the object store, and every rollout: more than the 256 MB default.
  const h = useThreeHosts({ maxFileBytes: 8 * 1024 ** 3 });

  it('completes the recipe with the generator and verifiers on two other hosts; the ledger holds', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    // `ace train`'s own defaults, flag by flag.
    const settings = Object.fromEntries(Object.entries(TRAIN_FLAGS).map(([name, spec]) => [name, checkFlag(name, spec, undefined)])) as TrainSettings;
    const t = trainTopology({ ...settings, 'run-dir': runDir, 'no-eval': true });
    t.streams = { replicas: 3 };
    (t.actors.learner.config as Record<string, unknown>).weights = 'object-store';
    for (const a of ['generator', 'math-verifier', 'code-verifier']) t.actors[a].instances = 0;
    const file = join(runDir, 'multi-host-topology.json');
    writeFileSync(file, JSON.stringify(t));
    const t0 = Date.now();
    const train = h.aceIn(A, ['train', '--run-dir', runDir, '--nats', h.urls, '--no-eval', '--topology', file]);
    await h.recorded('ace');
    const b = h.join(B, 'ace', 'b', 'generator=1,math-verifier=1');
    const c = h.join(C, 'ace', 'c', 'code-verifier=1');
    expect(await train.exit, h.outputs({ ...train, logs: join(runDir, 'logs') }, b, c)).toBe(0);
    const seconds = (Date.now() - t0) / 1000;
    const steps = 100;
    await checkLedger(h.nc, 'ace', steps, 0, 32 * 8);
    const w = await h.workers('ace');
    expect(w.generators).toEqual(['generator-b-0']);
    expect(w.verifiers).toEqual(['code-verifier-c-0', 'math-verifier-b-0']);
    console.log(`[multi-host-default] ${steps} steps over three hosts in ${seconds.toFixed(0)} s`);
    await h.stopRun('ace', b, c);
  }, 3_600_000);
});
