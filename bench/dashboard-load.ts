// The dashboard as a user has it open during `ace bench loop --dashboard`: an `ace dashboard`
// process beside the run (started once the topology's streams exist), and a client that does
// what the page and a Prometheus scraper do: the server-sent event stream read throughout,
// /metrics every second, the inspector's list and one rollout every two seconds. Not a
// browser: the page's drawing happens on the viewer's machine, not the trainer's.
import { type ChildProcess, spawn } from 'node:child_process';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ACE } from '../tools/harness/up.ts';

export interface DashboardLoad {
  /** The dashboard process, once started. */
  pid(): number | null;
  /** Stops polling and the dashboard; what the client did. */
  stop(): Promise<{ requests: number; failed: number; failures: string[]; sseEvents: number; sseBytes: number; medianRequestMs: number | null }>;
}

export function openDashboard(nc: NatsConnection, natsUrl: string, prefix: string, stateDir: string): DashboardLoad {
  let running = true;
  let child: ChildProcess | null = null;
  let requests = 0;
  let failed = 0;
  const failures = new Set<string>();
  let sseEvents = 0;
  let sseBytes = 0;
  const latencies: number[] = [];
  const abort = new AbortController();

  const get = async (url: string): Promise<unknown> => {
    const t0 = performance.now();
    requests++;
    try {
      const res = await fetch(url, { signal: abort.signal });
      const body = res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : await res.text();
      if (!res.ok) {
        failed++;
        failures.add(`${res.status} ${new URL(url).pathname.replace(/\/api\/rollouts\/.+/, '/api/rollouts/ID')}: ${JSON.stringify(body).slice(0, 120)}`);
      }
      latencies.push(performance.now() - t0);
      return body;
    } catch (err) {
      if (running) {
        failed++;
        failures.add(`${new URL(url).pathname}: ${(err as Error).message}`);
      }
      return null;
    }
  };

  const work = (async () => {
    const jsm = await jetstreamManager(nc);
    while (running && !(await jsm.streams.info(`${prefix.toUpperCase()}_STEPS`).catch(() => null))) await new Promise((r) => setTimeout(r, 200));
    if (!running) return;
    child = spawn(process.execPath, [ACE, 'dashboard', '--nats', natsUrl, '--prefix', prefix, '--state-dir', stateDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string | null>((resolve) => {
      const onData = (d: Buffer) => {
        out += d;
        const m = /dashboard at (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      };
      child!.stdout!.on('data', onData);
      child!.stderr!.on('data', onData);
      child!.once('exit', () => resolve(null));
    });
    if (!url) throw new Error(`ace dashboard did not start:\n${out}`);
    const sse = (async () => {
      try {
        const res = await fetch(`${url}/api/events`, { signal: abort.signal });
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          sseBytes += chunk.length;
          sseEvents += (decoder.decode(chunk, { stream: true }).match(/^event: /gm) ?? []).length;
        }
      } catch {
        // aborted at stop
      }
    })();
    for (let tick = 0; running; tick++) {
      await get(`${url}/metrics`);
      if (tick % 2 === 0) {
        const page = (await get(`${url}/api/rollouts?limit=50`)) as { rows?: { id: string }[] } | null;
        const first = page?.rows?.[0];
        if (first) await get(`${url}/api/rollouts/${encodeURIComponent(first.id)}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    await sse;
  })();

  return {
    pid: () => child?.pid ?? null,
    async stop() {
      running = false;
      abort.abort();
      await work.catch((err: Error) => {
        throw err;
      });
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child!.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      return { requests, failed, failures: [...failures].slice(0, 3), sseEvents, sseBytes, medianRequestMs: sorted.length ? Number(sorted[Math.floor(sorted.length / 2)].toFixed(1)) : null };
    },
  };
}
