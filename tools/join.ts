// `ace up --join URL --actors generator=2,code-verifier=4`: runs instances of a running
// topology's actors on this machine. The topology and run id come from the run KV bucket (the
// `ace up` or `ace train` that started the run stored them), so a host needs no copy of the
// topology file; its instances follow this host's own keys there (`hosts.<host>.desired.<actor>`,
// `hosts.<host>.down`, actors/control.ts), so `ace scale --host H` and `ace down --host H` act
// on it from any machine, and the run's `ace down` stops it too. It records what it runs under
// `hosts.<host>.info`, refreshed while it runs, which `ace status` lists and which keeps a second
// join under the same name out. Its actors' heartbeats carry the host name (ACE_HOST).
// Model and run directories named in the topology must exist at the same paths on this host
// (shared or copied); policy weights reach it through the object store when the learner's
// `weights` is 'object-store'.
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { z } from 'zod';
import { controlKeys, HOST_NAME_RE, hostDesiredKey, hostDownKey, hostInfoKey } from '../actors/control.ts';
import { Supervisor } from '../actors/supervisor.ts';
import { Topology } from '../contracts/topology.ts';
import { formatIssues } from '../contracts/issues.ts';
import { connectNats, natsServers, openKv } from '../streams/manager.ts';
import { topologyNames } from '../streams/topology.ts';
import { describeFailure, type Interrupt, type watchInterrupts } from './launch.ts';
import { CliError } from './session.ts';

/** What a joined host records under `hosts.<host>.info`. */
export const HostInfo = z.object({
  host: z.string(),
  pid: z.number(),
  runId: z.string(),
  actors: z.record(z.string(), z.number()),
  startedAt: z.number(),
  ts: z.number(),
});
export type HostInfo = z.infer<typeof HostInfo>;

/** How often a joined host refreshes its info; older than 3 of these, it is gone. */
export const HOST_INFO_MS = 2000;
export const hostInfoLive = (info: HostInfo, now = Date.now()) => now - info.ts < 3 * HOST_INFO_MS;

