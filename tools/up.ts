// `ace up TOPOLOGY [--nats URL] [--until-idle] [--resume]`: start a topology. Without --nats
// it starts an embedded nats-server child with its own data dir (<state-dir>/nats). Runs the
// supervisor in this process and prints a progress line until `ace down`, Ctrl-C, or (with
// --until-idle) until every source has finished and every consumer is drained. It holds the
// state dir's lock while it runs, and stops in order however it is stopped (see EXIT).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Topology } from '../contracts/topology.ts';
import { defineCommand, type FlagValues } from './command.ts';
import { DASHBOARD_FLAG, startAlongside } from './dashboard.ts';
import { type Interrupt, launch, logLine, watchInterrupts, writeOut } from './launch.ts';
import { acquireLock, type DirLock } from './lock.ts';
import { joinRun, parseActorCounts } from './join.ts';
import { CliError, checkNatsUrl } from './session.ts';
import { renderSnapshot, snapshot } from './status.ts';
import { loadTopology } from './topology-file.ts';

const UP_FLAGS = {
  nats: { schema: z.string().optional(), help: 'use a running NATS server (or the servers of a cluster, separated by commas) instead of starting one', value: 'URLS' },
  join: { schema: z.string().optional(), help: 'join the running topology at this NATS URL (or cluster URLs): run the --actors on this host', value: 'URLS' },
  actors: { schema: z.string().optional(), help: 'with --join: actors to run here and their counts', value: 'A=N,...' },
  host: { schema: z.string().optional(), help: "with --join: this host's name in the run (default: the machine's hostname)", value: 'NAME' },
  prefix: { schema: z.string().default('ace'), help: "with --join: the topology's subject prefix", value: 'P' },
  'state-dir': { schema: z.string().default('.ace'), help: 'state file up.json and the embedded server\'s data', value: 'DIR' },
  'run-id': { schema: z.string().optional(), help: 'run id (default: a new one)', value: 'ID' },
  'until-idle': { schema: z.boolean().default(false), help: 'stop once every source has finished and every consumer is drained' },
  resume: { schema: z.boolean().default(false), help: 'continue the run recorded in the state dir' },
  'progress-ms': { schema: z.int().min(100).max(3_600_000).default(2000), help: 'time between progress lines, ms', value: 'MS' },
  ...DASHBOARD_FLAG,
} as const;

export const command = defineCommand({
  name: 'up',
  summary: 'start a topology (embedded nats-server by default) and supervise its actors',
  description:
    'Prints a progress line until `ace down`, Ctrl-C, or (with --until-idle) until every source has\nfinished and every consumer is drained. ' +
    'Exit 0 when idle, stopped by `ace down` or SIGTERM; 130 on Ctrl-C (SIGINT); 141 when its output\nis closed (EPIPE); 1 when an actor is in a crash loop; 2 when the state dir is locked by another `ace`.',
  args: [{ name: 'TOPOLOGY', help: 'topology file (JSON; see topologies/); none with --join' }],
  flags: UP_FLAGS,
  examples: [
    'ace up topologies/demo.json --until-idle',
    'ace up my-topology.json --nats nats://127.0.0.1:4222',
    'ace up --join nats://10.0.0.1:4222,nats://10.0.0.2:4222 --actors generator=2,code-verifier=4 --host gpu-2',
  ],
  async run(values, positionals) {
    const interrupts = watchInterrupts();
    if (values.join !== undefined) return joinHere(values, positionals, interrupts);
    const other = (['actors', 'host'] as const).find((k) => values[k] !== undefined);
    if (other) throw new CliError('BAD_ARGS', `--${other} goes with --join`);
    const topologyPath = positionals[0];
    if (topologyPath === undefined) throw new CliError('BAD_ARGS', 'usage: ace up TOPOLOGY, or ace up --join URL --actors A=N[,A=N...]');
    const topology = await loadTopology(topologyPath);
    if (values.nats) await checkNatsUrl(values.nats);
    const log = logLine('up');
    mkdirSync(values['state-dir'], { recursive: true });
    const lock = acquireLock(resolve(values['state-dir']), 'up', values['state-dir']);
    try {
      return await up(values, topology, topologyPath, log, lock, interrupts);
    } finally {
      lock.release();
    }
  },
});

