// `ace status [--json]`: streams, consumers and actors of a running topology on one screen.
// The snapshot and its rendering are shared with `ace monitor` and `ace up`'s progress line.
import { jetstreamManager } from '@nats-io/jetstream';
import { hostDesiredKey, scaleOf } from '../actors/control.ts';
import { Heartbeat, STALE_MS } from '../contracts/metrics.ts';
import type { StepRecord } from '../contracts/step.ts';
import { listKeys, openKv, readTopologyState, type StreamState } from '../streams/manager.ts';
import type { TopologyNames } from '../streams/topology.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { HostInfo, hostInfoLive } from './join.ts';
import type { StuckItem } from './dashboard/api.ts';
import { RunCollector } from './dashboard/collector.ts';
import { renderStuck } from './dashboard/stuck.ts';
import { CliError, JSON_FLAG, openSession, pidAlive, runTopology, SESSION_FLAGS, type Session, withSession } from './session.ts';


export interface Snapshot {
  ts: number;
  streams: StreamState[];
  actors: (Heartbeat & { ageMs: number; stale: boolean })[];
  /** Instance counts asked for: `<actor>` on the run's own host, `<actor>@<host>` on a joined one. */
  desired: Record<string, number>;
  /** Hosts that joined the run (`ace up --join`) and still refresh their record. */
  hosts: HostInfo[];
  latestStep: StepRecord | null;
}

export async function snapshot(session: Pick<Session, 'nc' | 'names'>): Promise<Snapshot> {
  const { nc, names } = session;
  const jsm = await jetstreamManager(nc);
  const streams = await readTopologyState(jsm, names);
  const now = Date.now();
  const actors: Snapshot['actors'] = [];
  const actorsKv = await openKv(nc, names.kv.actors);
  for (const key of await listKeys(nc, names.kv.actors)) {
    const e = await actorsKv.get(key);
    if (!e?.value.length) continue;
    const hb = Heartbeat.safeParse(e.json());
    if (hb.success) actors.push({ ...hb.data, ageMs: now - hb.data.ts, stale: now - hb.data.ts > STALE_MS && hb.data.state !== 'STOPPED' });
  }
  actors.sort((a, b) => a.actor.localeCompare(b.actor) || a.instance.localeCompare(b.instance, undefined, { numeric: true }));
  const desired: Record<string, number> = {};
  const runKv = await openKv(nc, names.kv.run);
  for (const key of await listKeys(nc, names.kv.run, 'desired.>')) {
    const e = await runKv.get(key);
    const n = e?.value.length ? scaleOf(e.string()) : null;
    if (n !== null) desired[key.slice('desired.'.length)] = n;
  }
  const hosts: HostInfo[] = [];
  for (const key of await listKeys(nc, names.kv.run, 'hosts.*.info')) {
    const e = await runKv.get(key);
    const info = e?.value.length ? HostInfo.safeParse(e.json()) : null;
    if (!info?.success || !hostInfoLive(info.data, now)) continue;
    hosts.push(info.data);
    for (const actor of Object.keys(info.data.actors)) {
      const n = scaleOf((await runKv.get(hostDesiredKey(info.data.host, actor)))?.string() ?? '');
      if (n !== null) desired[`${actor}@${info.data.host}`] = n;
    }
  }
  hosts.sort((a, b) => a.host.localeCompare(b.host));
  return { ts: now, streams, actors, desired, hosts, latestStep: await latestStep(session, names) };
}

/**
 * Throws unless an `ace up` supervises the topology: an actor instance alive, or the live
 * process of up.json. Its streams outlive it, so a stopped topology still answers reads.
 */
export function assertRunning(session: Session, snap: Snapshot): void {
  if (snap.actors.some((a) => a.state !== 'STOPPED' && !a.stale) || (session.state && pidAlive(session.state.pid))) return;
  throw new CliError(
    'NO_TOPOLOGY',
    `no running topology with prefix '${session.names.prefix}' at ${session.url}: it is stopped (no actor instance is alive)\nHINT: start it again with \`ace up TOPOLOGY --nats ${session.url} --resume\``,
  );
}

