// Issue "A run that survives its user": how `ace up` and `ace train` end, against real
// processes (the embedded nats-server, real actors). Each test is named after a failure seen:
// Ctrl-C in a terminal (SIGINT to the whole process group), a parent killed outright, an output
// pipe closed early, two commands on one directory, an actor in a crash loop, and a second run
// in a used directory. "Nothing left behind" is checked by scanning /proc for any live process
// whose command line names the test's directory (the server's store, the actors' topology).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { injectionEnv } from '../../actors/fault.ts';
import type { TopologyInput } from '../../contracts/topology.ts';
import { connectNats } from '../../streams/manager.ts';
import { startNatsServer } from '../../streams/server.ts';
import { ACE, heartbeats, subjectCounts, waitFor } from '../../tools/harness/up.ts';
import { LOCK_FILE, processStartTime, readLock } from '../../tools/lock.ts';
import { useNats } from '../support/nats.ts';
import { tinyPolicy } from '../support/tiny-policy.ts';

interface Ace {
  child: ChildProcess;
  pid: number;
  exit: Promise<number>;
  exited: boolean;
  output: () => string;
}

const started: Ace[] = [];
const dirs: string[] = [];

/** Runs `ace ARGS` as the leader of its own process group, as a shell runs a foreground job. */
function ace(args: string[], env: Record<string, string> = {}): Ace {
  const child = spawn(process.execPath, [ACE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...env } });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const a: Ace = { child, pid: child.pid!, exit: null as unknown as Promise<number>, exited: false, output: () => out };
  a.exit = new Promise<number>((r) =>
    child.once('exit', (code, signal) => {
      a.exited = true;
      r(code ?? (signal === 'SIGKILL' ? 137 : -1));
    }),
  );
  started.push(a);
  return a;
}

/** Waits for `fn` while `a` runs; fails with its output if it exits first. */
function whileRunning(a: Ace, what: string, fn: () => Promise<boolean>, ms: number): Promise<unknown> {
  return waitFor(
    what,
    async () => {
      if (a.exited) throw new Error(`ace exited before ${what}:\n${a.output()}`);
      return fn();
    },
    ms,
    100,
  );
}

/** The exit code, or a failure carrying the output, after `ms`. */
function exitWithin(a: Ace, ms: number): Promise<number> {
  return Promise.race([
    a.exit,
    new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`ace did not exit within ${ms} ms:\n${a.output().split('\n').slice(-40).join('\n')}`)), ms).unref()),
  ]);
}

/** `ace up --resume --until-idle` on `dir` to exit 0 and every one of the N items processed once; its output. */
async function resumeUntilIdle(topo: string, dir: string, N: number): Promise<string> {
  const again = ace(['up', topo, '--state-dir', dir, '--resume', '--until-idle', '--progress-ms', '500']);
  expect(await exitWithin(again, 120_000), again.output()).toBe(0);
  const store = await openStore(dir);
  try {
    await expectAllProcessed(store.nc, 'ace', N);
  } finally {
    await store.close();
  }
  return again.output();
}

function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ace-life-'));
  dirs.push(dir);
  return dir;
}

/** Live processes (zombies are dead) whose command line names `dir`. */
function runningIn(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue; // exited during the scan
    }
    if (cmd.includes(dir) && processStartTime(pid) !== null) found.push(`${pid} ${cmd}`);
  }
  return found;
}

const nothingRunningIn = (dir: string, ms: number) => waitFor(`no process left in ${dir}`, async () => runningIn(dir).length === 0, ms, 100).catch(() => expect(runningIn(dir)).toEqual([]));

/** Writes a topology into `dir` (so every actor's command line names it) and returns its path. */
function writeTopology(dir: string, t: TopologyInput): string {
  const path = join(dir, 'topology.json');
  writeFileSync(path, JSON.stringify(t));
  return path;
}

/** A source of `count` items and one stage that spends `workMs` of CPU on each. */
function flow(prefix: string, count: number, workMs: number): TopologyInput {
  return {
    name: 'life',
    prefix,
    maxUnverified: 256,
    actors: {
      source: { kind: 'demo-source', config: { count, payloadBytes: 64, downstream: 'stage' } },
      stage: { kind: 'demo-stage', config: { from: 'in', workMs, ackWaitMs: 2000 } },
    },
  };
}

