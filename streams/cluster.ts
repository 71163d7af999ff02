// A local N-node nats-server cluster with JetStream, for tests and benches of replicated (R3)
// streams: each node has its own name, store folder, ports and routes to the others, and may run
// in its own network namespace at its own address (netns.ts makes those), so a
// test can kill a node or cut its link. Config files and logs go to one temporary folder.
// Optionally with auth (an auth.ts users fragment for clients, a route user for the links) and
// TLS on both the client listeners and the routes.
// Not a deployment tool: production clusters are configured and run outside ace.
import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { checkNatsServerBinary, freePort, type NatsProcess, NatsServerError, natsServerBinary, spawnNatsServer } from './server.ts';

export interface ClusterNodeSpec {
  /** server_name; default n1, n2, ... */
  name?: string;
  /** Network namespace to run the server in (`ip netns exec`, needs root); default none. */
  ns?: string;
  /** Address the node listens on (clients, routes, monitoring); default 127.0.0.1. */
  host?: string;
}

export interface NatsClusterOptions {
  /** Nodes when `nodes` is omitted; default 3. */
  size?: number;
  nodes?: ClusterNodeSpec[];
  binary?: string;
  /** JetStream memory store per node, bytes; default 64 MiB. */
  maxMemBytes?: number;
  /** JetStream file store per node, bytes; default 256 MiB. */
  maxFileBytes?: number;
  /** Until every node is up, routed, and JetStream has a meta leader; default 30 s. */
  formTimeoutMs?: number;
  /** Clients and routes authenticate; default none (anyone may connect and route). */
  auth?: ClusterAuth;
  /** TLS on the client listeners (then required of every client) and the routes; default none. */
  tls?: ClusterTls;
}

export interface ClusterAuth {
  /** A config fragment holding the clients' `authorization` block (auth.ts writeRunAccess's authConf). */
  include: string;
  /** The user every route must present, and each node presents on the routes it opens. */
  route: { user: string; pass: string };
  /** A user that may create and delete streams (admin): the one the readiness probe connects as. */
  probe: { user: string; pass: string };
}

export interface ClusterTls {
  /** PEM certificate every node serves; its SANs must name each node's host (routes verify it). */
  certFile: string;
  keyFile: string;
  /** PEM CA that signed it: what clients trust, and what a route's peer certificate must chain to. */
  caFile: string;
}

export interface ClusterNode {
  name: string;
  /** Client URL. */
  url: string;
  /** Monitoring endpoint base (`/jsz`, `/routez`), to read this node's own view. */
  monitorUrl: string;
  ns?: string;
  host: string;
  storeDir: string;
  logFile: string;
  /** Process id of the running server (changes on start()); 0 while stopped. */
  readonly pid: number;
  logTail(): string;
  /** SIGTERM (SIGKILL after 5 s); resolves once it has exited. Its store stays. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash; resolves once it has exited. Its store stays. */
  kill(): Promise<void>;
  /** Starts it again from the same config and store (after stop or kill); resolves at "Server is ready". */
  start(): Promise<void>;
}

