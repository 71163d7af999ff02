// Starting a topology, shared by `ace up` and `ace train`: an embedded nats-server unless a URL
// is given, the JetStream topology, the run id and desired counts in the run KV bucket, the
// state file other commands read, and the supervisor of the actor processes; and the ways a
// run is asked to stop from outside (signals, a closed terminal pipe). A new run (no --resume)
// starts on a clean store: a run is resumed whole or started afresh, never half of each.
// The caller holds the directory's lock (lock.ts); launch records the embedded server in it.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { DOWN_KEY, desiredKey, scaleCommand } from '../actors/control.ts';
import { readInjection } from '../actors/fault.ts';
import { type FailedInstance, Supervisor } from '../actors/supervisor.ts';
import { Heartbeat } from '../contracts/metrics.ts';
import type { Topology } from '../contracts/topology.ts';
import { CodedError } from '../ops/errors.ts';
import { connectNats, deleteTopology, ensureTopology, listKeys, openKv } from '../streams/manager.ts';
import { type NatsServer, parentDeathPrefix, startNatsServer } from '../streams/server.ts';
import { type TopologyNames, topologyNames } from '../streams/topology.ts';
import type { DirLock } from './lock.ts';
import type { UpState } from './session.ts';

export class LaunchError extends CodedError<'PREFIX_IN_USE'> {}

export interface LaunchOptions {
  topology: Topology;
  topologyPath: string;
  stateDir: string;
  /** The lock on stateDir, held by the caller. */
  lock: DirLock;
  natsUrl?: string;
  runId?: string;
  resume: boolean;
  log: (line: string) => void;
}

