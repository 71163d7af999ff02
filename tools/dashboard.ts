// `ace dashboard [--run-dir D | --state-dir D | --nats URL --prefix P] [--port N]`: the web
// dashboard of a running topology, or of a finished run read from its store (--run-dir, a
// private nats-server on <run-dir>/nats, read-only). `ace up` and `ace train` start the same
// server alongside with --dashboard PORT (dashboardFlag, startAlongside).
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { Topology } from '../contracts/topology.ts';
import type { TopologyNames } from '../streams/topology.ts';
import { defineCommand, type FlagSpec } from './command.ts';
import { type Dashboard, startDashboard } from './dashboard/server.ts';
import { logLine, watchInterrupts } from './launch.ts';
import { openStoreSession, runTopology, SESSION_FLAGS, withSession } from './session.ts';

const DEFAULT_PORT = 8470;

const SERVE_FLAGS = {
  host: { schema: z.string().default('127.0.0.1'), help: 'address to listen on (the page has no login: keep it on loopback, or behind your own proxy)', value: 'ADDR' },
  'poll-ms': { schema: z.int().min(100).max(60_000).default(1000), help: 'how often stream and consumer state is read, ms', value: 'MS' },
  'stuck-after-s': { schema: z.number().gt(0).default(120), help: 'work that waits longer than this is listed as stuck, s', value: 'S' },
} as const satisfies Record<string, FlagSpec>;

/** `--dashboard PORT` of `ace up` and `ace train`. */
export const DASHBOARD_FLAG = {
  dashboard: { schema: z.int().min(0).max(65_535).optional(), help: `serve the web dashboard on this port while the run goes on (0: any free port; \`ace dashboard\` uses ${DEFAULT_PORT})`, value: 'PORT' },
} as const satisfies Record<string, FlagSpec>;

/**
 * The dashboard of a run this process launched (the loop's actors are other processes). One
 * that cannot start (a port in use) is reported and the run goes on without it: a monitor is
 * not worth a run.
 */
export async function startAlongside(o: { nc: NatsConnection; names: TopologyNames; topology: Topology; port: number; log: (line: string) => void }): Promise<Dashboard | null> {
  try {
    const d = await startDashboard({ ...o, mode: 'live', readOnly: null, host: '127.0.0.1', pollMs: 1000, stuckAfterMs: 120_000 });
    o.log(`dashboard at ${d.url}`);
    return d;
  } catch (err) {
    o.log(`dashboard not started: ${(err as Error).message}; the run goes on (\`ace dashboard --state-dir ...\` starts one beside it)`);
    return null;
  }
}

export const command = defineCommand({
  name: 'dashboard',
  summary: 'web dashboard: live charts, streams, actors (with a scale control), stuck work, a rollout inspector, /metrics',
  description:
    'Serves one page on http://HOST:PORT/ and Prometheus text on /metrics until Ctrl-C. It reads the run as one more\n' +
    'consumer (ordered consumers, KV watches): it takes no work and acks nothing. With --run-dir on a finished run\n' +
    "a private nats-server serves the run's store while the dashboard runs; the page is then read-only.",
  flags: {
    ...SESSION_FLAGS,
    'run-dir': { schema: z.string().optional(), help: 'a run directory (of `ace train`): its running topology, else its stored streams', value: 'DIR' },
    port: { schema: z.int().min(0).max(65_535).default(DEFAULT_PORT), help: 'port to listen on (0: any free one)', value: 'N' },
    ...SERVE_FLAGS,
  },
  examples: ['ace dashboard', 'ace dashboard --run-dir runs/default', 'ace dashboard --state-dir .ace --port 9000'],
  async run(values) {
    const interrupts = watchInterrupts();
    const log = logLine('dashboard');
    const stateDir = values['run-dir'] ?? values['state-dir'];
    const session = await openStoreSession({ ...values, 'state-dir': stateDir }, 'ace-dashboard', log);
    return withSession(session, async (s) => {
      const finished = s.where !== s.url;
      const d = await startDashboard({
        nc: s.nc,
        names: s.names,
        topology: runTopology(s, stateDir),
        mode: finished ? 'finished' : 'live',
        readOnly: finished ? `a finished run read from ${s.where}` : null,
        host: values.host,
        port: values.port,
        pollMs: values['poll-ms'],
        stuckAfterMs: values['stuck-after-s'] * 1000,
      });
      const live = d.collector.liveState();
      log(`dashboard at ${d.url} (run ${live.runId ?? '?'}, ${finished ? 'finished, read-only' : 'live'}; ${live.committedSteps} steps, ${live.counts.rollouts} rollouts read); Ctrl-C to stop`);
      const why = await Promise.race([interrupts.first, s.nc.closed().then(() => 'server gone' as const)]);
      await d.close();
      if (why === 'server gone') log('the NATS server went away; stopped');
      return why === 'SIGINT' ? 130 : 0;
    });
  },
});