/** `generator=2,code-verifier=4` -> { generator: 2, 'code-verifier': 4 }. */
export function parseActorCounts(spec: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of spec.split(',').map((p) => p.trim())) {
    const m = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(part);
    if (!m || Number(m[2]) > 64) throw new CliError('BAD_ARGS', `--actors: expected ACTOR=N[,ACTOR=N...] with N from 0 to 64, got '${part}'`);
    if (m[1] in out) throw new CliError('BAD_ARGS', `--actors: '${m[1]}' is given twice`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** This machine's name as a host name of the run: lower case, other characters as -. */
export function defaultHostName(): string {
  return hostname().toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '').slice(0, 40) || 'host';
}

export interface JoinOptions {
  nats: string;
  prefix: string;
  actors: string;
  host?: string;
  stateDir: string;
  progressMs: number;
  log: (line: string) => void;
  /** How long to wait for the run to be recorded (its bucket and run keys) before failing; default 60 s. */
  waitForRunMs?: number;
  interrupts: ReturnType<typeof watchInterrupts>;
}

type Stop = { why: Interrupt | 'ace down' } | { why: 'failure'; report: string };
const EXIT: Record<Stop['why'], number> = { 'ace down': 0, SIGTERM: 0, SIGINT: 130, EPIPE: 141, failure: 1 };

export async function joinRun(o: JoinOptions): Promise<number> {
  const counts = parseActorCounts(o.actors);
  const host = o.host ?? defaultHostName();
  if (!HOST_NAME_RE.test(host)) throw new CliError('BAD_ARGS', `--host '${host}': host names are lower-case letters, digits and - (at most 40)`);
  natsServers(o.nats);
  const nc = await connectNats(o.nats, `ace-join-${host}`);
  let supervisor: Supervisor | null = null;
  let refresher: NodeJS.Timeout | null = null;
  const names = topologyNames(o.prefix, { maxMsgs: 1, maxAgeS: 1, duplicateWindowS: 1, storage: 'file', replicas: 1 });
  // A join started beside the main host's `ace up` / `ace train` waits for it to record the run.
  const deadline = Date.now() + (o.waitForRunMs ?? 60_000);
  let waited = false;
  const untilRecorded = async <T>(probe: () => Promise<T | null>, fail: () => CliError): Promise<T> => {
    for (;;) {
      const v = await probe();
      if (v !== null) return v;
      if (Date.now() > deadline) throw fail();
      if (!waited) o.log(`waiting for the run with prefix '${o.prefix}' at ${o.nats} to be recorded (at most ${Math.round((deadline - Date.now()) / 1000)} s)`);
      waited = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const runKv = await (async () => {
    const jsm = await jetstreamManager(nc);
    await untilRecorded(
      () => jsm.streams.info(`KV_${names.kv.run}`).catch(() => null),
      () => new CliError('NO_TOPOLOGY', `no topology with prefix '${o.prefix}' at ${o.nats} (no run bucket ${names.kv.run})\nHINT: start it with \`ace up TOPOLOGY --nats ${o.nats}\` on its main host first, or pass its --prefix`),
    );
    return openKv(nc, names.kv.run);
  })().catch(async (err) => {
    await nc.close();
    throw err;
  });
  try {
    const recorded = async () => {
      const id = (await runKv.get('run.id'))?.string();
      const t = (await runKv.get('run.topology'))?.string();
      return id && t ? { id, t } : null;
    };
    const { id: runId, t: stored } = await untilRecorded(recorded, () => new CliError('NO_TOPOLOGY', `the topology with prefix '${o.prefix}' at ${o.nats} has no run recorded (run.id, run.topology)\nHINT: it was started by an older ace, or is stopping; start it again with \`ace up\``));
    const parsed = Topology.safeParse(JSON.parse(stored));
    if (!parsed.success) throw new CliError('BAD_TOPOLOGY', `the run's recorded topology does not parse here: ${formatIssues(parsed.error.issues).join('; ')}\nHINT: run the same ace version on every host`);
    const topology = parsed.data;
    const unknown = Object.keys(counts).filter((a) => !(a in topology.actors));
    if (unknown.length) throw new CliError('UNKNOWN_ACTOR', `--actors: no actor ${unknown.map((a) => `'${a}'`).join(', ')} in the running topology (has: ${Object.keys(topology.actors).join(', ')})`);
    const prior = (await runKv.get(hostInfoKey(host)))?.string();
    const priorInfo = prior ? HostInfo.safeParse(JSON.parse(prior)) : null;
    if (priorInfo?.success && hostInfoLive(priorInfo.data)) {
      throw new CliError('HOST_IN_USE', `host name '${host}' is in use in run ${runId} (pid ${priorInfo.data.pid}, seen ${Math.round((Date.now() - priorInfo.data.ts) / 1000)} s ago)\nHINT: give this host another name with --host`);
    }
    await runKv.delete(hostDownKey(host));

    const stateDir = resolve(o.stateDir);
    mkdirSync(stateDir, { recursive: true });
    // The actor processes read the topology from a file: the run's, as recorded.
    const topologyPath = join(stateDir, 'topology.json');
    writeFileSync(topologyPath, `${JSON.stringify(topology, null, 2)}\n`);
    const startedAt = Date.now();
    const writeInfo = () => runKv.put(hostInfoKey(host), JSON.stringify({ host, pid: process.pid, runId, actors: counts, startedAt, ts: Date.now() } satisfies HostInfo));
    await writeInfo();
    refresher = setInterval(() => writeInfo().catch((err: Error) => o.log(`could not refresh ${hostInfoKey(host)}: ${err.message}`)), HOST_INFO_MS);
    o.log(`joined run ${runId} at ${o.nats} as host '${host}': ${Object.entries(counts).map(([a, n]) => `${a}x${n}`).join(' ')}`);
    supervisor = new Supervisor({
      natsUrl: o.nats,
      topologyPath,
      topology,
      runId,
      runKv,
      logDir: join(stateDir, 'logs'),
      log: o.log,
      keys: controlKeys(host),
      actors: counts,
      env: { ACE_HOST: host },
    });
    await supervisor.start();
    const sup = supervisor;
    o.interrupts.again = () => {
      o.log('stopping now: actors killed without a drain');
      sup.killAll();
    };
    const stop: Promise<Stop> = Promise.race([
      o.interrupts.first.then((why) => ({ why })),
      sup.down.then(() => ({ why: 'ace down' as const })),
      sup.failed.then((f) => ({ why: 'failure' as const, report: describeFailure(f) })),
      nc.closed().then((err) => ({ why: 'failure' as const, report: `lost the NATS connection: ${err?.message ?? 'closed'}` })),
    ]);
    let stopped: Stop | null = null;
    const t0 = Date.now();
    while (!stopped) {
      let tick: NodeJS.Timeout | undefined;
      const first = await Promise.race([new Promise<'tick'>((r) => (tick = setTimeout(() => r('tick'), o.progressMs))), stop]);
      clearTimeout(tick); // a pending tick would keep the process alive after the stop
      if (first !== 'tick') {
        stopped = first;
        break;
      }
      const view = sup.view();
      const byActor = Object.keys(counts).map((a) => `${a} ${view.filter((i) => i.actor === a && i.state === 'running').length}/${view.filter((i) => i.actor === a).length}`);
      o.log(`${Math.round((Date.now() - t0) / 1000)}s | host ${host} | ${byActor.join(', ')}`);
    }
    if (stopped.why === 'failure') o.log(stopped.report);
    o.log(`stopping (${stopped.why}): draining actors`);
    return EXIT[stopped.why];
  } finally {
    if (refresher) clearInterval(refresher);
    await supervisor?.stopAll();
    if (!nc.isClosed()) {
      // Gone from the run: status no longer lists this host, and its name is free again.
      for (const key of [hostInfoKey(host), hostDownKey(host), ...Object.keys(counts).map((a) => hostDesiredKey(host, a))]) await runKv.delete(key).catch(() => {});
      await Promise.race([nc.drain(), new Promise((r) => setTimeout(r, 5000).unref())]).catch(() => {});
      if (!nc.isClosed()) await nc.close();
    }
    o.log('stopped');
  }
}
