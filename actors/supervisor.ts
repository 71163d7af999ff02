// The supervisor: runs each actor of a topology as child processes, restarts a failed one
// with exponential backoff, and follows the desired instance counts in the run KV bucket
// (`desired.<actor>`), so `ace scale` and `ace down` act on a running topology. An instance
// that exits 0 has finished its work and is not restarted; one that keeps failing right after
// its start is in a crash loop and is given up (FAILED, reported through `failed`).
// Each child runs in its own session (a terminal's Ctrl-C reaches only the supervisor's
// process, which drains them) and dies with the supervisor's process however that dies.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, fstatSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KV } from '@nats-io/kv';
import type { Topology } from '../contracts/topology.ts';
import { actorAccessEnv } from '../streams/auth.ts';
import { parentDeathPrefix } from '../streams/server.ts';
import { type ControlKeys, controlKeys, parseCommand, scaleCommand, scaleOf } from './control.ts';
import { EXIT_TRANSIENT } from './runtime.ts';

const ACE_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'ace.mjs');

export interface SupervisorOptions {
  natsUrl: string;
  topologyPath: string;
  topology: Topology;
  runId: string;
  runKv: KV;
  logDir: string;
  log: (line: string) => void;
  /** First restart delay, ms; doubles per consecutive failure up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** A child that ran this long before failing restarts with the base delay again. */
  healthyAfterMs?: number;
  /**
   * A crash loop: this many consecutive failures, each within crashLoopWindowMs of the start,
   * and the instance is FAILED, not restarted. Defaults 5 and 10 s: with the backoff above
   * that is about 8 s of delays, and a broken actor (bad checkpoint, unreachable dependency) is
   * reported within half a minute; an actor killed now and then, or failing after it got going,
   * is restarted forever.
   */
  crashLoopFailures?: number;
  crashLoopWindowMs?: number;
  /**
   * A joined host (`ace up --join`): the run KV keys it follows (its own `hosts.<host>.` keys)
   * and its instances are named `<actor>-<host>-<i>`. Default: the run's own keys.
   */
  keys?: ControlKeys;
  /**
   * The actors this supervisor runs and their starting counts, written to its desired keys
   * even when set (a host joins with what it was told to run). Default: every actor of the
   * topology, at the count a running deployment stored, else the topology's.
   */
  actors?: Record<string, number>;
  /** Extra environment of every actor process (ACE_HOST, credentials). */
  env?: Record<string, string>;
}

type InstanceState = 'running' | 'backoff' | 'done' | 'stopping' | 'failed';

/** An instance given up after a crash loop. */
export interface FailedInstance {
  actor: string;
  id: string;
  failures: number;
  /** How its last run ended: `exit 1`, `SIGSEGV`. */
  exit: string;
  logPath: string;
  /** The last lines of its log. */
  logTail: string;
}

interface Instance {
  actor: string;
  index: number;
  id: string;
  child: ChildProcess | null;
  state: InstanceState;
  failures: number;
  /** Consecutive failures within crashLoopWindowMs of the start. */
  fastFailures: number;
  restarts: number;
  startedAt: number;
  /** Size of its log file when this incarnation started. */
  logFrom: number;
  timer: NodeJS.Timeout | null;
  exited: Promise<void>;
}

export interface InstanceView {
  actor: string;
  id: string;
  pid: number | null;
  state: InstanceState;
  restarts: number;
}