export interface NatsCluster {
  /** Every node's client URL. */
  urls: string[];
  nodes: ClusterNode[];
  /** Config files, logs and stores; removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number; replicas?: { name: string; current: boolean; offline?: boolean }[] };
}

const hostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsCluster> {
  const binary = opts.binary ?? natsServerBinary();
  checkNatsServerBinary(binary);
  const specs: ClusterNodeSpec[] = opts.nodes ?? Array.from({ length: opts.size ?? 3 }, () => ({}));
  const dir = mkdtempSync(join(tmpdir(), 'ace-cluster-'));
  const ports = await distinctFreePorts(specs.length * 3);
  const planned = specs.map((s, i) => {
    const name = s.name ?? `n${i + 1}`;
    const host = s.host ?? '127.0.0.1';
    return { name, host, ns: s.ns, client: ports[3 * i], route: ports[3 * i + 1], monitor: ports[3 * i + 2] };
  });
  const nodes = planned.map((p) => {
    const storeDir = join(dir, p.name);
    mkdirSync(storeDir);
    const conf = join(dir, `${p.name}.conf`);
    // JSON strings are valid values in nats-server's config syntax.
    const q = JSON.stringify;
    const tls = (verify: boolean) =>
      opts.tls
        ? [`tls {`, `  cert_file: ${q(resolve(opts.tls.certFile))}`, `  key_file: ${q(resolve(opts.tls.keyFile))}`, `  ca_file: ${q(resolve(opts.tls.caFile))}`, ...(verify ? ['  verify: true'] : []), `  timeout: 5`, `}`]
        : [];
    const route = opts.auth ? `${encodeURIComponent(opts.auth.route.user)}:${encodeURIComponent(opts.auth.route.pass)}@` : '';
    writeFileSync(
      conf,
      [
        `server_name: ${q(p.name)}`,
        `listen: ${q(hostPort(p.host, p.client))}`,
        `http: ${q(hostPort(p.host, p.monitor))}`,
        // nats-server joins an include's path to the including file's folder, absolute or not.
        ...(opts.auth ? [`include ${q(relative(dir, resolve(opts.auth.include)))}`] : []),
        ...tls(false),
        `jetstream {`,
        `  store_dir: ${q(storeDir)}`,
        `  max_mem: ${opts.maxMemBytes ?? 64 * 1024 * 1024}`,
        `  max_file: ${opts.maxFileBytes ?? 256 * 1024 * 1024}`,
        `}`,
        `cluster {`,
        `  name: "ace"`,
        `  listen: ${q(hostPort(p.host, p.route))}`,
        ...(opts.auth ? [`  authorization { user: ${q(opts.auth.route.user)}, password: ${q(opts.auth.route.pass)}, timeout: 5 }`] : []),
        // Routes verify both ways: a node proves itself with the CA's certificate too.
        ...tls(true).map((l) => `  ${l}`),
        `  routes: [${planned
          .filter((o) => o !== p)
          .map((o) => q(`nats-route://${route}${hostPort(o.host, o.route)}`))
          .join(', ')}]`,
        `}`,
        '',
      ].join('\n'),
    );
    const argv = [...(p.ns ? [existsSync('/usr/sbin/ip') ? '/usr/sbin/ip' : 'ip', 'netns', 'exec', p.ns] : []), binary, '-c', conf];
    return makeNode(p.name, p.ns, p.host, `nats://${hostPort(p.host, p.client)}`, `http://${hostPort(p.host, p.monitor)}`, storeDir, join(dir, `${p.name}.log`), argv);
  });
  const cluster: NatsCluster = {
    urls: nodes.map((n) => n.url),
    nodes,
    dir,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // allSettled: no node may still be starting when a failure kills the others.
    const started = await Promise.allSettled(nodes.map((n) => n.start()));
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const probe = { ...(opts.auth ? { user: opts.auth.probe.user, pass: opts.auth.probe.pass } : {}), ...(opts.tls ? { tls: { caFile: opts.tls.caFile } } : {}) };
    await waitFormed(nodes, opts.formTimeoutMs ?? 30_000, probe);
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill()));
    const tails = nodes.map((n) => `--- ${n.name} (${n.logFile}):\n${n.logTail()}`).join('\n');
    throw new NatsServerError('NATS_SERVER_START', `${(err as Error).message}\n${tails}\n(the folder ${dir} is kept for its logs)`);
  }
  return cluster;
}

function makeNode(name: string, ns: string | undefined, host: string, url: string, monitorUrl: string, storeDir: string, logFile: string, argv: string[]): ClusterNode {
  let proc: NatsProcess | undefined;
  let lastTail = '';
  /** Forgets the process once it has exited (stopped, killed, or on its own), keeping its log tail. */
  const ended = async (p: NatsProcess) => {
    await p.exited;
    lastTail = p.logTail();
    if (proc === p) proc = undefined;
  };
  return {
    name,
    url,
    monitorUrl,
    ns,
    host,
    storeDir,
    logFile,
    get pid() {
      return proc?.pid ?? 0;
    },
    logTail: () => proc?.logTail() ?? lastTail,
    async stop() {
      if (!proc) return;
      const p = proc;
      await p.stop();
      await ended(p);
    },
    async kill() {
      if (!proc) return;
      const p = proc;
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // exited a moment ago; `ended` has its tail
      }
      await ended(p);
    },
    async start() {
      if (proc) throw new NatsServerError('NATS_SERVER_START', `cluster node ${name} is already running (pid ${proc.pid})`);
      proc = await spawnNatsServer(argv, { logFile, startTimeoutMs: 15_000, cwd: dirname(logFile) });
      void ended(proc);
    },
  };
}

/** Ports unused now and distinct from each other (two free-port probes may return the same one). */
async function distinctFreePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Until every node names the same JetStream meta leader and that leader sees every other node as
 * a current peer (each node's /jsz): after a start, a restart or a healed partition. Streams and
 * consumers elect their own leaders; a caller that needs them waits on their info.
 */
export async function waitMetaCurrent(nodes: ClusterNode[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const views = await Promise.all(
      nodes.map(async (n) => {
        const jsz = (await fetch(`${n.monitorUrl}/jsz`, { signal: AbortSignal.timeout(1000) })
          .then((r) => r.json())
          .catch(() => ({}))) as Jsz;
        return jsz.meta_cluster;
      }),
    );
    const leader = views[0]?.leader;
    const peers = views[nodes.findIndex((n) => n.name === leader)]?.replicas ?? [];
    if (leader && views.every((v) => v?.leader === leader) && peers.length === nodes.length - 1 && peers.every((p) => p.current && !p.offline)) return;
    if (Date.now() > deadline) {
      const seen = nodes.map((n, i) => `${n.name}: leader ${views[i]?.leader || '(none)'}${views[i]?.replicas ? `, peers ${views[i]!.replicas!.map((p) => `${p.name}${p.current ? '' : ' (behind)'}`).join(' ')}` : ''}`);
      throw new Error(`the JetStream meta group was not whole within ${timeoutMs} ms (${seen.join('; ')})`);
    }
    await sleep(250);
  }
}

/** waitMetaCurrent, then until an R3 (R-size, when smaller) memory stream can be created and deleted. */
async function waitFormed(nodes: ClusterNode[], timeoutMs: number, access: { user?: string; pass?: string; tls?: { caFile: string } }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await waitMetaCurrent(nodes, timeoutMs);
  const nc = await connect({ servers: nodes.map((n) => n.url), name: 'cluster-probe', timeout: Math.max(1000, deadline - Date.now()), ...access });
  try {
    const jsm = await jetstreamManager(nc);
    const name = `ACE_CLUSTER_PROBE_${process.pid}`;
    for (;;) {
      try {
        await jsm.streams.add({ name, subjects: [`ace-cluster-probe.${process.pid}`], storage: StorageType.Memory, retention: RetentionPolicy.Limits, num_replicas: Math.min(3, nodes.length) });
        await jsm.streams.delete(name);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`JetStream did not accept a replicated stream within ${timeoutMs} ms (probe stream: ${(err as Error).message})`);
        await sleep(250);
      }
    }
  } finally {
    await nc.close();
  }
}
