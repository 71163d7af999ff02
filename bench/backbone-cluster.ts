// `ace bench backbone --cluster [--json]`: the stream backbone on a 3-node nats-server cluster
// with R3 streams against one server with R1 streams, both up for the whole run, measured in
// alternating rounds of one run so that a ratio holds on a noisy machine. The cluster's nodes run
// one per network namespace (streams/netns.ts; this process reaches them over the bridge) where
// namespaces can be made, else all three on loopback; the output says which.
// Sections run in order against the same servers; each adds a table and a key to the JSON line.
// - oneHop: publish -> consume -> ack of 2 KB messages (bench/backbone.ts's hopRate and
//   hopLatenciesMs): msgs/s with 256 publishes in flight, and p50/p99 publish-to-delivery ms
//   of messages sent one at a time.
// - loop: the RL loop's step (bench/loop.ts's topology and policy: 32 math prompts x 8, 64-token
//   cap, weights through the object store) with the learner on one host and the generators and
//   verifiers on two others against everything on one host, in alternating runs: "one host" is
//   `ace train` against the single server (R1), all actors its own; "spread" is `ace train` in
//   namespace A (learner, normalizer; its own generator and verifier instances 0) against the
//   cluster (R3), `ace up --join` in B with the generators and in C with the verifiers. Step
//   seconds from the run's step records (STEPS stream), the first step (start-up) left out.
//   On loopback the spread run's processes all run in this namespace, against the cluster.
// Not a capacity figure for a cluster: on this machine three servers and the client share its cores.
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepRecord } from '../contracts/step.ts';
import { StreamLimits } from '../contracts/topology.ts';
import { type NatsCluster, startNatsCluster } from '../streams/cluster.ts';
import { connectNats, deleteTopology, openKv } from '../streams/manager.ts';
import { createNetns, type Netns, netnsAvailable } from '../streams/netns.ts';
import { type NatsServer, startNatsServer } from '../streams/server.ts';
import { topologyNames } from '../streams/topology.ts';
import { ACE, readAll, runAce } from '../tools/harness/up.ts';
import { HOP_MESSAGE_BYTES, hopLatenciesMs, hopRate, type HopStream } from './backbone.ts';
import { topology as loopTopology, policy } from './loop.ts';

const log = (m: string) => process.stderr.write(`[bench backbone --cluster] ${m}\n`);

/** Where the cluster's nodes run. */
type Placement = { kind: 'netns'; addrs: string[] } | { kind: 'loopback'; why: string };

/** What every section gets: both backbones, up for the whole run. */
interface Backbones {
  single: NatsServer;
  cluster: NatsCluster;
  placement: Placement;
  /** The namespaces the nodes run in; null on loopback. */
  netns: Netns | null;
}

interface SectionResult {
  /** One line above the table: what was measured, with sizes and counts. */
  title: string;
  /** Header row first; cells as printed. */
  table: string[][];
  /** This section's part of the JSON line. */
  figures: Record<string, unknown>;
}

interface Section {
  /** Its key in the JSON line. */
  key: string;
  run(b: Backbones): Promise<SectionResult>;
}

const SECTIONS: Section[] = [
  { key: 'oneHop', run: oneHop },
  { key: 'loop', run: loop },
];

// ---- one hop -------------------------------------------------------------------------------

/** Rounds per side; round r runs single first when r is even, the cluster first when odd (ABBA...). */
const ROUNDS = 4;
/** Messages per rate measurement. */
const RATE_MESSAGES = 20_000;
/** Messages sent one at a time per latency measurement, the first LATENCY_WARMUP untimed. */
const LATENCY_MESSAGES = 1000;
const LATENCY_WARMUP = 50;
/** Untimed messages through each side before the first round (JIT, connections, file store). */
const WARMUP_MESSAGES = 2000;

