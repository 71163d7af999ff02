// How CLI commands find a running topology: `--nats URL --prefix P`, or the state file that
// `ace up` writes (`<state-dir>/up.json`, default ./.ace), and the flags that select it. NATS
// failures a user meets (a dead URL, a topology that stopped, a missing stream) become a
// CliError: one line and a HINT, never a stack. For a finished run, `openStoreSession` starts a
// private nats-server on the directory's own store. Not the actors' connection (streams/manager.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { StreamLimits, type Topology } from '../contracts/topology.ts';
import { CodedError } from '../ops/errors.ts';
import { accessOptions } from '../streams/auth.ts';
import { natsServers } from '../streams/manager.ts';
import { type NatsServer, startNatsServer } from '../streams/server.ts';
import { type TopologyNames, topologyNames } from '../streams/topology.ts';
import type { FlagSpec } from './command.ts';
import { acquireLock } from './lock.ts';
import { loadTopologyShape } from './topology-file.ts';

export interface UpState {
  natsUrl: string;
  prefix: string;
  topologyPath: string;
  runId: string;
  pid: number;
  embedded: boolean;
  startedAt: number;
}

export class CliError extends CodedError<string> {}

/** The flags every command that talks to a running topology takes. */
export const SESSION_FLAGS = {
  nats: { schema: z.string().optional(), help: 'NATS URL of a running topology, or the URLs of a cluster separated by commas (default: the one in <state-dir>/up.json)', value: 'URLS' },
  prefix: { schema: z.string().optional(), help: "the topology's subject prefix (default: from up.json, else 'ace')", value: 'P' },
  'state-dir': { schema: z.string().default('.ace'), help: 'where `ace up` keeps its state file up.json', value: 'DIR' },
} as const satisfies Record<string, FlagSpec>;

export const JSON_FLAG = { json: { schema: z.boolean().default(false), help: 'print one JSON object instead of text' } } as const satisfies Record<string, FlagSpec>;

export function readUpState(stateDir: string): UpState | null {
  const p = join(stateDir, 'up.json');
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as UpState;
  } catch (err) {
    throw new CliError('BAD_STATE', `cannot read ${p}: ${(err as Error).message}\nHINT: a state file left by an \`ace up\` that was killed while writing it; remove it if no \`ace up\` uses ${stateDir}`);
  }
}

/** Whether a process with this id exists (on this machine: up.json is written by a local `ace up`). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Session {
  nc: NatsConnection;
  names: TopologyNames;
  state: UpState | null;
  url: string;
  /** The server in words for messages: its URL, or the store a private one serves. */
  where: string;
  /** Set when the connection closed on its own (the server went away). */
  lost: boolean;
  close(): Promise<void>;
}

/**
 * A CLI connection. It gives up after a few seconds of failed reconnects (an actor's
 * connection retries forever instead), so a command whose topology stops ends, not hangs.
 */
async function connectCli(url: string, name: string): Promise<NatsConnection> {
  return connect({ servers: cliServers(url), name, timeout: 5000, maxReconnectAttempts: 8, reconnectTimeWait: 250, noAsyncTraces: true, ...accessOptions() });
}

/** natsServers, with a bad list as a CLI error (exit 2, one line). */
function cliServers(url: string): string[] {
  try {
    return natsServers(url);
  } catch (err) {
    throw new CliError('BAD_ARGS', (err as Error).message);
  }
}

const unreachable = (url: string, err: unknown, hint: string) => new CliError('NATS_UNREACHABLE', `cannot connect to the NATS server at ${url}: ${(err as Error).message}\nHINT: ${hint}`);
const URL_HINT = 'give a URL such as nats://127.0.0.1:4222 of a running nats-server';

/**
 * Checks that `url` (from --nats) answers and has JetStream, before a command starts anything
 * against it; the connection is closed again.
 */
export async function checkNatsUrl(url: string): Promise<void> {
  cliServers(url);
  const nc = await connectCli(url, 'ace-check').catch((err) => {
    throw unreachable(url, err, `${URL_HINT} (started with -js), or leave out --nats to start an embedded one`);
  });
  try {
    await jetstreamManager(nc);
  } catch (err) {
    throw new CliError('NO_JETSTREAM', `the NATS server at ${url} has no JetStream: ${(err as Error).message}\nHINT: start it with \`nats-server -js\`, or leave out --nats to start an embedded one`);
  } finally {
    await nc.close();
  }
}

function session(nc: NatsConnection, url: string, prefix: string, state: UpState | null, server: NatsServer | null, onClose?: () => void): Session {
  let closing = false;
  const s: Session = {
    nc,
    url,
    where: server ? `the store ${server.dataDir}` : url,
    names: topologyNames(prefix, StreamLimits.parse({})),
    state,
    lost: false,
    async close() {
      closing = true;
      if (!nc.isClosed()) await nc.close();
      if (server) await server.stop();
      onClose?.();
    },
  };
  nc.closed().then(() => {
    if (!closing) s.lost = true;
  });
  return s;
}