async function joinHere(values: FlagValues<typeof UP_FLAGS>, positionals: string[], interrupts: ReturnType<typeof watchInterrupts>): Promise<number> {
  if (positionals.length) throw new CliError('BAD_ARGS', `--join takes no TOPOLOGY (got '${positionals[0]}'): the run's own topology is read from the servers`);
  const bad = (['nats', 'resume', 'until-idle', 'run-id', 'dashboard'] as const).find((k) => values[k] !== undefined && values[k] !== false);
  if (bad) throw new CliError('BAD_ARGS', `--${bad} does not go with --join`);
  if (values.actors === undefined) throw new CliError('BAD_ARGS', '--join needs --actors A=N[,A=N...]: what to run on this host');
  parseActorCounts(values.actors);
  const join = values.join as string;
  await checkNatsUrl(join);
  mkdirSync(values['state-dir'], { recursive: true });
  const lock = acquireLock(resolve(values['state-dir']), 'up', values['state-dir']);
  try {
    return await joinRun({ nats: join, prefix: values.prefix, actors: values.actors, host: values.host, stateDir: values['state-dir'], progressMs: values['progress-ms'], log: logLine('join'), interrupts });
  } finally {
    lock.release();
  }
}

type Stop = { why: Interrupt | 'ace down' | 'idle' } | { why: 'failure'; report: string };

/** The exit code of each way a run ends: SIGTERM and `ace down` are the orderly stops of a service. */
const EXIT: Record<Stop['why'], number> = { idle: 0, 'ace down': 0, SIGTERM: 0, SIGINT: 130, EPIPE: 141, failure: 1 };

async function up(values: FlagValues<typeof UP_FLAGS>, topology: Topology, topologyPath: string, log: (line: string) => void, lock: DirLock, interrupts: ReturnType<typeof watchInterrupts>): Promise<number> {
  const launched = await launch({
    topology,
    topologyPath,
    stateDir: values['state-dir'],
    lock,
    natsUrl: values.nats,
    runId: values['run-id'],
    resume: values.resume,
    log,
  });
  const { supervisor, nc, names } = launched;
  interrupts.again = () => {
    log('stopping now: actors killed without a drain');
    launched.kill();
  };
  const dashboard = values.dashboard === undefined ? null : await startAlongside({ nc, names, topology, port: values.dashboard, log });
  const stop: Promise<Stop> = Promise.race([
    interrupts.first.then((why) => ({ why })),
    supervisor.down.then(() => ({ why: 'ace down' as const })),
    launched.failure.then((report) => ({ why: 'failure' as const, report })),
  ]);

  const sources = Object.entries(topology.actors).filter(([, s]) => s.kind === 'demo-source').map(([a]) => a);
  const session = { nc, names }; // what snapshot() reads
  const progressMs = values['progress-ms'];
  let idleReads = 0;
  const t0 = Date.now();
  let stopped: Stop | null = null;
  try {
    while (!stopped) {
      const tick = new Promise<'tick'>((r) => setTimeout(() => r('tick'), progressMs));
      const first = await Promise.race([tick, stop]);
      if (first !== 'tick') {
        stopped = first;
        break;
      }
      // A status read that does not return must not hold up progress for long, nor a stop at
      // all (an `ace up` in a loaded test run once stopped printing and ignored SIGTERM, its
      // loop most likely waiting on one).
      const read = await Promise.race([
        snapshot(session).then(
          (snap) => ({ snap }),
          (err: unknown) => ({ err }),
        ),
        stop,
        new Promise<'slow'>((r) => setTimeout(() => r('slow'), 10_000).unref()),
      ]);
      if (read === 'slow') {
        log('status read took over 10 s; skipped');
        continue;
      }
      if ('why' in read) {
        stopped = read;
        break;
      }
      if ('err' in read) {
        stopped = { why: 'failure', report: `status read failed: ${(read.err as Error).message}` };
        break;
      }
      const { snap } = read;
      const running = snap.actors.filter((a) => a.state === 'RUNNING' && !a.stale).length;
      const consumers = snap.streams.flatMap((s) => s.consumers);
      const lag = consumers.map((c) => `${c.name} ${c.pending}+${c.ackPending}`).join(', ');
      const msgs = snap.streams.filter((s) => s.messages > 0).map((s) => `${s.name} ${s.messages}`).join(', ');
      log(`${Math.round((Date.now() - t0) / 1000)}s | running ${running} | ${msgs || 'no messages'} | lag ${lag || '-'}`);
      if (values['until-idle']) {
        const drained = consumers.every((c) => c.pending === 0 && c.ackPending === 0);
        idleReads = sources.length > 0 && supervisor.allDone(sources) && drained ? idleReads + 1 : 0;
        if (idleReads >= 2) {
          stopped = { why: 'idle' };
          writeOut(`${renderSnapshot(snap)}\n`);
        }
      }
    }
  } finally {
    if (stopped?.why === 'failure') log(stopped.report);
    log(`stopping (${stopped?.why ?? 'error'}): draining actors`);
    await dashboard?.close();
    await launched.stop();
    log('stopped');
  }
  return EXIT[stopped.why];
}