interface HopRound {
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

interface HopSide {
  name: 'single' | 'cluster';
  replicas: 1 | 3;
  pub: NatsConnection;
  sub: NatsConnection;
  /** On the cluster, with the node leading the rate stream and the one leading its consumer. */
  rounds: (HopRound & { streamLeader?: string; consumerLeader?: string })[];
}

async function oneHop(b: Backbones): Promise<SectionResult> {
  // The cluster's clients both on n1, as an actor given one node's URL; the stream and consumer
  // leaders land where the cluster puts them, and each round says where.
  const clientNode = b.cluster.nodes[0].name;
  const sides: HopSide[] = [
    { name: 'single', replicas: 1, pub: await connectNats(b.single.url, 'bench-pub'), sub: await connectNats(b.single.url, 'bench-sub'), rounds: [] },
    { name: 'cluster', replicas: 3, pub: await connectNats(b.cluster.urls[0], 'bench-pub'), sub: await connectNats(b.cluster.urls[0], 'bench-sub'), rounds: [] },
  ];
  try {
    for (const s of sides) {
      const stream = { name: `WARM_${s.name.toUpperCase()}`, replicas: s.replicas } as const;
      await hopRate(s.pub, s.sub, stream, WARMUP_MESSAGES);
      await (await jetstreamManager(s.pub)).streams.delete(stream.name);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 === 0 ? sides : [...sides].reverse()) {
        const round = await hopRound(s, r);
        s.rounds.push(round);
        const where = round.streamLeader ? ` (rate stream's leader ${round.streamLeader}, its consumer's ${round.consumerLeader}; client on ${clientNode})` : '';
        log(`round ${r + 1} ${s.name.padEnd(7)} ${round.msgsPerSec.toFixed(0)} msgs/s, p50 ${round.p50Ms.toFixed(3)} ms, p99 ${round.p99Ms.toFixed(3)} ms${where}`);
      }
    }
  } finally {
    for (const s of sides) {
      await s.pub.close();
      await s.sub.close();
    }
  }
  const [single, cluster] = sides;
  // Ratios per round (the two sides of a round ran back to back), then their median and spread.
  const ratio = (k: keyof HopRound) => cluster.rounds.map((c, r) => c[k] / single.rounds[r][k]);
  const rate = ratio('msgsPerSec');
  const p50 = ratio('p50Ms');
  const sideFigures = (s: HopSide) => ({
    msgsPerSec: Math.round(median(s.rounds.map((x) => x.msgsPerSec))),
    p50Ms: round3(median(s.rounds.map((x) => x.p50Ms))),
    p99Ms: round3(median(s.rounds.map((x) => x.p99Ms))),
    byRound: s.rounds.map((x) => ({ ...x, msgsPerSec: Math.round(x.msgsPerSec), p50Ms: round3(x.p50Ms), p99Ms: round3(x.p99Ms) })),
  });
  const cell = (xs: number[], digits: number) => `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}, ${Math.max(...xs).toFixed(digits)}]`;
  const row = (label: string, s: HopSide) => [label, cell(s.rounds.map((x) => x.msgsPerSec), 0), cell(s.rounds.map((x) => x.p50Ms), 3), cell(s.rounds.map((x) => x.p99Ms), 3)];
  const where = b.placement.kind === 'netns' ? 'netns' : 'loopback';
  return {
    title:
      `one hop (publish -> consume -> ack), ${HOP_MESSAGE_BYTES} B messages: rate over ${RATE_MESSAGES}, latency of ${LATENCY_MESSAGES - LATENCY_WARMUP} sent one at a time; ` +
      `${ROUNDS} rounds per side, alternating; median [min, max] over rounds; the cluster's clients on ${clientNode}`,
    table: [
      ['', 'msgs/s', 'p50 ms', 'p99 ms'],
      row('single (1 server, R1)', single),
      row(`cluster (3 nodes, R3, ${where})`, cluster),
      ['cluster/single', cell(rate, 3), cell(p50, 3), ''],
    ],
    figures: {
      messageBytes: HOP_MESSAGE_BYTES,
      rateMessages: RATE_MESSAGES,
      latencyMessages: LATENCY_MESSAGES - LATENCY_WARMUP,
      rounds: ROUNDS,
      clientNode,
      single: sideFigures(single),
      cluster: sideFigures(cluster),
      'cluster/single': {
        msgsPerSec: round3(median(rate)),
        msgsPerSecSpread: [round3(Math.min(...rate)), round3(Math.max(...rate))],
        p50Ms: round3(median(p50)),
        p50MsSpread: [round3(Math.min(...p50)), round3(Math.max(...p50))],
      },
    },
  };
}

