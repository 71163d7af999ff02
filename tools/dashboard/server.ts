// The dashboard's HTTP side (node:http): the page and its bundle, /api (state, server-sent
// events, the rollout inspector, the scale control) and /metrics, all from one RunCollector.
// Listens on loopback unless told otherwise, and has no users: the scale control only accepts
// same-origin JSON posts, so another web page open in the same browser cannot scale a run.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { desiredKey, scaleCommand, scaleOf } from '../../actors/control.ts';
import type { Topology } from '../../contracts/topology.ts';
import { formatIssues } from '../../contracts/issues.ts';
import { openKv } from '../../streams/manager.ts';
import type { TopologyNames } from '../../streams/topology.ts';
import type { ApiError, LiveState, ScaleResponse, StateResponse } from './api.ts';
import { bundlePage } from './bundle.ts';
import { RunCollector } from './collector.ts';
import { PROM_CONTENT_TYPE, renderMetrics } from './prom.ts';

export interface DashboardOptions {
  nc: NatsConnection;
  names: TopologyNames;
  topology: Topology | null;
  mode: LiveState['mode'];
  /** Why the scale control is off; null turns it on. */
  readOnly: string | null;
  host: string;
  /** 0: any free port. */
  port: number;
  pollMs: number;
  stuckAfterMs: number;
}

export interface Dashboard {
  url: string;
  collector: RunCollector;
  close(): Promise<void>;
}

const ScaleBody = z.strictObject({ actor: z.string().min(1).max(100), instances: z.int().min(0).max(64) });
const SSE_KEEPALIVE_MS = 15_000;

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

const fail = (res: ServerResponse, status: number, error: string) => send(res, status, { error } satisfies ApiError);

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function intParam(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a whole number: ${v}`);
  return n;
}

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  void bundlePage().catch(() => {}); // ready by the first page load; /api and /metrics do not wait for it
  const collector = new RunCollector({ nc: o.nc, names: o.names, topology: o.topology, mode: o.mode, readOnly: o.readOnly, pollMs: o.pollMs, stuckAfterMs: o.stuckAfterMs });
  await collector.start();
  const runKv = o.readOnly === null ? await openKv(o.nc, o.names.kv.run) : null;
  const sse = new Set<ServerResponse>();

  const scale = async (req: IncomingMessage, res: ServerResponse) => {
    if (!runKv) return fail(res, 409, `read-only: ${o.readOnly}`);
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return fail(res, 403, `cross-origin request from ${origin} refused`);
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return fail(res, 415, 'send JSON {"actor": NAME, "instances": N} with Content-Type: application/json');
    let raw: unknown;
    try {
      raw = JSON.parse(await readBody(req, 10_000));
    } catch (err) {
      return fail(res, 400, `not JSON: ${(err as Error).message}`);
    }
    const body = ScaleBody.safeParse(raw);
    if (!body.success) return fail(res, 400, formatIssues(body.error.issues).join('; '));
    const { actor, instances } = body.data;
    const roles = collector.liveState().roles.map((r) => r.actor);
    if (!(o.topology ? actor in o.topology.actors : roles.includes(actor))) return fail(res, 404, `no actor '${actor}' in this topology (actors: ${roles.join(', ')})`);
    const current = await runKv.get(desiredKey(actor));
    const from = current?.value.length ? scaleOf(current.string()) : null;
    await runKv.put(desiredKey(actor), scaleCommand(collector.liveState().runId ?? 'unknown', actor, instances));
    send(res, 200, { actor, from, to: instances } satisfies ScaleResponse);
  };

  const events = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    const write = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    write('hello', { live: collector.liveState(), steps: collector.stepPoints() } satisfies StateResponse);
    const offSteps = collector.onSteps((s) => write('steps', s));
    const offLive = collector.onLive((l) => write('live', l));
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
    sse.add(res);
    req.on('close', () => {
      offSteps();
      offLive();
      clearInterval(keepAlive);
      sse.delete(res);
    });
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const path = url.pathname;
    if (req.method === 'POST' && path === '/api/scale') return scale(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, `${req.method} ${path}: not allowed`);
    if (path === '/' || path === '/index.html') return send(res, 200, (await bundlePage()).html, 'text/html; charset=utf-8');
    if (path === '/app.js') return send(res, 200, (await bundlePage()).js, 'text/javascript; charset=utf-8');
    if (path === '/app.css') return send(res, 200, (await bundlePage()).css, 'text/css; charset=utf-8');
    if (path === '/metrics') return send(res, 200, await renderMetrics(collector.liveState(), collector.stepPoints().at(-1) ?? null), PROM_CONTENT_TYPE);
    if (path === '/api/state') return send(res, 200, { live: collector.liveState(), steps: collector.stepPoints() } satisfies StateResponse);
    if (path === '/api/events') return events(req, res);
    if (path === '/api/rollouts') {
      const q = url.searchParams;
      const reward = q.get('reward') || undefined;
      if (reward !== undefined && !['0', '1', 'none'].includes(reward)) return fail(res, 400, `reward is 0, 1 or none, not ${reward}`);
      try {
        return send(
          res,
          200,
          collector.listRollouts({
            step: intParam(q.get('step')),
            domain: q.get('domain') || undefined,
            outcome: q.get('outcome') || undefined,
            reward: reward as '0' | '1' | 'none' | undefined,
            group: q.get('group') || undefined,
            limit: Math.min(intParam(q.get('limit')) ?? 50, 500),
            offset: intParam(q.get('offset')) ?? 0,
          }),
        );
      } catch (err) {
        return fail(res, 400, (err as Error).message);
      }
    }
    if (path.startsWith('/api/rollouts/')) {
      const id = decodeURIComponent(path.slice('/api/rollouts/'.length));
      const detail = await collector.rollout(id);
      return detail ? send(res, 200, detail) : fail(res, 404, `no rollout ${id} in this run`);
    }
    fail(res, 404, `${path}: not found`);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((err) => {
      if (!res.headersSent) fail(res, 500, (err as Error).message);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    collector,
    async close() {
      for (const res of sse) res.end();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await collector.close();
    },
  };
}
