// The actor shell: lifecycle state machine (INITIALIZED -> RUNNING -> DRAINING -> STOPPED |
// FAILED), graceful drain on SIGTERM (stop pulling, finish and ack what is in flight),
// heartbeats with metrics into the actors KV bucket, and exit codes the supervisor reads.
// Not the place for domain logic: each actor's core lives in its own folder.
import { hostname } from 'node:os';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import { formatIssues } from '../contracts/issues.ts';
import type { Heartbeat, LifecycleState } from '../contracts/metrics.ts';
import type { Topology } from '../contracts/topology.ts';
import { connectNats, isTransientNatsError, openKv } from '../streams/manager.ts';
import { Sink } from '../streams/sink.ts';
import { type TopologyNames, subject, topologyNames } from '../streams/topology.ts';

const TRANSITIONS: Record<LifecycleState, readonly LifecycleState[]> = {
  INITIALIZED: ['RUNNING', 'FAILED', 'STOPPED'],
  RUNNING: ['DRAINING', 'STOPPED', 'FAILED'],
  DRAINING: ['STOPPED', 'FAILED'],
  STOPPED: [],
  FAILED: [],
};

export class LifecycleError extends Error {
  readonly code = 'BAD_TRANSITION';
}

export class ConfigError extends Error {
  readonly code = 'BAD_CONFIG';
}

export class Lifecycle {
  state: LifecycleState = 'INITIALIZED';
  private listeners: ((s: LifecycleState) => void)[] = [];

  to(next: LifecycleState): void {
    if (!TRANSITIONS[this.state].includes(next)) throw new LifecycleError(`cannot go from ${this.state} to ${next}`);
    this.state = next;
    for (const l of this.listeners) l(next);
  }

  onChange(l: (s: LifecycleState) => void): void {
    this.listeners.push(l);
  }
}

/** Counters and gauges reported with each heartbeat, named as paths (`stage/processed`). */
export class Metrics {
  readonly values: Record<string, number> = {};
  inc(name: string, by = 1): void {
    this.values[name] = (this.values[name] ?? 0) + by;
  }
  set(name: string, value: number): void {
    this.values[name] = value;
  }
}

export interface ActorContext {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: TopologyNames;
  topology: Topology;
  runId: string;
  actor: string;
  instance: string;
  sink: Sink;
  metrics: Metrics;
  /** Aborted when the actor must drain: stop taking input, finish what is in flight. */
  drain: AbortSignal;
  log(message: string): void;
  /** Dead-letter subject for this actor's input. */
  deadLetterSubject: string;
}

export interface ActorDefinition<C extends z.ZodType> {
  kind: string;
  config: C;
  /** Runs until drained or done; resolves once everything in flight is settled. */
  run(ctx: ActorContext, config: z.infer<C>): Promise<void>;
}

export interface RunActorOptions {
  natsUrl: string;
  topology: Topology;
  runId: string;
  actor: string;
  instance: string;
  heartbeatMs?: number;
}

/** Validate an actor's config once at start; errors name the field. */
export function parseActorConfig<C extends z.ZodType>(def: ActorDefinition<C>, raw: unknown, where: string): z.infer<C> {
  const parsed = def.config.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid config for ${def.kind} (${where}):\n  ${formatIssues(parsed.error.issues).join('\n  ')}\nHINT: fix the actor's config in the topology file`,
    );
  }
  return parsed.data;
}

/**
 * The exit code of an actor that failed on a broker error that passes (a cluster electing a
 * leader, a server failing over): the supervisor restarts it without counting it toward a
 * crash loop. EX_TEMPFAIL of sysexits.h.
 */
export const EXIT_TRANSIENT = 75;