/** One rate and one latency measurement on fresh streams, deleted afterwards. */
async function hopRound(s: HopSide, r: number): Promise<HopSide['rounds'][number]> {
  const rateStream: HopStream = { name: `HOP_${s.name.toUpperCase()}_${r}`, replicas: s.replicas };
  const latStream: HopStream = { name: `LAT_${s.name.toUpperCase()}_${r}`, replicas: s.replicas };
  const msgsPerSec = await hopRate(s.pub, s.sub, rateStream, RATE_MESSAGES);
  const ms = (await hopLatenciesMs(s.pub, s.sub, latStream, LATENCY_MESSAGES, LATENCY_WARMUP)).sort((x, y) => x - y);
  const jsm = await jetstreamManager(s.pub);
  const leaders = s.replicas === 1 ? {} : { streamLeader: (await jsm.streams.info(rateStream.name)).cluster?.leader, consumerLeader: (await jsm.consumers.info(rateStream.name, rateStream.name.toLowerCase())).cluster?.leader };
  for (const st of [rateStream, latStream]) await jsm.streams.delete(st.name);
  return { msgsPerSec, p50Ms: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99), ...leaders };
}

/** Nearest rank on sorted values. */
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round3 = (x: number) => Number(x.toFixed(3));

// ---- the RL loop ---------------------------------------------------------------------------

type LoopSetup = 'single' | 'spread';

/** The runs, in order: pairs of one of each, the second pair reversed (ABBA), so a drift moves both sides. */
const LOOP_ORDER: LoopSetup[] = ['single', 'spread', 'spread', 'single'];
/** Optimizer steps per run; the first (start-up: processes, graphs, the joins) is left out. */
const LOOP_STEPS = 5;
/** `ace train` to its exit, at most; `ace down` and the joins' exits get LOOP_DOWN_MS more. */
const LOOP_RUN_MS = 150_000;
const LOOP_DOWN_MS = 60_000;

interface LoopRun {
  setup: LoopSetup;
  /** Median of the measured steps' step/seconds (its step record's). */
  stepSeconds: number;
  /** Each measured step's seconds (steps 1 to LOOP_STEPS - 1). */
  steps: number[];
  /** Start of `ace train` to its exit: start-up, every step, shut-down. */
  trainSeconds: number;
  /** Spread: `ace down` to both joins' exits. */
  downSeconds?: number;
}

/** What every run ran: bench/loop.ts's topology, instance counts as there (before the spread setup moves them). */
interface LoopShape {
  tasksPerStep: number;
  groupSize: number;
  maxResponseTokens: number;
  generators: number;
  verifiers: number;
}

/** An `ace` child process (in a namespace or here) with the tail of its output. */
interface AceProc {
  what: string;
  child: ChildProcess;
  exit: Promise<number>;
  output(): string;
}

function startAce(what: string, args: string[], netns: Netns | null, ns: string | null): AceProc {
  const opts = { stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[] };
  const child = netns && ns ? netns.spawn(ns, process.execPath, [ACE, ...args], opts) : spawn(process.execPath, [ACE, ...args], opts);
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-16_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exit = new Promise<number>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? -1 : 0))));
  return { what, child, exit, output: () => out };
}

const lastLines = (text: string, n = 25) => text.trimEnd().split('\n').slice(-n).join('\n');
const explain = (ps: AceProc[]) => ps.map((p) => `--- ${p.what}:\n${lastLines(p.output())}`).join('\n');

