// `ace bench backbone [--json]`: the streaming backbone's figures on this machine (one server;
// --cluster runs bench/backbone-cluster.ts instead).
// - msgsPerSec: one hop (publish -> consume -> ack) of 2 KB messages through the project's
//   own sink and source, publisher and consumer on separate connections.
// - hopOverheadUs: mean latency one message adds per hop (publish to delivery), unloaded.
// - scaleRatio2: throughput of 2 processes of a CPU-bound stage over 1 (real `ace up` runs).
// - backpressure: producer RSS early vs late and the largest in-flight count it saw, with a
//   slowed stage and maxUnverified = 64 (8000 messages; mean RSS per quarter of the run).
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { firstValueFrom, Subject as RxSubject } from 'rxjs';
import { z } from 'zod';
import type { TopologyInput } from '../contracts/topology.ts';
import { connectNats, ensureConsumer } from '../streams/manager.ts';
import { startNatsServer } from '../streams/server.ts';
import { Sink } from '../streams/sink.ts';
import { source$ } from '../streams/source.ts';
import { heartbeats, readAll, sampleInFlight, startUp } from '../tools/harness/up.ts';
import { defineCommand } from '../tools/command.ts';
import { JSON_FLAG } from '../tools/session.ts';

const Msg = z.object({ id: z.string(), t: z.number(), pad: z.string() });
const log = (m: string) => process.stderr.write(`[bench backbone] ${m}\n`);

/** Size of one message on the wire (JSON of Msg), bytes. */
export const HOP_MESSAGE_BYTES = 2048;
const PAD = 'x'.repeat(HOP_MESSAGE_BYTES - 40);

/**
 * A stream made for one hop: subjects `<name in lower case>.>`, messages on `.x`, dead letters on
 * `.dlq`; its durable is the name in lower case. `replicas` 3 needs a cluster.
 */
export interface HopStream {
  name: string;
  replicas: 1 | 3;
}

async function addHopStream(nc: NatsConnection, s: HopStream, maxAckPending?: number): Promise<string> {
  const lower = s.name.toLowerCase();
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: s.name, subjects: [`${lower}.>`], num_replicas: s.replicas });
  await ensureConsumer(jsm, { stream: s.name, durable: lower, filterSubject: `${lower}.x`, maxAckPending });
  return lower;
}

/**
 * Messages per second through one hop (publish -> consume -> ack) of `n` messages: 256 publishes
 * in flight on `nc`, read and acked through source$ on `consumerNc`. Creates the stream, leaves it.
 */
export async function hopRate(nc: NatsConnection, consumerNc: NatsConnection, s: HopStream, n: number): Promise<number> {
  const lower = await addHopStream(nc, s, 4096);
  const sink = new Sink(jetstream(nc));
  let acked = 0;
  const done = new RxSubject<void>();
  const sub = source$({
    js: jetstream(consumerNc),
    stream: s.name,
    durable: lower,
    schema: Msg,
    capacity: 512,
    deadLetters: { sink: new Sink(jetstream(consumerNc)), subject: `${lower}.dlq` },
  }).subscribe((d) => {
    d.ack();
    if (++acked === n) done.next();
  });
  const t0 = performance.now();
  const inflight = new Set<Promise<unknown>>();
  for (let i = 0; i < n; i++) {
    const p: Promise<unknown> = sink.publish(`${lower}.x`, { id: `h${i}`, t: 0, pad: PAD }).then(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= 256) await Promise.race(inflight);
  }
  await firstValueFrom(done);
  const seconds = (performance.now() - t0) / 1000;
  sub.unsubscribe();
  return n / seconds;
}

/**
 * Publish-to-delivery time of each of `n` messages sent one at a time (unloaded), ms, less the
 * first `warmup` (they warm up connections and JIT). Creates the stream, leaves it.
 */
export async function hopLatenciesMs(nc: NatsConnection, consumerNc: NatsConnection, s: HopStream, n: number, warmup = 50): Promise<number[]> {
  const lower = await addHopStream(nc, s);
  const sink = new Sink(jetstream(nc));
  const arrivals = new RxSubject<number>();
  const sub = source$({
    js: jetstream(consumerNc),
    stream: s.name,
    durable: lower,
    schema: Msg,
    capacity: 1,
    deadLetters: { sink, subject: `${lower}.dlq` },
  }).subscribe((d) => {
    d.ack();
    arrivals.next(performance.now() - d.value.t);
  });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const got = firstValueFrom(arrivals);
    await sink.publish(`${lower}.x`, { id: `l${i}`, t: performance.now(), pad: PAD });
    const ms = await got;
    if (i >= warmup) out.push(ms);
  }
  sub.unsubscribe();
  return out;
}