async function latestStep(session: Pick<Session, 'nc'>, names: TopologyNames): Promise<StepRecord | null> {
  const jsm = await jetstreamManager(session.nc);
  const info = await jsm.streams.info(names.streams.steps.name).catch(() => null);
  if (!info || info.state.messages === 0) return null;
  const m = await jsm.streams.getMessage(names.streams.steps.name, { seq: info.state.last_seq }).catch(() => null);
  return m ? (m.json() as StepRecord) : null;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const lpad = (s: string | number, n: number) => String(s).padStart(n);

/** Plain-text rendering; `rates` (msgs/s per stream) comes from two snapshots in monitor. */
export function renderSnapshot(s: Snapshot, rates?: Record<string, number>): string {
  const out: string[] = [];
  out.push(`${pad('STREAM', 16)}${lpad('MSGS', 10)}${lpad('BYTES', 12)}${lpad('LAST SEQ', 10)}${rates ? lpad('MSG/S', 10) : ''}`);
  for (const st of s.streams) {
    out.push(`${pad(st.name, 16)}${lpad(st.messages, 10)}${lpad(st.bytes, 12)}${lpad(st.lastSeq, 10)}${rates ? lpad((rates[st.name] ?? 0).toFixed(1), 10) : ''}`);
  }
  const consumers = s.streams.flatMap((st) => st.consumers);
  out.push('');
  out.push(`${pad('CONSUMER', 24)}${pad('STREAM', 16)}${lpad('PENDING', 9)}${lpad('ACK-PEND', 10)}${lpad('REDELIV', 9)}${lpad('ACKED-TO', 10)}`);
  for (const c of consumers) {
    out.push(`${pad(c.name, 24)}${pad(c.stream, 16)}${lpad(c.pending, 9)}${lpad(c.ackPending, 10)}${lpad(c.redelivered, 9)}${lpad(c.ackFloor, 10)}`);
  }
  if (consumers.length === 0) out.push('(no consumers)');
  out.push('');
  // The HOST column only once the run spans hosts: on one machine it would say the same on every row.
  const manyHosts = s.hosts.length > 0 || new Set(s.actors.map((a) => a.host)).size > 1;
  const hostCol = (h: string) => (manyHosts ? pad(h, 14) : '');
  out.push(`${pad('ACTOR', 18)}${pad('INSTANCE', 22)}${hostCol('HOST')}${pad('STATE', 10)}${lpad('PID', 8)}${lpad('AGE', 7)}  METRICS`);
  for (const a of s.actors) {
    const metrics = Object.entries(a.metrics)
      .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`)
      .join(' ');
    const state = a.stale ? `${a.state}?` : a.state;
    out.push(`${pad(a.actor, 18)}${pad(a.instance, 22)}${hostCol(a.host ?? '-')}${pad(state, 10)}${lpad(a.pid, 8)}${lpad(`${Math.round(a.ageMs / 1000)}s`, 7)}  ${metrics}`);
  }
  if (s.actors.length === 0) out.push('(no actors have reported)');
  const desired = Object.entries(s.desired).map(([k, v]) => `${k}=${v}`);
  if (desired.length) out.push(`desired instances: ${desired.join(' ')}`);
  for (const h of s.hosts) {
    const running = s.actors.filter((a) => a.host === h.host && a.state !== 'STOPPED' && !a.stale).length;
    out.push(`joined host ${h.host} (pid ${h.pid}): ${running} instances running`);
  }
  if (s.latestStep) {
    const m = Object.entries(s.latestStep.metrics)
      .map(([k, v]) => `${k}=${v.toFixed(4)}`)
      .join(' ');
    out.push('', `latest step ${s.latestStep.step} (policy v${s.latestStep.policyVersion}): ${m}`);
  }
  return out.join('\n');
}

/**
 * Work of the step in progress that has waited past `stuckAfterMs`: the dashboard's reading of
 * the streams from the last committed step's start on (strictly on-policy, nothing older is
 * open; with a policy lag, rollouts sampled before that start for later steps are not seen).
 */
export async function stuckNow(session: Session, stateDir: string, snap: Snapshot, stuckAfterMs: number): Promise<StuckItem[]> {
  const collector = new RunCollector({ nc: session.nc, names: session.names, topology: runTopology(session, stateDir), mode: 'live', readOnly: null, pollMs: 0, stuckAfterMs, workSince: snap.latestStep?.startedAt });
  try {
    await collector.start();
    return collector.liveState().stuck;
  } finally {
    await collector.close();
  }
}

export const command = defineCommand({
  name: 'status',
  summary: 'streams, consumers and actors of a running topology on one screen, and work that is stuck',
  flags: {
    ...SESSION_FLAGS,
    'stuck-after-s': { schema: z.number().gt(0).default(120), help: 'list tasks, rollouts, groups and the step in progress that have waited longer than this, s', value: 'S' },
    ...JSON_FLAG,
  },
  examples: ['ace status', 'ace status --state-dir runs/default --json', 'ace status --stuck-after-s 30'],
  async run(flags) {
    return withSession(await openSession(flags, 'ace-status'), async (session) => {
      const snap = await snapshot(session);
      const stuckAfterMs = flags['stuck-after-s'] * 1000;
      const stuck = await stuckNow(session, flags['state-dir'], snap, stuckAfterMs);
      process.stdout.write(flags.json ? `${JSON.stringify({ ...snap, stuck, stuckAfterMs })}\n` : `${renderSnapshot(snap)}\n\n${renderStuck(stuck, stuckAfterMs)}\n`);
      return 0;
    });
  },
});