/** The last `lines` lines of a file after byte `from` (where the last incarnation began), from its last 16 KB at most. */
function tail(path: string, from: number, lines: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(from, size - 16_384);
    const buf = Buffer.alloc(Math.max(0, size - start));
    readSync(fd, buf, 0, buf.length, start);
    return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

export class Supervisor {
  private readonly instances = new Map<string, Instance[]>();
  private readonly desired = new Map<string, number>();
  private watching = true;
  private stopWatch: (() => void) | null = null;
  private downRequested: (() => void) | null = null;
  private gaveUp: ((f: FailedInstance) => void) | null = null;
  readonly down: Promise<void>;
  /** Settles with the first instance given up after a crash loop. */
  readonly failed: Promise<FailedInstance>;

  private readonly keys: ControlKeys;

  constructor(private readonly opts: SupervisorOptions) {
    this.keys = opts.keys ?? controlKeys(null);
    mkdirSync(opts.logDir, { recursive: true });
    this.down = new Promise((r) => (this.downRequested = r));
    this.failed = new Promise((r) => (this.gaveUp = r));
  }

  /** Write the topology's instance counts unless a running deployment already set them. */
  async start(): Promise<void> {
    const given = this.opts.actors;
    const actors = given ? Object.keys(given) : Object.keys(this.opts.topology.actors);
    for (const actor of actors) {
      const key = this.keys.desired(actor);
      const entry = given ? null : await this.opts.runKv.get(key);
      const stored = entry?.value.length ? scaleOf(entry.string()) : null;
      const n = given ? given[actor] : (stored ?? this.opts.topology.actors[actor].instances);
      if (stored === null) await this.opts.runKv.put(key, scaleCommand(this.opts.runId, actor, n));
      this.desired.set(actor, n);
      this.instances.set(actor, []);
      this.reconcile(actor);
    }
    // One watch per key pattern: nats-server 2.9 has no multi-filter consumers.
    const scaleWatch = await this.opts.runKv.watch({ key: this.keys.desiredPattern });
    const downWatches = await Promise.all(this.keys.down.map((key) => this.opts.runKv.watch({ key })));
    this.stopWatch = () => {
      scaleWatch.stop();
      for (const w of downWatches) w.stop();
    };
    for (const downWatch of downWatches) {
      (async () => {
        for await (const e of downWatch) {
          if (e.operation !== 'PUT' || !e.value.length) continue;
          const r = parseCommand(e.string());
          if (r.ok && r.command.command.type === 'down') this.downRequested?.();
          else this.opts.log(`ignored control message on ${e.key}: ${r.ok ? r.command.command.type : r.reason}`);
        }
      })().catch((err) => this.opts.log(`kv watch ended: ${(err as Error).message}`));
    }
    (async () => {
      for await (const e of scaleWatch) {
        if (!this.watching) break;
        const actor = e.key.slice(this.keys.desiredPattern.length - 1);
        if (!this.instances.has(actor) || e.operation !== 'PUT') continue;
        const r = parseCommand(e.string());
        if (!r.ok || r.command.command.type !== 'scale' || r.command.command.actor !== actor) {
          this.opts.log(`ignored control message on ${e.key}: ${r.ok ? JSON.stringify(r.command.command) : r.reason}`);
          continue;
        }
        const n = r.command.command.instances;
        if (this.desired.get(actor) !== n) {
          this.opts.log(`scale ${actor}: ${this.desired.get(actor)} -> ${n}`);
          this.desired.set(actor, n);
          this.reconcile(actor);
        }
      }
    })().catch((err) => this.opts.log(`kv watch ended: ${(err as Error).message}`));
  }

  view(): InstanceView[] {
    return [...this.instances.values()].flat().map((i) => ({
      actor: i.actor,
      id: i.id,
      pid: i.child?.pid ?? null,
      state: i.state,
      restarts: i.restarts,
    }));
  }

  /** True when every instance of these actors has exited 0 (finished its work). */
  allDone(actors: string[]): boolean {
    return actors.every((a) => {
      const list = this.instances.get(a) ?? [];
      return list.length > 0 && list.every((i) => i.state === 'done');
    });
  }

  private reconcile(actor: string): void {
    const list = this.instances.get(actor)!;
    const want = this.desired.get(actor) ?? 0;
    const live = list.filter((i) => i.state !== 'stopping');
    for (let k = live.length; k < want; k++) {
      const used = new Set(list.map((i) => i.index));
      let index = 0;
      while (used.has(index)) index++;
      const inst: Instance = {
        actor,
        index,
        id: this.keys.host === null ? `${actor}-${index}` : `${actor}-${this.keys.host}-${index}`,
        child: null,
        state: 'running',
        failures: 0,
        fastFailures: 0,
        restarts: 0,
        startedAt: 0,
        logFrom: 0,
        timer: null,
        exited: Promise.resolve(),
      };
      list.push(inst);
      this.spawn(inst);
    }
    // Fewer: drain the highest indices first; finished instances count as they are.
    const surplus = live.length - want;
    if (surplus > 0) {
      const victims = live.sort((a, b) => b.index - a.index).slice(0, surplus);
      for (const v of victims) this.stopInstance(v);
    }
  }

  private spawn(inst: Instance): void {
    const o = this.opts;
    const logPath = join(o.logDir, `${inst.id}.log`);
    inst.logFrom = existsSync(logPath) ? statSync(logPath).size : 0;
    const out = createWriteStream(logPath, { flags: 'a' });
    // ACE_ACTOR_NODE_ARGS: extra node flags for actor processes (e.g. `--cpu-prof --cpu-prof-dir=DIR`).
    const argv = [...(process.env.ACE_ACTOR_NODE_ARGS ?? '').split(' ').filter(Boolean), ACE_BIN, 'actor', '--topology', o.topologyPath, '--actor', inst.actor, '--instance', inst.id, '--nats', o.natsUrl, '--run-id', o.runId];
    // A niced actor starts under nice(1), which execs node (same pid): every thread of the
    // process, the ones V8 starts first included, inherits the niceness. setpriv (see
    // parentDeathPrefix) execs nice or node in turn. Without setpriv the actor watches for its
    // supervisor's death itself (ACE_SUPERVISED holds the supervisor's pid; runtime.ts).
    const nice = o.topology.actors[inst.actor].nice;
    const [cmd, ...args] = [...parentDeathPrefix(), ...(nice > 0 ? ['nice', '-n', String(nice)] : []), process.execPath, ...argv];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env, ...actorAccessEnv(o.topology.actors[inst.actor].kind), ACE_SUPERVISED: String(process.pid) }, detached: true });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    inst.child = child;
    inst.state = 'running';
    inst.startedAt = Date.now();
    inst.exited = new Promise((resolveExit) => {
      // 'close': the exit and the last of its output, in the log file before the log is read.
      child.once('close', (code, signal) => {
        inst.child = null;
        out.end(() => {
          this.onExit(inst, code, signal);
          resolveExit();
        });
      });
    });
    o.log(`started ${inst.id} (pid ${child.pid})`);
  }

  private onExit(inst: Instance, code: number | null, signal: NodeJS.Signals | null): void {
    const list = this.instances.get(inst.actor)!;
    if (inst.state === 'stopping') {
      list.splice(list.indexOf(inst), 1);
      this.opts.log(`stopped ${inst.id} (${signal ?? `exit ${code}`})`);
      return;
    }
    if (code === 0) {
      inst.state = 'done';
      this.opts.log(`${inst.id} finished`);
      return;
    }
    const ranMs = Date.now() - inst.startedAt;
    const healthy = ranMs > (this.opts.healthyAfterMs ?? 30_000);
    inst.failures = healthy ? 1 : inst.failures + 1;
    // A broker error that passes (a cluster electing leaders for seconds) is waited out with
    // the backoff, however often: it says nothing of the actor.
    const transient = code === EXIT_TRANSIENT;
    if (!transient) inst.fastFailures = ranMs < (this.opts.crashLoopWindowMs ?? 10_000) ? inst.fastFailures + 1 : 0;
    const exit = transient ? 'a broker error that passes' : (signal ?? `exit ${code}`);
    if (inst.fastFailures >= (this.opts.crashLoopFailures ?? 5)) {
      inst.state = 'failed';
      const logPath = join(this.opts.logDir, `${inst.id}.log`);
      this.opts.log(`${inst.id} failed (${exit}) ${inst.fastFailures} times in a row, each within ${(this.opts.crashLoopWindowMs ?? 10_000) / 1000} s of its start: FAILED, not restarted`);
      this.gaveUp?.({ actor: inst.actor, id: inst.id, failures: inst.fastFailures, exit, logPath, logTail: tail(logPath, inst.logFrom, 20) });
      return;
    }
    const delay = Math.min((this.opts.baseBackoffMs ?? 250) * 2 ** (inst.failures - 1), this.opts.maxBackoffMs ?? 10_000);
    inst.state = 'backoff';
    this.opts.log(`${inst.id} failed (${exit}); restart in ${delay} ms`);
    inst.timer = setTimeout(() => {
      inst.timer = null;
      if (inst.state !== 'backoff') return;
      inst.restarts++;
      this.spawn(inst);
    }, delay);
  }

  private stopInstance(inst: Instance): void {
    const list = this.instances.get(inst.actor)!;
    if (inst.timer) clearTimeout(inst.timer);
    if (!inst.child) {
      list.splice(list.indexOf(inst), 1);
      return;
    }
    inst.state = 'stopping';
    inst.child.kill('SIGTERM');
  }

  /** Drain every instance (SIGTERM, then SIGKILL after graceMs) and stop following the KV. */
  async stopAll(graceMs = 20_000): Promise<void> {
    this.watching = false;
    this.stopWatch?.();
    const all = [...this.instances.values()].flat();
    for (const inst of all) if (inst.state !== 'done') this.stopInstance(inst);
    const waits = all.map((i) => i.exited);
    const killer = setTimeout(() => this.killAll(), graceMs);
    await Promise.all(waits);
    clearTimeout(killer);
  }

  /** SIGKILL every running instance (a second Ctrl-C: no drain). */
  killAll(): void {
    for (const i of [...this.instances.values()].flat()) i.child?.kill('SIGKILL');
  }

  /** For tests and chaos: SIGKILL one running instance (the supervisor restarts it). */
  kill(instanceId: string, signal: NodeJS.Signals = 'SIGKILL'): boolean {
    const inst = [...this.instances.values()].flat().find((i) => i.id === instanceId);
    if (!inst?.child) return false;
    inst.child.kill(signal);
    return true;
  }
}