/** `main`'s exit code; an error when it is not out within `ms` or another of `ps` exits first. */
async function exitOf(main: AceProc, ps: AceProc[], ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
  try {
    const first = await Promise.race([late, ...[main, ...ps.filter((p) => p !== main)].map((p) => p.exit.then((code) => ({ p, code })))]);
    if (first === null) throw new Error(`${main.what} did not exit within ${ms / 1000} s\n${explain(ps)}`);
    if (first.p !== main) throw new Error(`${first.p.what} exited (${first.code}) before ${main.what}\n${explain(ps)}`);
    return first.code;
  } finally {
    clearTimeout(timer);
  }
}

/** Until `ace train` has recorded the run (run.id, run.topology in the run bucket): what a join reads. */
async function recorded(nc: NatsConnection, prefix: string, train: AceProc): Promise<void> {
  const bucket = topologyNames(prefix, StreamLimits.parse({})).kv.run;
  // The cluster creates the run's streams meanwhile: a read that fails or times out is "not yet".
  const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 3000 });
  const deadline = Date.now() + 60_000;
  let gone = false;
  void train.exit.then(() => (gone = true));
  for (;;) {
    const ok = await jsm.streams
      .info(`KV_${bucket}`)
      .then(async () => Boolean((await (await openKv(nc, bucket)).get('run.topology'))?.string()))
      .catch(() => false);
    if (ok) return;
    if (gone || Date.now() > deadline) throw new Error(`${gone ? 'ace train exited' : 'timed out'} before the run was recorded (${bucket})\n${explain([train])}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One run of LOOP_STEPS steps: `ace train` (and on the spread setup the joins of B and C) to its end. */
async function loopRun(b: Backbones, base: string, setup: LoopSetup, i: number): Promise<LoopRun & { shape: LoopShape }> {
  const spread = setup === 'spread';
  const dir = mkdtempSync(join(tmpdir(), 'ace-bench-bbloop-'));
  const prefix = `bbl${i}${spread ? 's' : 'o'}`;
  const t = loopTopology(base, dir, LOOP_STEPS, { burnMs: 0, maxPolicyLag: 0, codeVerifiers: 0 });
  t.prefix = prefix;
  // Hosts share no filesystem in principle: the weights travel through the object store on both setups.
  t.actors.learner.config = { ...t.actors.learner.config, weights: 'object-store' };
  const learner = t.actors.learner.config as { tasksPerStep: number; groupSize: number; stages: { maxResponseTokens: number }[] };
  const shape: LoopShape = {
    tasksPerStep: learner.tasksPerStep,
    groupSize: learner.groupSize,
    maxResponseTokens: learner.stages[0].maxResponseTokens,
    generators: t.actors.generator.instances ?? 1,
    verifiers: t.actors.verifier.instances ?? 1,
  };
  if (spread) {
    t.streams = { replicas: 3 };
    t.actors.generator.instances = 0;
    t.actors.verifier.instances = 0;
  }
  const file = join(dir, 'topology.json');
  writeFileSync(file, JSON.stringify(t));
  const urls = spread ? b.cluster.urls.join(',') : b.single.url;
  const [nsA, nsB, nsC] = spread && b.netns ? b.netns.hosts.map((h) => h.ns) : [null, null, null];
  const nc = await connectNats(urls, 'bench-loop');
  const procs: AceProc[] = [];
  try {
    const t0 = performance.now();
    const train = startAce('ace train', ['train', '--topology', file, '--nats', urls, '--run-dir', join(dir, 'run'), '--no-eval'], b.netns, nsA);
    procs.push(train);
    if (spread) {
      await recorded(nc, prefix, train);
      // A short --progress-ms: a join's process outlives its "stopped" by up to that long (its pending progress timer).
      const joinArgs = (host: string, actors: string) => ['up', '--join', urls, '--prefix', prefix, '--actors', actors, '--host', host, '--state-dir', join(dir, `join-${host}`), '--progress-ms', '1000'];
      procs.push(startAce('ace up --join (B)', joinArgs('b', `generator=${shape.generators}`), b.netns, nsB));
      procs.push(startAce('ace up --join (C)', joinArgs('c', `verifier=${shape.verifiers}`), b.netns, nsC));
    }
    const code = await exitOf(train, procs, LOOP_RUN_MS);
    const trainSeconds = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`ace train exited ${code}\n${explain(procs)}`);
    let downSeconds: number | undefined;
    if (spread) {
      const t1 = performance.now();
      // Its own (empty) state dir: an up.json in this folder's .ace is another run's.
      const down = await runAce(['down', '--nats', urls, '--prefix', prefix, '--state-dir', join(dir, 'down')], LOOP_DOWN_MS);
      if (down.code !== 0) throw new Error(`ace down exited ${down.code}: ${down.stderr}`);
      for (const j of procs.slice(1)) {
        const c = await exitOf(j, [j], LOOP_DOWN_MS);
        if (c !== 0) throw new Error(`${j.what} exited ${c} after ace down\n${explain([j])}`);
      }
      downSeconds = (performance.now() - t1) / 1000;
    }
    const P = prefix.toUpperCase();
    const records = (await readAll<StepRecord>(nc, `${P}_STEPS`, `${prefix}.steps.>`)).map((m) => m.value).sort((x, y) => x.step - y.step);
    if (records.length !== LOOP_STEPS) throw new Error(`${P}_STEPS holds ${records.length} step records, expected ${LOOP_STEPS}`);
    const steps = records.slice(1).map((r) => r.metrics['step/seconds']);
    return { setup, stepSeconds: median(steps), steps, trainSeconds, ...(downSeconds === undefined ? {} : { downSeconds }), shape };
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    // Each run's weights (LOOP_STEPS + 1 versions) off the servers: the cluster's file store is small.
    await deleteTopology(nc, topologyNames(prefix, StreamLimits.parse({}))).catch((err: Error) => log(`could not delete topology ${prefix}: ${err.message}`));
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function loop(b: Backbones): Promise<SectionResult> {
  const { base } = policy('models/base');
  const runs: LoopRun[] = [];
  let shape: LoopShape | undefined;
  for (const [i, setup] of LOOP_ORDER.entries()) {
    const { shape: s, ...r } = await loopRun(b, base, setup, i);
    shape = s;
    runs.push(r);
    const down = r.downSeconds === undefined ? '' : `, ace down to the joins' exits ${r.downSeconds.toFixed(0)} s`;
    log(`loop run ${i + 1}/${LOOP_ORDER.length} ${setup.padEnd(6)} step ${r.stepSeconds.toFixed(2)} s (steps ${r.steps.map((x) => x.toFixed(2)).join(', ')}; ace train ${r.trainSeconds.toFixed(0)} s${down})`);
  }
  const side = (s: LoopSetup) => runs.filter((r) => r.setup === s).map((r) => r.stepSeconds);
  const [single, spread] = [side('single'), side('spread')];
  // Ratios of the runs that ran back to back (order[2k], order[2k+1]), then their median and spread.
  const pairs: number[] = [];
  for (let k = 0; k + 1 < runs.length; k += 2) {
    const [x, y] = runs[k].setup === 'spread' ? [runs[k], runs[k + 1]] : [runs[k + 1], runs[k]];
    if (x.setup !== y.setup) pairs.push(x.stepSeconds / y.stepSeconds);
  }
  const ratio = median(spread) / median(single);
  const { tasksPerStep, groupSize, maxResponseTokens, generators, verifiers } = shape!;
  const netns = b.placement.kind === 'netns';
  const where = netns ? 'A, B, C one namespace each, with the nodes n1, n2, n3' : 'ALL ON LOOPBACK (no network namespaces: see the header)';
  const label = (s: LoopSetup) => (s === 'single' ? 'one host (1 server, R1)' : `spread (3 nodes, R3, ${netns ? 'netns' : 'loopback'})`);
  const cell = (xs: number[]) => `${median(xs).toFixed(3)} [${Math.min(...xs).toFixed(3)}, ${Math.max(...xs).toFixed(3)}]`;
  return {
    title:
      `loop: \`ace train\` (bench loop's topology: ${tasksPerStep} math prompts x ${groupSize}, ${maxResponseTokens}-token cap), weights through the object store, ${LOOP_STEPS} steps a run, the first left out; ` +
      `one host: every actor under \`ace train\` against the single server; spread: learner and normalizer under \`ace train\` on A, ` +
      `${generators} generator(s) on B and ${verifiers} verifier(s) on C under \`ace up --join\`, against the cluster, ${where}; ` +
      `runs in the order ${LOOP_ORDER.join(', ')}; step s: median of a run's measured steps; spread/one host: of the sides' medians, and per pair of runs back to back`,
    table: [
      ['', 'step s', 'steps s', 'train s'],
      ...runs.map((r, i) => [`run ${i + 1} ${label(r.setup)}`, r.stepSeconds.toFixed(2), r.steps.map((x) => x.toFixed(2)).join(' '), r.trainSeconds.toFixed(0)]),
      ['spread/one host', ratio.toFixed(3), pairs.length ? `pairs ${cell(pairs)}` : '', ''],
    ],
    figures: {
      steps: LOOP_STEPS,
      rolloutsPerStep: tasksPerStep * groupSize,
      maxResponseTokens,
      generators,
      verifiers,
      spreadPlacement: b.placement.kind,
      order: LOOP_ORDER,
      runs: runs.map((r) => ({
        setup: r.setup,
        stepSeconds: round3(r.stepSeconds),
        steps: r.steps.map(round3),
        trainSeconds: Math.round(r.trainSeconds),
        ...(r.downSeconds === undefined ? {} : { downSeconds: Math.round(r.downSeconds) }),
      })),
      single: { stepSeconds: round3(median(single)) },
      spread: { stepSeconds: round3(median(spread)) },
      'spread/single': { stepSeconds: round3(ratio), ...(pairs.length ? { pairs: pairs.map(round3) } : {}) },
    },
  };
}

