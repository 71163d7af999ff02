// Issue 22: the RL loop over three hosts. Each host is a network namespace running one node of
// a 3-node JetStream cluster (streams, buckets and the object store at R3); `ace train` runs the
// learner and normalizer on host A, `ace up --join` runs the generator and verifiers on B and C.
// Policy versions reach them through the object store only (weights 'object-store'). The run
// ends with the ledger checked as on one host: each step once, TASKS x G rollouts each, none
// published twice or counted in two steps, each sampled with its step's version.
// The fault cases (a node killed, a host cut off, the learner's host lost) are in
// test/long/multi-host-faults.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PolicyUpdate } from '../../contracts/policy.ts';
import { openObjectStore } from '../../streams/manager.ts';
import { netnsAvailable } from '../../streams/netns.ts';
import { readAll, runAce, waitFor } from '../../tools/harness/up.ts';
import { checkLedger } from '../support/rl-run.ts';
import { A, B, C, useThreeHosts } from '../support/three-hosts.ts';

const net = netnsAvailable();

describe.skipIf(!net.ok)(`the RL loop over three hosts (network namespaces)${net.ok ? '' : ` — SKIPPED: ${net.why}`}`, () => {
  const h = useThreeHosts();

  it('learner on A, generator on B, verifiers on B and C: completes the run with the ledger intact; status lists the hosts; ace down stops them', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const steps = 4;
    const t = h.train(A, h.topology('mh', runDir, steps), runDir);
    await h.recorded('mh');
    const b = h.join(B, 'mh', 'b', 'generator=1,verifier=1');
    const c = h.join(C, 'mh', 'c', 'verifier=1');
    let last = '';
    const st = await h.explained(
      waitFor(
        'both hosts in ace status',
        async () => {
          const r = await runAce(['status', '--nats', h.urls, '--prefix', 'mh'], 20_000);
          last = r.stdout + r.stderr;
          return /joined host b .*2 instances running/.test(r.stdout) && /joined host c .*1 instances running/.test(r.stdout) && r.stdout;
        },
        60_000,
        500,
      ).catch((err: Error) => Promise.reject(new Error(`${err.message}; the last ace status:\n${last}`))),
      t,
      b,
      c,
    );
    expect(st).toMatch(/generator-b-0 +b +RUNNING/);
    expect(await t.exit, h.outputs(t, b, c)).toBe(0);
    await checkLedger(h.nc, 'mh', steps);
    const w = await h.workers('mh');
    expect(w.generators).toEqual(['generator-b-0']);
    expect(w.verifiers.every((v) => v === 'verifier-b-0' || v === 'verifier-c-0')).toBe(true);
    // Weights reached B through the object store only.
    const announced = await readAll<PolicyUpdate>(h.nc, 'MH_POLICY', 'mh.policy.>');
    expect(announced.map((m) => [m.value.policyVersion, m.value.location.type])).toEqual(Array.from({ length: steps + 1 }, (_, v) => [v, 'object-store']));
    expect(b.log('generator-b-0')).toContain(`loaded policy v${steps - 1} (${announced[steps - 1].value.digest.slice(0, 12)})`);
    // The store keeps the last versions only (strictly on-policy: the current one and the one
    // before), and the learner's last checkpoint, manifest and all.
    const stored = (await (await openObjectStore(h.nc, 'mh-weights')).list()).map((o) => o.name).sort();
    expect(stored.filter((n) => n.startsWith('policy-'))).toEqual([`policy-v${steps - 1}`, `policy-v${steps}`]);
    const checkpoint = stored.filter((n) => !n.startsWith('policy-'));
    expect(checkpoint).toContain(`checkpoint-step-0000${steps}/MANIFEST.json`);
    expect(checkpoint).toContain(`checkpoint-step-0000${steps}/trainer_state.json`);
    expect(checkpoint.every((n) => n.startsWith(`checkpoint-step-0000${steps}/`))).toBe(true);
    const down = await runAce(['down', '--nats', h.urls, '--prefix', 'mh'], 60_000);
    expect(down.code, down.stderr).toBe(0);
    expect([await b.exit, await c.exit], h.outputs(b, c)).toEqual([0, 0]);
  }, 180_000);
});
