// Test support for runs of the RL loop over three hosts: three network namespaces (A, B, C),
// one node of a 3-node JetStream cluster in each, `ace train` and `ace up --join` started inside
// a namespace, and the reads a test makes while nodes are killed or cut off. Used by
// test/cluster/multi-host.test.ts (npm test) and test/long/multi-host-faults.test.ts.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Rollout } from '../../contracts/rollout.ts';
import type { TopologyInput } from '../../contracts/topology.ts';
import type { Verdict } from '../../contracts/verdict.ts';
import { type NatsCluster, startNatsCluster } from '../../streams/cluster.ts';
import { createNetns, type Netns } from '../../streams/netns.ts';
import { ACE, readAll, runAce, waitFor } from '../../tools/harness/up.ts';
import { G, rlTopology, TASKS } from './rl-run.ts';
import { tinyPolicy } from './tiny-policy.ts';

export interface Proc {
  child: ChildProcess;
  exit: Promise<number>;
  output(): string;
  /** Where its actors' logs go. */
  logs?: string;
}

export interface Joined extends Proc {
  /** An instance's log in the join's state dir. */
  log(instance: string): string;
}

export const [A, B, C] = [0, 1, 2];

type Here = Partial<Record<'generator' | 'verifier' | 'learner', number>>;

export interface ThreeHosts {
  readonly netns: Netns;
  readonly cluster: NatsCluster;
  /** The test's own connection, through A and B only: a client of C would hang while C is cut off. */
  readonly nc: NatsConnection;
  /** Every node's client URL, comma-separated, as `--nats` takes them. */
  readonly urls: string;
  /** `node bin/ace.mjs ARGS` inside host `h`'s namespace; SIGKILLed after the test if still running. */
  aceIn(h: number, args: string[], env?: Record<string, string>): Proc;
  /** A run of `steps` steps: R3, weights through the object store, `here` instances on the train's host (learner 1, others 0). */
  topology(prefix: string, runDir: string, steps: number, here?: Here): TopologyInput;
  /** `ace train` on host `h`. */
  train(h: number, t: TopologyInput, runDir: string): Proc;
  /** `ace up --join` on host `h`, as host `host`, running `actors` ("generator=1,verifier=1"). */
  join(h: number, prefix: string, host: string, actors: string, env?: Record<string, string>): Joined;
  /** Messages in a stream, or -1 while it cannot be read (an election). */
  messages(stream: string): Promise<number>;
  /** Steps committed so far (-1: not readable now). */
  committed(prefix: string): Promise<number>;
  /** Which instances sampled and judged the run's rollouts. */
  workers(prefix: string): Promise<{ generators: string[]; verifiers: string[] }>;
  /** Until `ace status` finds the run. */
  recorded(prefix: string): Promise<unknown>;
  /** Until `n` steps are committed and step n+1 is partly sampled; the count committed then. */
  midStep(prefix: string, n: number, ...ps: Proc[]): Promise<number>;
  /** `p`, its error carrying the processes' last lines. */
  explained<T>(p: Promise<T>, ...ps: Proc[]): Promise<T>;
  /** `ace down` from the test's host; every joined process exits 0. */
  stopRun(prefix: string, ...joined: Proc[]): Promise<void>;
  /** The last lines of each process and of its actors' logs. */
  outputs(...ps: Proc[]): string;
  /** A stream's info through the test's connection (no API check, 3 s timeout). */
  streamLeader(stream: string): Promise<string | undefined>;
}

/**
 * Registers the hooks (namespaces and cluster up before the file's tests, down after) and returns
 * the harness. `maxFileBytes`: each node's JetStream file store (cluster.ts's default 256 MB holds
 * the short runs, not the default recipe's policy versions and rollouts).
 */