async function connectToUp(dir: string): Promise<NatsConnection> {
  const upFile = join(dir, 'up.json');
  await waitFor('up.json', async () => existsSync(upFile), 60_000);
  return connectNats(JSON.parse(readFileSync(upFile, 'utf8')).natsUrl, 'test');
}

/** Sum of a metric over the heartbeats of an actor. */
async function metric(nc: NatsConnection, prefix: string, actor: string, name: string): Promise<number> {
  const hb = await heartbeats(nc, prefix).catch(() => []);
  return hb.filter((h) => h.actor === actor).reduce((s, h) => s + (h.metrics[name] ?? 0), 0);
}

/** Opens a finished run's store with a server of the test's own, to read what the run left. */
async function openStore(dir: string) {
  const server = await startNatsServer({ dataDir: join(dir, 'nats') });
  const nc = await connectNats(server.url, 'test-store');
  return {
    nc,
    async close() {
      await nc.close();
      await server.stop();
    },
  };
}

/** Every message of the flow published once and acked: nothing pending for the stage. */
async function expectAllProcessed(nc: NatsConnection, prefix: string, count: number): Promise<void> {
  const stream = `${prefix.toUpperCase()}_DEMO`;
  expect(await subjectCounts(nc, stream, `${prefix}.demo.>`)).toEqual({ [`${prefix}.demo.in`]: count });
  const ci = await (await jetstreamManager(nc)).consumers.info(stream, 'stage');
  expect({ pending: ci.num_pending, ackPending: ci.num_ack_pending, ackedTo: ci.ack_floor.stream_seq }).toEqual({ pending: 0, ackPending: 0, ackedTo: count });
}

const noStack = (out: string) => expect(out).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

/** Each actor drained and exited 0 while the server still ran (a server gone first fails the clean-up of the run KV). */
function expectOrderlyStop(out: string, instances: string[]): void {
  for (const id of instances) expect(out).toMatch(new RegExp(`stopped ${id} \\(exit 0\\)|${id} finished`));
  expect(out).not.toContain('could not clear');
}

