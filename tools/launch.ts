// Starting a topology, shared by `ace up` and `ace train`: an embedded nats-server unless a URL
// is given, the JetStream topology, the run id and desired counts in the run KV bucket, the
// state file other commands read, and the supervisor of the actor processes.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { DOWN_KEY, desiredKey, scaleCommand } from '../actors/control.ts';
import { readInjection } from '../actors/fault.ts';
import { Supervisor } from '../actors/supervisor.ts';
import type { Topology } from '../contracts/topology.ts';
import { connectNats, ensureTopology, openKv } from '../streams/manager.ts';
import { type NatsServer, startNatsServer } from '../streams/server.ts';
import type { TopologyNames } from '../streams/topology.ts';
import type { UpState } from './session.ts';

export interface LaunchOptions {
  topology: Topology;
  topologyPath: string;
  stateDir: string;
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
  /** Drain every actor, then stop the embedded server (if any). */
  stop(): Promise<void>;
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

export async function launch(o: LaunchOptions): Promise<Launched> {
  readInjection(); // a bad ACE_INJECT fails here, not in an actor the supervisor restarts forever
  const stateDir = resolve(o.stateDir);
  mkdirSync(stateDir, { recursive: true });
  let server: NatsServer | null = null;
  let natsUrl = o.natsUrl;
  if (!natsUrl) {
    server = await startNatsServer({ dataDir: join(stateDir, 'nats') });
    natsUrl = server.url;
    o.log(`embedded nats-server pid ${server.pid} at ${natsUrl}, data in ${server.dataDir}`);
  }
  const nc = await connectNats(natsUrl, 'ace-up');
  const { names, report } = await ensureTopology(nc, o.topology);
  o.log(`streams: created ${report.created.length}, updated ${report.updated.length}, unchanged ${report.unchanged.length}`);
  const runKv = await openKv(nc, names.kv.run);
  const previousRun = (await runKv.get('run.id'))?.string();
  const runId = o.runId ?? (o.resume && previousRun ? previousRun : (o.topology.runId ?? `${o.topology.name}-${stamp()}`));
  await runKv.put('run.id', runId);
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
  const supervisor = new Supervisor({
    natsUrl,
    topologyPath: resolve(o.topologyPath),
    topology: o.topology,
    runId,
    runKv,
    logDir: join(stateDir, 'logs'),
    log: o.log,
  });
  await supervisor.start();
  return {
    natsUrl,
    nc,
    names,
    runKv,
    runId,
    supervisor,
    state,
    async stop() {
      await supervisor.stopAll();
      await runKv.delete(DOWN_KEY);
      rmSync(join(stateDir, 'up.json'), { force: true });
      await nc.drain();
      if (server) await server.stop();
    },
  };
}