export function useThreeHosts(opts: { maxFileBytes?: number } = {}): ThreeHosts {
  let netns: Netns;
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let urls: string;
  const base = tinyPolicy();
  const procs: Proc[] = [];

  beforeAll(async () => {
    netns = createNetns(['a', 'b', 'c']);
    cluster = await startNatsCluster({ nodes: netns.hosts.map((h, i) => ({ name: 'abc'[i], ns: h.ns, host: h.addr })), maxFileBytes: opts.maxFileBytes });
    urls = cluster.urls.join(',');
    nc = await connect({ servers: cluster.urls.slice(0, 2), ignoreClusterUpdates: true, name: 'test', reconnectTimeWait: 100 });
  });

  afterEach(() => {
    for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  });

  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
    netns?.destroy();
  });

  function aceIn(h: number, args: string[], env: Record<string, string> = {}): Proc {
    const child = netns.spawn(netns.hosts[h].ns, process.execPath, [ACE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exit = new Promise<number>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? -1 : 0))));
    const p = { child, exit, output: () => out };
    procs.push(p);
    return p;
  }

  function topology(prefix: string, runDir: string, steps: number, here: Here = {}): TopologyInput {
    const t = rlTopology(prefix, base, runDir, steps, { weights: 'object-store' });
    for (const a of ['generator', 'verifier', 'learner'] as const) t.actors[a].instances = here[a] ?? (a === 'learner' ? 1 : 0);
    return { ...t, streams: { replicas: 3 } };
  }

  function train(h: number, t: TopologyInput, runDir: string): Proc {
    const file = join(mkdtempSync(join(tmpdir(), 'ace-mh-')), 'topology.json');
    writeFileSync(file, JSON.stringify(t));
    return { ...aceIn(h, ['train', '--run-dir', runDir, '--nats', urls, '--no-eval', '--topology', file]), logs: join(runDir, 'logs') };
  }

  function join_(h: number, prefix: string, host: string, actors: string, env: Record<string, string> = {}): Joined {
    const dir = mkdtempSync(join(tmpdir(), `ace-join-${host}-`));
    const p = aceIn(h, ['up', '--join', urls, '--prefix', prefix, '--actors', actors, '--host', host, '--state-dir', dir, '--progress-ms', '1000'], env);
    return { ...p, logs: join(dir, 'logs'), log: (instance) => readFileSync(join(dir, 'logs', `${instance}.log`), 'utf8') };
  }

  // Reads that may meet an election (a node killed or cut): no API check, short timeouts, and
  // a failed read is "not yet" (-1), not an error.
  const jsm = () => jetstreamManager(nc, { checkAPI: false, timeout: 3000 });
  const messages = async (stream: string) => (await jsm()).streams.info(stream).then((i) => i.state.messages, () => -1);
  const committed = (prefix: string) => messages(`${prefix.toUpperCase()}_STEPS`);

  async function workers(prefix: string): Promise<{ generators: string[]; verifiers: string[] }> {
    const P = prefix.toUpperCase();
    const rollouts = await readAll<Rollout>(nc, `${P}_ROLLOUTS`, `${prefix}.rollouts.>`);
    const verdicts = await readAll<Verdict>(nc, `${P}_VERDICTS`, `${prefix}.verdicts.>`);
    return { generators: [...new Set(rollouts.map((m) => m.value.generator))].sort(), verifiers: [...new Set(verdicts.map((m) => m.value.verifier))].sort() };
  }

  const recorded = (prefix: string) => waitFor('the run to be recorded', async () => (await runAce(['status', '--nats', urls, '--prefix', prefix, '--json'], 20_000)).code === 0, 60_000, 500);

  const lastLines = (text: string, n: number) => text.split('\n').filter((l) => !/^\[join\] \d+s \|/.test(l)).slice(-n).join('\n');
  const outputs = (...ps: Proc[]) =>
    ps
      .map((p) => {
        const logs = p.logs && existsSync(p.logs) ? readdirSync(p.logs).map((f) => `== ${f}\n${lastLines(readFileSync(join(p.logs!, f), 'utf8'), 12)}`) : [];
        return [lastLines(p.output(), 20), ...logs].join('\n');
      })
      .join('\n----\n');

  async function explained<T>(p: Promise<T>, ...ps: Proc[]): Promise<T> {
    try {
      return await p;
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${outputs(...ps)}`);
    }
  }

  async function midStep(prefix: string, n: number, ...ps: Proc[]): Promise<number> {
    await explained(
      waitFor(`step ${n} committed and step ${n + 1} under way`, async () => {
        const done = await committed(prefix);
        return done >= n && (await messages(`${prefix.toUpperCase()}_ROLLOUTS`)) > done * TASKS * G;
      }, 120_000, 50),
      ...ps,
    );
    return committed(prefix);
  }

  async function stopRun(prefix: string, ...joined: Proc[]): Promise<void> {
    const down = await runAce(['down', '--nats', urls, '--prefix', prefix], 90_000);
    expect(down.code, down.stderr).toBe(0);
    expect(await Promise.all(joined.map((p) => p.exit)), outputs(...joined)).toEqual(joined.map(() => 0));
  }

  const streamLeader = async (stream: string) => (await (await jsm()).streams.info(stream)).cluster?.leader;

  return {
    get netns() {
      return netns;
    },
    get cluster() {
      return cluster;
    },
    get nc() {
      return nc;
    },
    get urls() {
      return urls;
    },
    aceIn,
    topology,
    train,
    join: join_,
    messages,
    committed,
    workers,
    recorded,
    midStep,
    explained,
    stopRun,
    outputs,
    streamLeader,
  };
}