/** Messages per second through a CPU-bound stage with `instances` processes. */
async function stageThroughput(url: string, nc: NatsConnection, prefix: string, instances: number, n: number, workMs: number): Promise<number> {
  const t: TopologyInput = {
    name: 'scale',
    prefix,
    maxUnverified: 256,
    actors: {
      source: { kind: 'demo-source', config: { count: n, downstream: 'work', payloadBytes: 256 } },
      work: { kind: 'demo-stage', instances, config: { from: 'in', to: 'out', workMs, concurrency: 4 } },
    },
  };
  const up = startUp(t, url, ['--until-idle']);
  if ((await up.exit) !== 0) throw new Error(up.output());
  const out = await readAll<{ ts: number }>(nc, `${prefix.toUpperCase()}_DEMO`, `${prefix}.demo.out`);
  // Stage throughput over the middle 80% of outputs, so process start-up is not counted.
  const ts = out.map((m) => m.value.ts).sort((a, b) => a - b);
  const lo = Math.floor(ts.length * 0.1);
  const hi = Math.floor(ts.length * 0.9);
  return (hi - lo) / ((ts[hi] - ts[lo]) / 1000);
}

async function backpressure(url: string, nc: NatsConnection): Promise<{ rssQuartersMb: number[]; maxInFlight: number; maxUnverified: number }> {
  const maxUnverified = 64;
  const t: TopologyInput = {
    name: 'bp',
    prefix: 'bbp',
    maxUnverified,
    actors: {
      source: { kind: 'demo-source', config: { count: 8000, downstream: 'slow' } },
      slow: { kind: 'demo-stage', config: { from: 'in', workMs: 2, concurrency: 8 } },
    },
  };
  const up = startUp(t, url, ['--until-idle']);
  const rss: number[] = [];
  const { maxInFlight } = await sampleInFlight(nc, 'BBP_DEMO', 'slow', up.exit, 100, async () => {
    const src = (await heartbeats(nc, 'bbp').catch(() => [])).find((h) => h.actor === 'source' && h.state === 'RUNNING');
    if (src?.metrics['process/rss_mb']) rss.push(src.metrics['process/rss_mb']);
  });
  // Mean producer RSS in each quarter of the run: flat memory shows as a plateau.
  const q = Math.max(1, Math.floor(rss.length / 4));
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);
  return { rssQuartersMb: [0, 1, 2, 3].map((i) => Number(mean(rss.slice(i * q, (i + 1) * q)).toFixed(1))), maxInFlight, maxUnverified };
}

export const command = defineCommand({
  name: 'bench backbone',
  summary: 'one-hop message rate and latency, two processes of a CPU-bound stage against one, backpressure and memory',
  description: 'With --cluster, instead: one-hop rate and latency on a 3-node cluster with R3 streams against one server with R1 streams, in one run (see bench/backbone-cluster.ts).',
  flags: {
    ...JSON_FLAG,
    cluster: { schema: z.boolean().default(false), help: 'a 3-node R3 cluster (nodes in network namespaces where possible) against one server' },
  },
  examples: ['ace bench backbone --json', 'ace bench backbone --cluster'],
  run: async (f) => (f.cluster ? (await import('./backbone-cluster.ts')).benchBackboneCluster(f.json) : benchBackbone(f.json)),
});

async function benchBackbone(json: boolean): Promise<number> {
  const server = await startNatsServer();
  const nc = await connectNats(server.url, 'bench-pub');
  const consumerNc = await connectNats(server.url, 'bench-sub');
  try {
    log('one hop, 2 KB messages ...');
    const msgsPerSec = await hopRate(nc, consumerNc, { name: 'HOP', replicas: 1 }, 20_000);
    log(`msgsPerSec ${msgsPerSec.toFixed(0)}`);
    log('hop latency ...');
    const latenciesMs = await hopLatenciesMs(nc, consumerNc, { name: 'LAT', replicas: 1 }, 1000);
    const hopOverheadUs = (latenciesMs.reduce((a, x) => a + x, 0) / latenciesMs.length) * 1000;
    log(`hopOverheadUs ${hopOverheadUs.toFixed(0)}`);
    log('CPU-bound stage (4 ms/message), 1 then 2 processes ...');
    const one = await stageThroughput(server.url, nc, 'sone', 1, 600, 4);
    const two = await stageThroughput(server.url, nc, 'stwo', 2, 600, 4);
    log(`stage msgs/s: 1 process ${one.toFixed(1)}, 2 processes ${two.toFixed(1)}`);
    log('backpressure with a slowed stage ...');
    const bp = await backpressure(server.url, nc);
    log(`backpressure: in flight max ${bp.maxInFlight} (maxUnverified ${bp.maxUnverified}); producer RSS by quarter of the run ${bp.rssQuartersMb.join(' / ')} MB`);
    const result = {
      msgsPerSec: Math.round(msgsPerSec),
      hopOverheadUs: Math.round(hopOverheadUs),
      scaleRatio2: Number((two / one).toFixed(3)),
      stageMsgsPerSec1: Number(one.toFixed(1)),
      stageMsgsPerSec2: Number(two.toFixed(1)),
      backpressureMaxInFlight: bp.maxInFlight,
      maxUnverified: bp.maxUnverified,
      producerRssMbByQuarter: bp.rssQuartersMb,
      cores: (await import('node:os')).availableParallelism(),
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else for (const [k, v] of Object.entries(result)) process.stdout.write(`${k.padEnd(26)} ${v}\n`);
    return 0;
  } finally {
    await nc.close();
    await consumerNc.close();
    await server.stop();
  }
}