export async function openSession(values: { nats?: string; prefix?: string; 'state-dir'?: string }, name: string): Promise<Session> {
  const stateDir = values['state-dir'] ?? '.ace';
  const state = readUpState(stateDir);
  const url = values.nats ?? state?.natsUrl;
  if (!url) {
    const stored = existsSync(join(stateDir, 'nats')) ? `; \`ace replay\` and \`ace reverify --state-dir ${stateDir}\` read its stopped run` : '';
    throw new CliError('NO_TOPOLOGY', `no running topology found in ${stateDir}/up.json\nHINT: start one with \`ace up TOPOLOGY\`, or pass --nats URL --prefix P${stored}`);
  }
  const prefix = values.prefix ?? state?.prefix ?? 'ace';
  cliServers(url);
  const nc = await connectCli(url, name).catch((err) => {
    if (values.nats) throw unreachable(url, err, state ? `${URL_HINT}, or leave out --nats to use the topology in ${stateDir}/up.json` : URL_HINT);
    const gone = pidAlive(state!.pid) ? `its \`ace up\` (pid ${state!.pid}) is still running` : `its \`ace up\` (pid ${state!.pid}) is gone`;
    throw new CliError(
      'NO_TOPOLOGY',
      `no running topology in ${stateDir}: the server at ${url} in its up.json does not answer (${(err as Error).message}), and ${gone}\nHINT: start it again with \`ace up TOPOLOGY --state-dir ${stateDir} --resume\`${pidAlive(state!.pid) ? ', or stop that process' : ''}`,
    );
  });
  return session(nc, url, prefix, state, null);
}

/**
 * `openSession`, except that a directory whose topology is not running but which holds its
 * store (`<dir>/nats`, from `ace up` or `ace train`) is served by a private nats-server on that
 * store, started here and stopped by close(). Never while up.json names a live `ace up`, nor
 * while another process holds the directory's lock: two servers on one store would corrupt it.
 */
export async function openStoreSession(values: { nats?: string; prefix?: string; 'state-dir'?: string }, name: string, log: (line: string) => void): Promise<Session> {
  const stateDir = values['state-dir'] ?? '.ace';
  const state = readUpState(stateDir);
  const storeDir = resolve(stateDir, 'nats');
  if (values.nats || (state && pidAlive(state.pid)) || !existsSync(storeDir)) return openSession(values, name);
  if (state) {
    // `ace up` is gone; its server may still answer (an external one, or one it left behind).
    const nc = await connectCli(state.natsUrl, name).catch(() => null);
    if (nc) return session(nc, state.natsUrl, values.prefix ?? state.prefix, state, null);
  }
  const recorded = join(stateDir, 'topology.json');
  const prefix = values.prefix ?? state?.prefix ?? (existsSync(recorded) ? loadTopologyShape(recorded).prefix : 'ace');
  const lock = acquireLock(resolve(stateDir), name.replace(/^ace-/, ''), stateDir);
  let server: NatsServer;
  try {
    server = await startNatsServer({ dataDir: storeDir });
    lock.recordServer(server.pid);
  } catch (err) {
    lock.release();
    throw err;
  }
  // Ctrl-C or a TERM: stop the server in order (a killed one would leave the store to recover).
  const stopOnSignal = (signal: NodeJS.Signals) => {
    void server.stop().finally(() => {
      lock.release();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const done = () => {
    lock.release();
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  };
  log(`no topology is running for ${stateDir}: started a private nats-server (pid ${server.pid}) on its store ${storeDir}; it stops when this command ends`);
  const nc = await connectCli(server.url, name).catch(async (err) => {
    await server.stop();
    done();
    throw unreachable(server.url, err, `the private server on ${storeDir} started but refused a connection`);
  });
  return session(nc, server.url, prefix, state, server, done);
}

/** The topology a state dir's run uses: the file its up.json names, else its recorded topology.json. */
export function runTopology(session: Pick<Session, 'state'>, stateDir: string): Topology | null {
  for (const path of [session.state?.topologyPath, join(stateDir, 'topology.json')]) {
    if (path && existsSync(path)) return loadTopologyShape(path);
  }
  return null;
}

/** A NATS failure as a CliError with a HINT, or null for anything else. */
async function natsFailure(err: unknown, s: Session): Promise<CliError | null> {
  const e = err as Error & { code?: unknown };
  if (typeof e.code === 'string') return null;
  const prefix = s.names.prefix;
  switch (e.name) {
    case 'StreamNotFoundError':
      return new CliError('NO_TOPOLOGY', `no topology with prefix '${prefix}' in ${s.where}: ${e.message}\nHINT: pass the topology's --prefix, or start it with \`ace up TOPOLOGY\``);
    case 'JetStreamNotEnabled':
      return new CliError('NO_TOPOLOGY', `no topology at ${s.url}: the server has no JetStream (${e.message})\nHINT: --nats must name the server of a topology started with \`ace up\``);
    case 'TimeoutError':
      // A timeout on a connection that still answers is a slow server, not a gone one.
      if (!s.lost && !s.nc.isClosed() && (await Promise.race([s.nc.flush().then(() => true, () => false), new Promise<false>((r) => setTimeout(() => r(false), 2000).unref())]))) {
        return new CliError('NATS_TIMEOUT', `a request to the NATS server at ${s.url} timed out, though the server answers\nHINT: the server or the machine is overloaded; try again`);
      }
      return lostError(s, e);
    case 'ConnectionError':
    case 'ClosedConnectionError':
    case 'DrainingConnectionError':
    case 'RequestError':
      return lostError(s, e);
    default:
      return null;
  }
}

function lostError(s: Session, e: Error): CliError {
  return new CliError(
    'NATS_LOST',
    `no running topology at ${s.url} any more: its server stopped answering (${e.message})\nHINT: it was stopped (\`ace down\`) or its server died; \`ace up TOPOLOGY --resume\` starts it again`,
  );
}

/**
 * Runs `fn` on the session and closes it (and a private server). NATS failures become CliErrors,
 * and so does a connection that closed on its own while `fn` ran: a range read then ends early.
 */
export async function withSession<T>(s: Session, fn: (s: Session) => Promise<T>): Promise<T> {
  try {
    const out = await fn(s);
    if (s.lost) throw lostError(s, new Error('connection closed'));
    return out;
  } catch (err) {
    // A closed connection is the cause of whatever failed after it, coded or not.
    if (s.lost) throw lostError(s, err as Error);
    throw (await natsFailure(err, s)) ?? err;
  } finally {
    await s.close();
  }
}