/** Runs one actor instance in this process; returns the exit code (0 stopped, 1 failed, EXIT_TRANSIENT). */
export async function runActor<C extends z.ZodType>(def: ActorDefinition<C>, opts: RunActorOptions): Promise<number> {
  const spec = opts.topology.actors[opts.actor];
  const config = parseActorConfig(def, spec.config, `actors.${opts.actor}.config`);
  const lifecycle = new Lifecycle();
  const metrics = new Metrics();
  const startedAt = Date.now();
  const log = (m: string) => process.stderr.write(`[${opts.actor}/${opts.instance} ${lifecycle.state}] ${m}\n`);
  log(`config ${JSON.stringify(config)}`);

  const nc = await connectNats(opts.natsUrl, `${opts.actor}/${opts.instance}`);
  const js = jetstream(nc);
  const names = topologyNames(opts.topology.prefix, opts.topology.streams);
  let jsm: JetStreamManager;
  let actorsKv: KV;
  try {
    jsm = await jetstreamManager(nc);
    actorsKv = await openKv(nc, names.kv.actors);
  } catch (err) {
    // An open connection keeps the process alive: a setup that failed (a cluster electing its
    // meta leader) must not leave an actor process that neither runs nor exits.
    await nc.close().catch(() => {});
    throw err;
  }
  const sink = new Sink(js);
  const controller = new AbortController();
  let beatSeq = 0;

  const beat = async () => {
    metrics.set('process/rss_mb', Math.round(process.memoryUsage().rss / 1048576));
    const cpu = process.cpuUsage();
    metrics.set('process/cpu_s', (cpu.user + cpu.system) / 1e6); // all threads, since start
    const hb: Heartbeat = {
      kind: 'heartbeat',
      id: `${opts.actor}.${opts.instance}.${beatSeq++}`,
      runId: opts.runId,
      step: metrics.values['learner/step'] ?? 0,
      policyVersion: metrics.values['policy/version'] ?? 0,
      ts: Date.now(),
      actor: opts.actor,
      instance: opts.instance,
      role: spec.kind,
      pid: process.pid,
      host: process.env.ACE_HOST || hostname(),
      state: lifecycle.state,
      startedAt,
      metrics: { ...metrics.values },
    };
    await actorsKv.put(`${opts.actor}.${opts.instance}`, JSON.stringify(hb));
  };
  lifecycle.onChange((s) => {
    log(`-> ${s}`);
    beat().catch(() => {});
  });
  const timer = setInterval(() => beat().catch(() => {}), opts.heartbeatMs ?? 1000);

  const onSignal = () => {
    if (lifecycle.state === 'RUNNING') {
      lifecycle.to('DRAINING');
      controller.abort();
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A supervised actor whose supervisor died (re-parented) drains instead of running orphaned:
  // the backstop where setpriv is missing (or the supervisor died before setpriv armed it).
  // ACE_SUPERVISED holds the supervisor's pid.
  const parent = Number(process.env.ACE_SUPERVISED);
  const orphanCheck = process.env.ACE_SUPERVISED
    ? setInterval(() => {
        if (process.ppid !== parent) {
          log(`supervisor (pid ${parent}) is gone: draining`);
          onSignal();
          // Nobody will restart or stop this process: do not outlive a broken drain.
          setTimeout(() => process.exit(1), 10_000).unref();
        }
      }, 500)
    : null;

  let code = 0;
  try {
    lifecycle.to('RUNNING');
    await def.run(
      {
        nc,
        js,
        jsm,
        names,
        topology: opts.topology,
        runId: opts.runId,
        actor: opts.actor,
        instance: opts.instance,
        sink,
        metrics,
        drain: controller.signal,
        log,
        deadLetterSubject: subject(names.prefix, 'dlq', opts.actor),
      },
      config,
    );
    lifecycle.to('STOPPED');
  } catch (err) {
    log(`failed: ${(err as Error).stack ?? err}`);
    lifecycle.to('FAILED');
    code = isTransientNatsError(err) ? EXIT_TRANSIENT : 1;
  }
  clearInterval(timer);
  if (orphanCheck) clearInterval(orphanCheck);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  await beat().catch(() => {});
  sink.close();
  // Bounded: a drain waits on the server, which may be the one a cluster lost.
  const drained = nc.drain().catch(() => {});
  const late = await Promise.race([drained.then(() => false), new Promise<boolean>((r) => setTimeout(r, 5000, true).unref())]);
  if (late) await nc.close().catch(() => {});
  return code;
}