export interface Launched {
  natsUrl: string;
  nc: NatsConnection;
  names: TopologyNames;
  runKv: KV;
  runId: string;
  supervisor: Supervisor;
  state: UpState;
  /** Settles with a report for the terminal when the run cannot go on: an actor in a crash loop, or the embedded server gone. */
  failure: Promise<string>;
  /** Drain every actor, then stop the embedded server (if any). */
  stop(): Promise<void>;
  /** SIGKILL every actor: a stop() under way ends without waiting for their drain. */
  kill(): void;
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

export function describeFailure(f: FailedInstance): string {
  return `actor ${f.actor} (${f.id}) failed ${f.failures} times in a row right after starting (last: ${f.exit}); not restarted. Last lines of ${f.logPath}:\n${f.logTail.replace(/^/gm, '  ')}`;
}

/** Actor instances of the prefix that are alive (a heartbeat of a live state within 5 s). */
async function liveInstances(nc: NatsConnection, names: TopologyNames): Promise<Heartbeat[]> {
  if (!(await (await jetstreamManager(nc)).streams.info(`KV_${names.kv.actors}`).catch(() => null))) return [];
  const kv = await openKv(nc, names.kv.actors);
  const keys = await listKeys(nc, names.kv.actors);
  const live: Heartbeat[] = [];
  for (const k of keys) {
    const e = await kv.get(k);
    const hb = e?.value.length ? Heartbeat.safeParse(e.json()) : null;
    if (hb?.success && hb.data.state !== 'STOPPED' && hb.data.state !== 'FAILED' && Date.now() - hb.data.ts < 5000) live.push(hb.data);
  }
  return live;
}

export async function launch(o: LaunchOptions): Promise<Launched> {
  readInjection(); // a bad ACE_INJECT fails here, not in an actor the supervisor restarts forever
  const stateDir = resolve(o.stateDir);
  mkdirSync(stateDir, { recursive: true });
  if (!parentDeathPrefix().length) o.log('setpriv (util-linux) not found: actors watch for this process to die; the server has a watchdog');
  let server: NatsServer | null = null;
  let nc: NatsConnection | null = null;
  let supervisor: Supervisor | null = null;
  try {
    let natsUrl = o.natsUrl;
    if (!natsUrl) {
      // The store is ours alone (the lock says so): a new run starts on an empty one.
      const storeDir = join(stateDir, 'nats');
      if (!o.resume && existsSync(storeDir) && readdirSync(storeDir).length) {
        rmSync(storeDir, { recursive: true, force: true });
        o.log(`new run: removed the previous run's store ${storeDir} (continue a run with --resume)`);
      }
      server = await startNatsServer({ dataDir: storeDir });
      o.lock.recordServer(server.pid);
      natsUrl = server.url;
      o.log(`embedded nats-server pid ${server.pid} at ${natsUrl}, data in ${server.dataDir}`);
    }
    nc = await connectNats(natsUrl, 'ace-up');
    if (!o.resume && !server) {
      const names = topologyNames(o.topology.prefix, o.topology.streams);
      const live = await liveInstances(nc, names);
      if (live.length) {
        const h = live[0];
        throw new LaunchError(
          'PREFIX_IN_USE',
          `prefix '${o.topology.prefix}' at ${natsUrl} is in use by a running topology (${live.length} live actor instances, e.g. ${h.instance} pid ${h.pid} of run ${h.runId})\nHINT: stop it with \`ace down --nats ${natsUrl} --prefix ${o.topology.prefix}\`, continue it with --resume, or use another prefix`,
        );
      }
      const deleted = await deleteTopology(nc, names);
      if (deleted.length) o.log(`new run: deleted the previous run's streams and buckets of prefix '${o.topology.prefix}' (${deleted.join(', ')}; continue a run with --resume)`);
    }
    const { names, report } = await ensureTopology(nc, o.topology);
    o.log(`streams: created ${report.created.length}, updated ${report.updated.length}, unchanged ${report.unchanged.length}`);
    const runKv = await openKv(nc, names.kv.run);
    const previousRun = (await runKv.get('run.id'))?.string();
    const runId = o.runId ?? (o.resume && previousRun ? previousRun : (o.topology.runId ?? `${o.topology.name}-${stamp()}`));
    await runKv.put('run.id', runId);
    // What `ace up --join` on another host runs from: it need not have the topology file.
    await runKv.put('run.topology', JSON.stringify(o.topology));
    await runKv.delete(DOWN_KEY);
    if (!o.resume) for (const [actor, spec] of Object.entries(o.topology.actors)) await runKv.put(desiredKey(actor), scaleCommand(runId, actor, spec.instances));
    o.log(`run ${runId}${o.resume ? ' (resumed)' : ''}: ${Object.entries(o.topology.actors).map(([a, s]) => `${a}(${s.kind})x${s.instances}`).join(' ')}`);
    const state: UpState = {
      natsUrl,
      prefix: o.topology.prefix,
      topologyPath: resolve(o.topologyPath),
      runId,
      pid: process.pid,
      embedded: server !== null,
      startedAt: Date.now(),
    };
    writeFileSync(join(stateDir, 'up.json'), `${JSON.stringify(state, null, 2)}\n`);
    supervisor = new Supervisor({
      natsUrl,
      topologyPath: resolve(o.topologyPath),
      topology: o.topology,
      runId,
      runKv,
      logDir: join(stateDir, 'logs'),
      log: o.log,
    });
    await supervisor.start();

    let stopping = false;
    const srv = server;
    const failure = Promise.race([
      supervisor.failed.then(describeFailure),
      ...(srv ? [srv.exited.then(({ code, signal }) => `the embedded nats-server (pid ${srv.pid}) exited (${signal ?? `exit ${code}`}):\n${srv.logTail().replace(/^/gm, '  ')}`)] : []),
    ]).then((report) => (stopping ? new Promise<string>(() => {}) : report));
    const [conn, sup] = [nc, supervisor];
    return {
      natsUrl,
      nc: conn,
      names,
      runKv,
      runId,
      supervisor: sup,
      state,
      failure,
      async stop() {
        stopping = true;
        await sup.stopAll();
        // The server may be gone (the failure being reported): none of these may hang the stop.
        await runKv.delete(DOWN_KEY).catch((err: Error) => o.log(`could not clear ${DOWN_KEY}: ${err.message}`));
        rmSync(join(stateDir, 'up.json'), { force: true });
        await Promise.race([conn.drain(), new Promise((r) => setTimeout(r, 5000).unref())]).catch(() => {});
        if (!conn.isClosed()) await conn.close();
        if (srv) await srv.stop();
      },
      kill() {
        sup.killAll();
      },
    };
  } catch (err) {
    await supervisor?.stopAll();
    if (nc && !nc.isClosed()) await nc.close();
    await server?.stop();
    rmSync(join(stateDir, 'up.json'), { force: true });
    throw err;
  }
}

export type Interrupt = 'SIGINT' | 'SIGTERM' | 'EPIPE';

let outBroken = false;
let errBroken = false;

/** Writes to stdout unless it is closed (EPIPE: the reader of `ace ... | head` is gone). */
export function writeOut(text: string): void {
  if (!outBroken) process.stdout.write(text);
}

/** A log line on stderr unless it is closed. */
export function logLine(tag: string): (line: string) => void {
  return (line) => {
    if (!errBroken) process.stderr.write(`[${tag}] ${line}\n`);
  };
}

/**
 * The stop requests a run answers by stopping in order: SIGINT and SIGTERM (to this process:
 * the actors and the server are in sessions of their own, so a terminal's Ctrl-C reaches only
 * us), and stdout or stderr closed under us (EPIPE), after which nothing more is written to
 * it. `first` settles with the first; each later signal calls `again` (set it to a faster stop).
 */
export function watchInterrupts(): { first: Promise<Interrupt>; again: () => void } {
  const w = { first: null as unknown as Promise<Interrupt>, again: () => {} };
  let fired = false;
  w.first = new Promise((resolveFirst) => {
    const on = (why: Interrupt) => {
      if (!fired) {
        fired = true;
        resolveFirst(why);
      } else if (why !== 'EPIPE') w.again();
    };
    process.on('SIGINT', () => on('SIGINT'));
    process.on('SIGTERM', () => on('SIGTERM'));
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      outBroken = true;
      if (err.code === 'EPIPE') on('EPIPE');
    });
    process.stderr.on('error', (err: NodeJS.ErrnoException) => {
      errBroken = true;
      if (err.code === 'EPIPE') on('EPIPE');
    });
  });
  return w;
}
