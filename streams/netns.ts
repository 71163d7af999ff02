// Three "hosts" on one machine, each a network namespace with its own address, for tests and
// benches of a cluster (test/cluster, `ace bench backbone --cluster`): a test can cut one host off
// the others (linkDown) and bring it back (linkUp). Not for deployments.
// Layout: a bridge in the root namespace (the "switch", also holding the gateway address the
// calling process uses to reach the hosts), and one veth pair per host from the bridge to the
// namespace's eth0. A bridge, not veth pairs between each two hosts: one interface and one
// address per host, as on a LAN, and one link to cut per host. linkDown takes the bridge side
// of the pair down (the cable pulled at the switch): packets are dropped silently, as in a real
// partition, instead of failing fast with "network unreachable" inside the host.
// Needs root (CAP_NET_ADMIN) and iproute2; netnsAvailable() says why not where it cannot.
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { parentDeathPrefix } from './server.ts';

export interface NetnsHost {
  /** Namespace name, e.g. ace-1234-0a. */
  ns: string;
  /** The host's address on the bridge. */
  addr: string;
  /** The bridge side of its veth pair (in the root namespace). */
  veth: string;
}

export interface Netns {
  hosts: NetnsHost[];
  /** The root namespace's address on the bridge (where the test process connects from). */
  gateway: string;
  linkDown(ns: string): void;
  linkUp(ns: string): void;
  /** Runs a command inside `ns` to its end; its stdout, or an error with its stderr. */
  exec(ns: string, cmd: string, args?: string[]): string;
  /** Starts a command inside `ns`, killed with this process however it dies. */
  spawn(ns: string, cmd: string, args?: string[], opts?: SpawnOptions): ChildProcess;
  /** Kills what still runs in the namespaces and removes them and the bridge. Safe to call twice. */
  destroy(): void;
}

const IP = '/usr/sbin/ip';
/** Names this harness makes: ace-<pid>-<seq> (bridge) and ace-<pid>-<seq><letter> (namespace, veth). */
const OURS = /^ace-(\d+)-\d+[a-z]?$/;
let seq = 0;

function ip(args: string[]): string {
  const r = spawnSync(IP, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.error?.message ?? r.stderr.trim()}`);
  return r.stdout;
}

/** Creates and deletes a namespace with a bridge and a veth pair inside it: what createNetns needs. */
export function netnsAvailable(): { ok: true } | { ok: false; why: string } {
  const probe = `ace-${process.pid}-probe`;
  try {
    ip(['netns', 'add', probe]);
  } catch (err) {
    return { ok: false, why: `cannot create a network namespace (needs root and iproute2): ${(err as Error).message}` };
  }
  try {
    ip(['-n', probe, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', probe, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    return { ok: true };
  } catch (err) {
    return { ok: false, why: `network namespaces work but bridges or veth pairs do not: ${(err as Error).message}` };
  } finally {
    spawnSync(IP, ['netns', 'del', probe]);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes namespaces and links of earlier runs whose process is gone (killed before destroy ran). */
function sweepStale(): void {
  const stale = (name: string) => {
    const m = OURS.exec(name);
    return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  };
  for (const line of ip(['netns', 'list']).split('\n')) {
    const ns = line.split(' ')[0];
    if (ns && stale(ns)) removeNs(ns);
  }
  for (const line of ip(['-o', 'link', 'show']).split('\n')) {
    const name = line.split(': ')[1]?.split('@')[0];
    if (name && stale(name)) spawnSync(IP, ['link', 'del', name]);
  }
}

function removeNs(ns: string): void {
  // A namespace outlives `ip netns del` while a process runs in it: kill those first.
  const pids = spawnSync(IP, ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  for (const pid of pids.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync(IP, ['netns', 'del', ns]);
}

/**
 * The subnet 10.231.<k>.0/24 of a new harness: the first k from pid % 250 with no route in the
 * root namespace. Two harnesses started at the same instant may still pick the same k; their
 * gateway addresses would then clash (the pid start makes that unlikely, not impossible).
 */
function freeSubnet(): number {
  for (let i = 0; i < 250; i++) {
    const k = ((process.pid + i) % 250) + 2;
    if (ip(['-4', 'route', 'show', `10.231.${k}.0/24`]).trim() === '') return k;
  }
  throw new Error('no free subnet 10.231.<k>.0/24 for the test namespaces (250 in use?)\nHINT: remove stale ace-* bridges: ip -o link show type bridge');
}

export function createNetns(letters: string[] = ['a', 'b', 'c']): Netns {
  sweepStale();
  const id = `ace-${process.pid}-${seq++}`;
  const k = freeSubnet();
  const hosts: NetnsHost[] = letters.map((x, i) => ({ ns: `${id}${x}`, addr: `10.231.${k}.${11 + i}`, veth: `${id}${x}` }));
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    process.off('exit', destroy);
    // Deleting a namespace deletes its end of the veth pair, and with it the bridge's end.
    for (const h of hosts) removeNs(h.ns);
    for (const h of hosts) spawnSync(IP, ['link', 'del', h.veth]);
    spawnSync(IP, ['link', 'del', id]);
  };
  process.on('exit', destroy);
  const find = (ns: string) => {
    const h = hosts.find((x) => x.ns === ns);
    if (!h) throw new Error(`no namespace ${ns} in this harness (${hosts.map((x) => x.ns).join(', ')})`);
    return h;
  };
  try {
    ip(['link', 'add', id, 'type', 'bridge']);
    ip(['addr', 'add', `10.231.${k}.1/24`, 'dev', id]);
    ip(['link', 'set', id, 'up']);
    for (const h of hosts) {
      ip(['netns', 'add', h.ns]);
      ip(['link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
      ip(['link', 'set', h.veth, 'master', id, 'up']);
      ip(['-n', h.ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', h.ns, 'addr', 'add', `${h.addr}/24`, 'dev', 'eth0']);
      ip(['-n', h.ns, 'link', 'set', 'eth0', 'up']);
    }
  } catch (err) {
    destroy();
    throw err;
  }
  return {
    hosts,
    gateway: `10.231.${k}.1`,
    linkDown: (ns) => void ip(['link', 'set', find(ns).veth, 'down']),
    linkUp: (ns) => void ip(['link', 'set', find(ns).veth, 'up']),
    exec: (ns, cmd, args = []) => ip(['netns', 'exec', find(ns).ns, cmd, ...args]),
    spawn: (ns, cmd, args = [], opts = {}) => {
      const [c, ...rest] = [...parentDeathPrefix(), IP, 'netns', 'exec', find(ns).ns, cmd, ...args];
      return spawn(c, rest, opts);
    },
    destroy,
  };
}
