// Issue 22: the RL loop over three hosts. Each host is a network namespace running one node of
// a 3-node JetStream cluster (streams, buckets and the object store at R3); `ace train` runs the
// learner and normalizer on host A, `ace up --join` runs the generators and verifiers on B and
// C. Policy versions reach them through the object store only (weights 'object-store'). Every
// run ends with the ledger checked as on one host: each step once, TASKS x G rollouts each,
// none published twice or counted in two steps, each sampled with its step's version.
// Faults: the node leading the rollouts stream SIGKILLed mid-run; a verifier host cut off
// (link down) mid-run and back; the learner's host killed (its nats-server too) and the
// learner started on another host, from the last committed step.
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyUpdate } from '../../contracts/policy.ts';
import type { Rollout } from '../../contracts/rollout.ts';
import type { TopologyInput } from '../../contracts/topology.ts';
import type { Verdict } from '../../contracts/verdict.ts';
import { type NatsCluster, startNatsCluster } from '../../streams/cluster.ts';
import { createNetns, type Netns, netnsAvailable } from '../../streams/netns.ts';
import { ACE, readAll, runAce, waitFor } from '../../tools/harness/up.ts';
import { checkLedger, rlTopology } from '../support/rl-run.ts';
import { tinyPolicy } from '../support/tiny-policy.ts';

interface Proc {
  child: ChildProcess;
  exit: Promise<number>;
  output(): string;
}

const net = netnsAvailable();

describe.skipIf(!net.ok)(`the RL loop over three hosts (network namespaces)${net.ok ? '' : ` — SKIPPED: ${net.why}`}`, () => {
  let netns: Netns;
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let urls: string;
  const base = tinyPolicy();
  const procs: Proc[] = [];
  const [A, B, C] = [0, 1, 2];

  beforeAll(async () => {
    netns = createNetns(['a', 'b', 'c']);
    cluster = await startNatsCluster({ nodes: netns.hosts.map((h, i) => ({ name: 'abc'[i], ns: h.ns, host: h.addr })) });
    urls = cluster.urls.join(',');
    nc = await connect({ servers: cluster.urls, name: 'test', reconnectTimeWait: 100 });
  });

  afterEach(() => {
    for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  });

  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
    netns?.destroy();
  });

  /** `node bin/ace.mjs ARGS` inside host `h`'s namespace. */
  function aceIn(h: number, args: string[]): Proc {
    const child = netns.spawn(netns.hosts[h].ns, process.execPath, [ACE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exit = new Promise<number>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? -1 : 0))));
    const p = { child, exit, output: () => out };
    procs.push(p);
    return p;
  }

  /** A run of `steps` steps: R3, weights through the object store, and `here` instances on the train's host. */
  function topology(prefix: string, runDir: string, steps: number, here: Partial<Record<'generator' | 'verifier' | 'learner', number>> = {}): TopologyInput {
    const t = rlTopology(prefix, base, runDir, steps, { weights: 'object-store' });
    for (const a of ['generator', 'verifier', 'learner'] as const) t.actors[a].instances = here[a] ?? (a === 'learner' ? 1 : 0);
    return { ...t, streams: { replicas: 3 } };
  }

  function train(h: number, t: TopologyInput, runDir: string): Proc {
    const file = join(mkdtempSync(join(tmpdir(), 'ace-mh-')), 'topology.json');
    writeFileSync(file, JSON.stringify(t));
    return aceIn(h, ['train', '--run-dir', runDir, '--nats', urls, '--no-eval', '--topology', file]);
  }

  /** `ace up --join` on host `h`; `log(instance)` reads an instance's log in its state dir. */
  function join_(h: number, prefix: string, host: string, actors: string): Proc & { log(instance: string): string } {
    const dir = mkdtempSync(join(tmpdir(), `ace-join-${host}-`));
    const p = aceIn(h, ['up', '--join', urls, '--prefix', prefix, '--actors', actors, '--host', host, '--state-dir', dir, '--progress-ms', '1000']);
    return { ...p, log: (instance) => readFileSync(join(dir, 'logs', `${instance}.log`), 'utf8') };
  }

  const committed = async (prefix: string) => (await jetstreamManager(nc)).streams.info(`${prefix.toUpperCase()}_STEPS`).then((i) => i.state.messages, () => 0);

  /** Which instances sampled and judged the run's rollouts. */
  async function workers(prefix: string): Promise<{ generators: string[]; verifiers: string[] }> {
    const P = prefix.toUpperCase();
    const rollouts = await readAll<Rollout>(nc, `${P}_ROLLOUTS`, `${prefix}.rollouts.>`);
    const verdicts = await readAll<Verdict>(nc, `${P}_VERDICTS`, `${prefix}.verdicts.>`);
    return { generators: [...new Set(rollouts.map((m) => m.value.generator))].sort(), verifiers: [...new Set(verdicts.map((m) => m.value.verifier))].sort() };
  }

  const outputs = (...ps: Proc[]) => ps.map((p) => p.output().split('\n').slice(-30).join('\n')).join('\n----\n');

  it('learner on A, generator on B, verifiers on B and C: completes the run with the ledger intact; status lists the hosts; ace down stops them', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const steps = 4;
    const t = train(A, topology('mh', runDir, steps), runDir);
    await waitFor('the run to be recorded', async () => (await runAce(['status', '--nats', urls, '--prefix', 'mh', '--json'], 20_000)).code === 0, 60_000, 500);
    const b = join_(B, 'mh', 'b', 'generator=1,verifier=1');
    const c = join_(C, 'mh', 'c', 'verifier=1');
    const st = await waitFor(
      'both hosts in ace status',
      async () => {
        const r = await runAce(['status', '--nats', urls, '--prefix', 'mh'], 20_000);
        return /joined host b .*2 instances running/.test(r.stdout) && /joined host c .*1 instances running/.test(r.stdout) && r.stdout;
      },
      60_000,
      500,
    );
    expect(st).toMatch(/generator-b-0 +b +RUNNING/);
    expect(await t.exit, outputs(t, b, c)).toBe(0);
    await checkLedger(nc, 'mh', steps);
    const w = await workers('mh');
    expect(w.generators).toEqual(['generator-b-0']);
    expect(w.verifiers.every((v) => v === 'verifier-b-0' || v === 'verifier-c-0')).toBe(true);
    // Weights reached B through the object store only.
    const announced = await readAll<PolicyUpdate>(nc, 'MH_POLICY', 'mh.policy.>');
    expect(announced.map((m) => [m.value.policyVersion, m.value.location.type])).toEqual(Array.from({ length: steps + 1 }, (_, v) => [v, 'object-store']));
    expect(b.log('generator-b-0')).toContain(`loaded policy v${steps - 1} (${announced[steps - 1].value.digest.slice(0, 12)})`);
    const down = await runAce(['down', '--nats', urls, '--prefix', 'mh'], 60_000);
    expect(down.code, down.stderr).toBe(0);
    expect([await b.exit, await c.exit], outputs(b, c)).toEqual([0, 0]);
  }, 180_000);
});
