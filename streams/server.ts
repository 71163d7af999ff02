// An embedded nats-server child process with JetStream and its own data directory: what
// `ace up` starts when no --nats URL is given, and what tests use (a real broker, no mocks).
// The server runs in its own session (a terminal's Ctrl-C reaches only its owner, which stops
// it in order) and dies with its owner however that dies (see parentDeathPrefix).
// Not a cluster manager: multi-host deployments point actors at an existing server by URL
// (cluster.ts starts a local cluster for tests and benches).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodedError } from '../ops/errors.ts';

export class NatsServerError extends CodedError<'NATS_SERVER_MISSING' | 'NATS_SERVER_START'> {}

export interface NatsServerOptions {
  /** JetStream storage folder; a fresh temporary folder when omitted (removed on stop). */
  dataDir?: string;
  /** Client port; a free port when omitted. */
  port?: number;
  binary?: string;
  startTimeoutMs?: number;
}

export interface NatsServer {
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  /** Settles when the server process exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines the server wrote (stderr), for a report of an unexpected exit. */
  logTail(): string;
  stop(): Promise<void>;
}

let setprivWorks: boolean | undefined;

/**
 * The argv prefix that ties a child to the life of this process: util-linux's `setpriv
 * --pdeathsig KILL` makes the kernel SIGKILL the child when the thread that spawned it exits,
 * however it exits (SIGKILL, a crash, EPIPE). PR_SET_PDEATHSIG survives the exec of
 * non-setuid binaries (nice, node, nats-server), and Node spawns on its main thread. Empty
 * where setpriv is missing (checked once): callers then watch for their parent's death.
 */
export function parentDeathPrefix(): string[] {
  setprivWorks ??= spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true']).status === 0;
  return setprivWorks ? ['setpriv', '--pdeathsig', 'KILL', '--'] : [];
}

/**
 * Without setpriv, a shell that SIGKILLs `pid` once its stdin, a pipe from this process,
 * reads end of file: the kernel closes the pipe when this process dies, however it dies.
 * Returns the disarm: kill the watchdog before `pid` exits on its own, so no reused pid is hit.
 */
function watchdog(pid: number): () => void {
  const dog = spawn('/bin/sh', ['-c', 'read _; kill -KILL "$0"', String(pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  dog.unref();
  (dog.stdin as unknown as { unref(): void }).unref();
  return () => dog.kill('SIGKILL');
}

/** $ACE_NATS_SERVER, else `nats-server` on PATH, else Debian's /usr/sbin/nats-server (not on every PATH). */
export function natsServerBinary(): string {
  if (process.env.ACE_NATS_SERVER) return process.env.ACE_NATS_SERVER;
  const onPath = spawnSync('nats-server', ['--version']);
  return !onPath.error || !existsSync('/usr/sbin/nats-server') ? 'nats-server' : '/usr/sbin/nats-server';
}

/** Fails fast with a HINT when the nats-server binary is not installed. */
export function checkNatsServerBinary(binary = natsServerBinary()): string {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new NatsServerError(
      'NATS_SERVER_MISSING',
      `cannot run '${binary}' (from ${process.env.ACE_NATS_SERVER ? 'ACE_NATS_SERVER' : 'PATH'}): ${probe.error?.message ?? probe.stderr}\n` +
        'HINT: install it with `apt-get install nats-server` (Debian) or pass --nats URL to use a running server',
    );
  }
  return probe.stdout.trim();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = opts.binary ?? natsServerBinary();
  checkNatsServerBinary(binary);
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'ace-nats-'));
  mkdirSync(dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const proc = await spawnNatsServer([binary, '-js', '-sd', dataDir, '-a', '127.0.0.1', '-p', String(port)], { startTimeoutMs: opts.startTimeoutMs });
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dataDir,
    pid: proc.pid,
    exited: proc.exited,
    logTail: proc.logTail,
    async stop() {
      await proc.stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface NatsProcess {
  pid: number;
  /** Settles when the server process exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines the server wrote (stderr), for a report of an unexpected exit. */
  logTail(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Spawns `argv` (nats-server, behind a wrapper such as `ip netns exec NS` when given) tied to the
 * life of this process, and resolves once the server logs "Server is ready". A cluster node is
 * ready then, but has not yet joined its cluster (see cluster.ts). `logFile` gets all of stderr.
 * `cwd`: where it runs (nats-server 2.9 has been seen writing a consumer's meta.inf into its
 * working directory while a cluster node recovered).
 */
export async function spawnNatsServer(argv: string[], opts: { startTimeoutMs?: number; logFile?: string; cwd?: string } = {}): Promise<NatsProcess> {
  // The embedded server shares the machine with the actors: a quarter of the cores for its Go
  // scheduler (at least 1) unless GOMAXPROCS is set. On this 2-core machine one core cut its
  // CPU per RL step by 15% and the step by 4% (idle Go threads spin looking for work).
  const goMaxProcs = process.env.GOMAXPROCS ?? String(Math.max(1, Math.floor(availableParallelism() / 4)));
  const [cmd, ...args] = [...parentDeathPrefix(), ...argv];
  const child: ChildProcess = spawn(cmd, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, GOMAXPROCS: goMaxProcs },
    detached: true,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  const disarm = parentDeathPrefix().length ? () => {} : watchdog(child.pid!);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      disarm();
      resolve({ code, signal });
    }),
  );
  let log = '';
  let ready = false;
  const logFd = opts.logFile === undefined ? undefined : openSync(opts.logFile, 'a');
  // Read to the end (a full pipe would block the server), keeping the tail for reports.
  child.stderr!.on('data', (chunk: Buffer) => {
    if (logFd !== undefined) writeSync(logFd, chunk);
    log = ready ? (log + chunk.toString()).slice(-4000) : log + chunk.toString();
  });
  if (logFd !== undefined) child.stderr!.once('close', () => closeSync(logFd));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new NatsServerError('NATS_SERVER_START', `nats-server did not start within ${opts.startTimeoutMs ?? 10_000} ms:\n${log}`)),
      opts.startTimeoutMs ?? 10_000,
    );
    const onData = () => {
      if (!log.includes('Server is ready')) return;
      ready = true;
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      resolve();
    };
    child.stderr!.on('data', onData);
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new NatsServerError('NATS_SERVER_START', `nats-server exited with ${code}:\n${log}`));
    });
  }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    pid: child.pid!,
    exited,
    logTail: () => log.trimEnd().split('\n').slice(-10).join('\n'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}