describe('a run that survives its user', () => {
  const nats = useNats(() => {
    for (const a of started) {
      try {
        process.kill(-a.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  afterAll(() => {
    // Whatever a failed test left: every process naming a test directory.
    for (const dir of dirs) for (const p of runningIn(dir)) process.kill(Number(p.split(' ')[0]), 'SIGKILL');
  });

  describe('ace train', () => {
    const base = tinyPolicy();
    const STEPS = 10;
    const trainTopology = (runDir: string): TopologyInput => ({
      name: 'life-train',
      prefix: 'ace',
      seed: 3,
      maxUnverified: 64,
      actors: {
        generator: { kind: 'generator', config: { tasksPerBatch: 4, ackWaitMs: 2000, lingerMs: 20 } },
        verifier: { kind: 'verifier', config: { ackWaitMs: 2000 } },
        normalizer: { kind: 'normalizer', config: { ackWaitMs: 2000 } },
        learner: {
          kind: 'learner',
          config: { base, runDir, tasksPerStep: 4, groupSize: 4, buckets: [{ batch: 4, length: 64 }], stages: [{ domain: 'math', steps: STEPS, source: { kind: 'synthetic', poolSize: 200 }, maxResponseTokens: 16 }] },
        },
      },
    });

    it('Ctrl-C in a terminal (SIGINT to the process group) stops ace train cleanly: exit 130, no orphans, resumable', async () => {
      const runDir = fresh();
      const file = join(fresh(), 'topology.json');
      writeFileSync(file, JSON.stringify(trainTopology(runDir)));
      // Verification burns 25 ms of CPU per rollout, so the run is mid-way when interrupted.
      const t = ace(['train', '--run-dir', runDir, '--topology', file, '--no-eval'], injectionEnv({ verifier: { burnMsPerRollout: 25 } }));
      await whileRunning(t, 'the first step', async () => /step +0 +1-math +v0/.test(t.output()), 180_000);
      process.kill(-t.pid, 'SIGINT');
      expect(await exitWithin(t, 60_000), t.output()).toBe(130);
      expect(t.output()).toMatch(/interrupted \(SIGINT\) at step \d+/);
      noStack(t.output());
      expectOrderlyStop(t.output(), ['generator-0', 'verifier-0', 'normalizer-0', 'learner-0']);
      expect(runningIn(runDir)).toEqual([]);
      expect(existsSync(join(runDir, 'up.json'))).toBe(false);
      expect(existsSync(join(runDir, LOCK_FILE))).toBe(false);

      const r = ace(['train', '--run-dir', runDir, '--resume', '--no-eval']);
      expect(await exitWithin(r, 180_000), r.output()).toBe(0);
      expect(r.output()).toMatch(/\(resumed\)/);
      expect(JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')).steps).toBe(STEPS);
      expect(runningIn(runDir)).toEqual([]);
    }, 420_000);

    it('Ctrl-C in a terminal during the base evaluation stops ace train at once: exit 130, no stack, the run dir unlocked', async () => {
      const runDir = fresh();
      const file = join(fresh(), 'topology.json');
      writeFileSync(file, JSON.stringify(trainTopology(runDir)));
      const t = ace(['train', '--run-dir', runDir, '--topology', file, '--eval-suite', 'math', '--eval-problems', '4096', '--eval-k', '4']);
      await whileRunning(t, 'the base evaluation', async () => /evaluating the base policy/.test(t.output()), 60_000);
      process.kill(-t.pid, 'SIGINT');
      expect(await exitWithin(t, 20_000), t.output()).toBe(130);
      expect(t.output()).toContain('SIGINT during the base evaluation: stopped');
      noStack(t.output());
      expect(existsSync(join(runDir, LOCK_FILE))).toBe(false);
      expect(runningIn(runDir)).toEqual([]);
    }, 120_000);

    it('an actor in a crash loop (a corrupt base checkpoint) ends ace train with exit 1 and the reason, not restarts forever', async () => {
      const runDir = fresh();
      const bad = join(fresh(), 'base');
      mkdirSync(bad);
      writeFileSync(join(bad, 'config.json'), '{}');
      writeFileSync(join(bad, 'model.safetensors'), 'not a checkpoint');
      const t0 = trainTopology(runDir);
      const file = join(fresh(), 'topology.json');
      writeFileSync(file, JSON.stringify({ ...t0, actors: { ...t0.actors, learner: { ...t0.actors.learner, config: { ...t0.actors.learner.config, base: bad } } } }));
      const t = ace(['train', '--run-dir', runDir, '--topology', file, '--no-eval']);
      expect(await exitWithin(t, 150_000), t.output()).toBe(1);
      expect(t.output()).toMatch(/actor learner \(learner-0\) failed 5 times in a row right after starting \(last: exit 1\)/);
      expect(t.output()).toContain(bad); // the log tail says what is wrong with it
      expect(runningIn(runDir)).toEqual([]);
      expect(existsSync(join(runDir, 'up.json'))).toBe(false);
    }, 180_000);
  });

  describe('ace up', () => {
    it('Ctrl-C in a terminal (SIGINT to the process group) stops ace up cleanly: exit 130, no orphans, resumable', async () => {
      const dir = fresh();
      const N = 3000;
      const topo = writeTopology(dir, flow('ace', N, 3));
      const up = ace(['up', topo, '--state-dir', dir, '--progress-ms', '500']);
      const nc = await connectToUp(dir);
      await whileRunning(up, 'the stage mid-flow', async () => (await metric(nc, 'ace', 'stage', 'stage/processed')) > 300, 120_000);
      await nc.close();
      process.kill(-up.pid, 'SIGINT');
      expect(await exitWithin(up, 60_000), up.output()).toBe(130);
      noStack(up.output());
      expectOrderlyStop(up.output(), ['source-0', 'stage-0']);
      expect(runningIn(dir)).toEqual([]);
      expect(existsSync(join(dir, 'up.json'))).toBe(false);
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

      const again = await resumeUntilIdle(topo, dir, N);
      expect(again).toMatch(/\(resumed\)/);
    }, 300_000);

    it('SIGKILL of the ace up parent leaves no nats-server or actor behind, and --resume then finishes', async () => {
      const dir = fresh();
      const N = 3000;
      const topo = writeTopology(dir, flow('ace', N, 3));
      const up = ace(['up', topo, '--state-dir', dir, '--progress-ms', '500']);
      const nc = await connectToUp(dir);
      await whileRunning(up, 'the stage mid-flow', async () => (await metric(nc, 'ace', 'stage', 'stage/processed')) > 300, 120_000);
      await nc.close();
      expect(runningIn(dir).length).toBeGreaterThanOrEqual(4); // ace, nats-server, source, stage
      up.child.kill('SIGKILL');
      await up.exit;
      await nothingRunningIn(dir, 5000);

      await resumeUntilIdle(topo, dir, N);
    }, 300_000);

    it('without setpriv (not on PATH), SIGKILL of the ace up parent still leaves nothing behind: actors watch their parent, the server has a watchdog', async () => {
      const dir = fresh();
      const topo = writeTopology(dir, flow('ace', 1_000_000, 1));
      // A PATH with nats-server alone (node runs by its absolute path).
      const bin = fresh();
      symlinkSync(spawnSync('sh', ['-c', 'command -v nats-server || echo /usr/sbin/nats-server'], { encoding: 'utf8' }).stdout.trim(), join(bin, 'nats-server'));
      const up = ace(['up', topo, '--state-dir', dir, '--progress-ms', '500'], { PATH: bin });
      const nc = await connectToUp(dir);
      await whileRunning(up, 'the stage running', async () => (await metric(nc, 'ace', 'stage', 'stage/processed')) > 0, 120_000);
      await nc.close();
      expect(up.output()).toContain('setpriv (util-linux) not found');
      up.child.kill('SIGKILL');
      await up.exit;
      await nothingRunningIn(dir, 20_000);
    }, 180_000);

    it('an output pipe closed early (EPIPE, as in `ace up | head`) stops ace up cleanly: no crash, no orphans', async () => {
      const dir = fresh();
      const topo = writeTopology(dir, flow('ace', 1_000_000, 1));
      const up = ace(['up', topo, '--state-dir', dir, '--progress-ms', '300']);
      const nc = await connectToUp(dir);
      await whileRunning(up, 'the stage running', async () => (await metric(nc, 'ace', 'stage', 'stage/processed')) > 0, 120_000);
      await nc.close();
      up.child.stdout!.destroy();
      up.child.stderr!.destroy();
      expect(await exitWithin(up, 60_000)).toBe(141);
      expect(runningIn(dir)).toEqual([]);
      expect(existsSync(join(dir, 'up.json'))).toBe(false);
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    }, 180_000);

    it("two ace up on one state dir: the second is refused (exit 2) naming the first's pid, and the first runs on unharmed", async () => {
      const dir = fresh();
      const topo = writeTopology(dir, flow('ace', 1_000_000, 1));
      const first = ace(['up', topo, '--state-dir', dir, '--progress-ms', '500']);
      const nc = await connectToUp(dir);
      await whileRunning(first, 'the stage running', async () => (await metric(nc, 'ace', 'stage', 'stage/processed')) > 0, 120_000);
      const serverPid = readLock(dir)!.server!.pid;

      const second = ace(['up', topo, '--state-dir', dir]);
      expect(await exitWithin(second, 60_000), second.output()).toBe(2);
      expect(second.output()).toContain(`is in use by \`ace up\` (pid ${first.pid}`);
      expect(second.output()).toContain(`HINT: \`ace down --state-dir ${dir}\` or kill ${first.pid}`);
      noStack(second.output());

      // Unharmed: the same server, the lock still the first's, and the stage still going.
      expect(readLock(dir)!.owner.pid).toBe(first.pid);
      expect(readLock(dir)!.server!.pid).toBe(serverPid);
      const before = await metric(nc, 'ace', 'stage', 'stage/processed');
      await waitFor('more processed', async () => (await metric(nc, 'ace', 'stage', 'stage/processed')) > before, 30_000, 100);
      await nc.close();
      const down = ace(['down', '--state-dir', dir]);
      expect(await exitWithin(down, 60_000), down.output()).toBe(0);
      expect(await exitWithin(first, 60_000), first.output()).toBe(0);
      expect(runningIn(dir)).toEqual([]);
    }, 240_000);

    it('a stale lock (its ace is gone) is taken over', async () => {
      const dir = fresh();
      const topo = writeTopology(dir, flow('ace', 200, 0));
      const dead = spawn('true');
      await new Promise((r) => dead.once('exit', r));
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ owner: { pid: dead.pid, startTime: 1, command: 'up', since: 'earlier' } }));
      const up = ace(['up', topo, '--state-dir', dir, '--until-idle', '--progress-ms', '300']);
      expect(await exitWithin(up, 120_000), up.output()).toBe(0);
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    }, 180_000);

    it('an actor in a crash loop (a learner with a corrupt base checkpoint) ends ace up with exit 1, the actor, its exit code and its log tail', async () => {
      const dir = fresh();
      const bad = join(dir, 'base');
      mkdirSync(bad);
      writeFileSync(join(bad, 'config.json'), '{}');
      writeFileSync(join(bad, 'model.safetensors'), 'not a checkpoint');
      const topo = writeTopology(dir, {
        name: 'crash',
        prefix: 'ace',
        actors: { learner: { kind: 'learner', config: { base: bad, runDir: join(dir, 'run'), stages: [{ domain: 'math', steps: 2, maxResponseTokens: 16 }], tasksPerStep: 4, groupSize: 4 } } },
      });
      const up = ace(['up', topo, '--state-dir', dir, '--until-idle', '--progress-ms', '1000']);
      expect(await exitWithin(up, 150_000), up.output()).toBe(1);
      const out = up.output();
      expect(out).toMatch(/actor learner \(learner-0\) failed 5 times in a row right after starting \(last: exit 1\); not restarted\. Last lines of .*learner-0\.log:/);
      expect(out).toMatch(/^ {2}\[learner\/learner-0 .*failed: .*model\.safetensors/m);
      expect(out.match(/started learner-0/g)).toHaveLength(5);
      expect(runningIn(dir)).toEqual([]);
      expect(existsSync(join(dir, 'up.json'))).toBe(false);
    }, 180_000);

    it('ace up topologies/demo.json a second time in one state dir starts a clean run: all 10000 published and processed again, only its own instances in status', async () => {
      const dir = fresh();
      const demo = resolve('topologies/demo.json');
      const runIds: string[] = [];
      for (const round of [1, 2]) {
        const up = ace(['up', demo, '--state-dir', dir, '--until-idle', '--progress-ms', '500']);
        expect(await exitWithin(up, 150_000), up.output()).toBe(0);
        runIds.push(up.output().match(/\] run (\S+):/)![1]);
        if (round === 2) expect(up.output()).toContain(`new run: removed the previous run's store ${join(dir, 'nats')}`);
        expect(up.output()).not.toMatch(/resuming at/);
      }
      expect(runIds[1]).not.toBe(runIds[0]);
      const store = await openStore(dir);
      try {
        expect(await subjectCounts(store.nc, 'ACE_DEMO', 'ace.demo.>')).toEqual({ 'ace.demo.in': 10_000, 'ace.demo.mid': 10_000, 'ace.demo.out': 10_000 });
        const hb = await heartbeats(store.nc, 'ace');
        expect(new Set(hb.map((h) => h.runId))).toEqual(new Set([runIds[1]]));
        expect(hb.map((h) => h.instance).sort()).toEqual(['check-0', 'double-0', 'double-1', 'source-0']);
        const processed = (actor: string) => hb.filter((h) => h.actor === actor).reduce((s, h) => s + (h.metrics['stage/processed'] ?? 0), 0);
        expect([processed('double'), processed('check')]).toEqual([10_000, 10_000]);
      } finally {
        await store.close();
      }
    }, 360_000);

    it("a new run on an external server's used prefix starts clean; one on a prefix a live topology uses is refused", async () => {
      const url = nats.server.url;
      const runs: string[] = [];
      for (const round of [1, 2]) {
        const dir = fresh();
        const up = ace(['up', writeTopology(dir, flow('lx', 200, 0)), '--nats', url, '--state-dir', dir, '--until-idle', '--progress-ms', '300']);
        expect(await exitWithin(up, 120_000), up.output()).toBe(0);
        if (round === 2) expect(up.output()).toMatch(/new run: deleted the previous run's streams and buckets of prefix 'lx' \(.*LX_DEMO.*KV_lx-actors/);
        runs.push(up.output().match(/\] run (\S+):/)![1]);
      }
      await expectAllProcessed(nats.nc, 'lx', 200);
      expect(new Set((await heartbeats(nats.nc, 'lx')).map((h) => h.runId))).toEqual(new Set([runs[1]]));

      const dir = fresh();
      const live = ace(['up', writeTopology(dir, flow('ly', 1_000_000, 1)), '--nats', url, '--state-dir', dir, '--progress-ms', '500']);
      await whileRunning(live, 'the stage running', async () => (await metric(nats.nc, 'ly', 'stage', 'stage/processed')) > 0, 120_000);
      const other = fresh();
      const second = ace(['up', writeTopology(other, flow('ly', 10, 0)), '--nats', url, '--state-dir', other]);
      expect(await exitWithin(second, 60_000), second.output()).toBe(2);
      expect(second.output()).toMatch(/prefix 'ly' at .* is in use by a running topology/);
      process.kill(live.pid, 'SIGTERM');
      expect(await exitWithin(live, 60_000), live.output()).toBe(0);
    }, 300_000);
  });
});