// ---- the run -------------------------------------------------------------------------------

function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('   ').trimEnd()).join('\n');
}

export async function benchBackboneCluster(json: boolean): Promise<number> {
  const t0 = performance.now();
  const can = netnsAvailable();
  const netns = can.ok ? createNetns(['a', 'b', 'c']) : null;
  let single: NatsServer | undefined;
  let cluster: NatsCluster | undefined;
  try {
    single = await startNatsServer();
    cluster = await startNatsCluster({ nodes: [0, 1, 2].map((i) => (netns ? { name: `n${i + 1}`, ns: netns.hosts[i].ns, host: netns.hosts[i].addr } : { name: `n${i + 1}` })) });
    const placement: Placement = can.ok ? { kind: 'netns', addrs: netns!.hosts.map((h) => h.addr) } : { kind: 'loopback', why: can.why };
    const header =
      placement.kind === 'netns'
        ? `cluster: 3 nodes, one per network namespace (${placement.addrs.join(', ')}), reached over a bridge from the root namespace; single server on loopback`
        : `cluster: 3 nodes on loopback, network namespaces unavailable (${placement.why}); single server on loopback`;
    log(header);
    const b: Backbones = { single, cluster, placement, netns };
    const out: string[] = [header, `cores: ${availableParallelism()}`];
    const figures: Record<string, unknown> = {};
    for (const section of SECTIONS) {
      const res = await section.run(b);
      out.push('', res.title, formatTable(res.table));
      figures[section.key] = res.figures;
    }
    const seconds = (performance.now() - t0) / 1000;
    out.push('', `run time ${seconds.toFixed(0)} s`);
    const result = { placement: placement.kind, ...(placement.kind === 'loopback' ? { placementWhy: placement.why } : {}), cores: availableParallelism(), ...figures, runSeconds: Math.round(seconds) };
    // --json: the JSON line alone on stdout, the table on stderr.
    (json ? process.stderr : process.stdout).write(`${out.join('\n')}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await cluster?.stop();
    await single?.stop();
    netns?.destroy();
  }
}
