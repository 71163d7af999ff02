// `ace bench loop [--json]`: the RL step, streamed over JetStream vs. the same cores called
// in-process, on this machine (flags: --tasks, --tasks-per-call, --max-tokens, --gen-threads,
// --learn-threads, --generators, --verifier-nice).
// - stepSeconds: median streamed step (32 tasks x 8 samples, what `ace train` takes per step;
//   64-token cap), real math verifier, actors with their default settings (ORT threads sleep
//   when idle; the learner shares each group's prompt), the verifier at nice 10 (it is off the
//   critical path: the generator gets a core of its own; --verifier-nice 0 to compare).
// - streamOverhead: that streamed step over the same step run in-process, stage after stage
//   (generate, verify, normalize, learn) with the same model, batch and thread counts; the
//   in-process figure is the better of ORT threads busy-waiting or sleeping, median of 3.
// - pipelineSpeedup: with verification made about as costly as generation (CPU time burnt
//   per rollout, the stand-in for code execution: the faster in-process setting's generation
//   time per rollout), the in-process stage-after-stage step over the streamed step, where
//   verification and learning overlap generation. The in-process figure is the better
//   setting's median of 4 steps, 2 run just before the streamed run and 2 just after, so a
//   machine that speeds up or slows down meanwhile moves both sides (likewise for ...Lag1).
// - generatorBusyFrac: share of the streamed (costly) steps the generator spent sampling.
// - pipelineSpeedupLag1 (and ...Lag1): the same with maxPolicyLag 1 (bounded staleness).
// - cpuPerStep: CPU seconds per streamed costly step by actor and for nats-server (steps 1 to
//   9; start-up and the first step left out), next to inProcess[].costlyCpuPerStep; and the
//   machine's (/proc/stat, both cores): machine/idle (mostly at the step boundary, where the
//   strict barrier empties the pipeline and refills it), machine/steal (taken by the host),
//   machine/other (busy outside the actors and nats-server: the CLI, this bench, neighbours).
// - learnerPhasesMs: medians of the learner's step phases (ms): last group in -> gradients
//   done (tail), optimizer, new version written + announced + next prompts out (publish), and
//   the rest of the checkpoint (off the critical path).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { burnCpu } from '../actors/burn.ts';
import { injectionEnv } from '../actors/fault.ts';
import { defaultBuckets } from '../actors/learner/config.ts';
import type { StepRecord } from '../contracts/step.ts';
import type { TopologyInput } from '../contracts/topology.ts';
import type { Reward } from '../contracts/verdict.ts';
import { AdamW } from '../ops/model/adamw.ts';
import { loadCheckpoint, saveCheckpoint, trainerState } from '../ops/model/checkpoint.ts';
import { initParams, type LlamaConfig, parseLlamaConfig } from '../ops/model/config.ts';
import { Generator } from '../ops/model/generator.ts';
import { Learner } from '../ops/model/learner.ts';
import { groupAdvantages } from '../ops/recipe/advantage.ts';
import { mathPool, selectTasks, sharedPrefixFor } from '../ops/recipe/curriculum.ts';
import { promptTokens, responseText } from '../ops/recipe/template.ts';
import { MathVerifierPool } from '../ops/reward/math/pool.ts';
import { Rng } from '../ops/rng.ts';
import { generateMathTasks, type MathTask } from '../ops/tasks/math.ts';
import { Heartbeat } from '../contracts/metrics.ts';
import { connectNats, openKv } from '../streams/manager.ts';
import { startNatsServer } from '../streams/server.ts';
import { heartbeats, readAll, runAce } from '../tools/harness/up.ts';
import { z } from 'zod';
import { defineCommand } from '../tools/command.ts';
import { JSON_FLAG } from '../tools/session.ts';

// Settings (the flags of `command` below set them; these are their defaults).
let TASKS = 32;
const G = 8;
let TASKS_PER_CALL = 2;
let MAX_TOKENS = 64;
let GEN_THREADS = 1;
let LEARN_THREADS = 2;
let GENERATORS = 1;
let VERIFIER_NICE = 10;
const REPS = 3;
/** In-process costly steps per setting on each side of the streamed costly run. */
const COSTLY_REPS_EACH_SIDE = 2;
const SEED = 11;
const log = (m: string) => process.stderr.write(`[bench loop] ${m}\n`);
const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  const h = Math.floor(v.length / 2);
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
};

interface InProcess {
  gen: Generator;
  learner: Learner;
  params: Map<string, Float32Array>;
  optimizer: AdamW;
  verifier: MathVerifierPool;
}

/** One step, stage after stage: generate everything, verify everything, normalize, learn. */
async function inProcessStep(p: InProcess, tasks: MathTask[], burnMs: number): Promise<{ seconds: number; genSeconds: number; cpu: Record<string, number> }> {
  const cpuS = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const c0 = cpuS();
  const t0 = performance.now();
  const rows: { task: MathTask; tokens: Int32Array }[] = [];
  for (let i = 0; i < tasks.length; i += TASKS_PER_CALL) {
    const part = tasks.slice(i, i + TASKS_PER_CALL).flatMap((t) => Array.from({ length: G }, () => t));
    const out = await p.gen.sample(part.map((t) => promptTokens(t.question)), { maxNewTokens: MAX_TOKENS, temperature: 1, topP: 1, seed: i });
    part.forEach((t, k) => rows.push({ task: t, tokens: out.tokens[k] }));
  }
  const genSeconds = (performance.now() - t0) / 1000;
  const c1 = cpuS();
  const rewards: Reward[] = [];
  for (const r of rows) {
    if (burnMs > 0) burnCpu(burnMs);
    rewards.push((await p.verifier.verify({ gold: r.task.gold, response: responseText(r.tokens) })).reward);
  }
  const c2 = cpuS();
  for (let g = 0; g < tasks.length; g++) {
    const members = rows.slice(g * G, (g + 1) * G);
    const { advantages } = groupAdvantages(rewards.slice(g * G, (g + 1) * G));
    const prompt = promptTokens(tasks[g].question);
    await p.learner.accumulate({
      tokens: members.map((m) => Int32Array.from([...prompt, ...m.tokens])),
      responseStart: members.map(() => prompt.length),
      advantages,
    });
  }
  const grads = p.learner.takeGrads();
  p.optimizer.step(p.params, grads, 1e-5);
  p.learner.recycle(grads);
  const c3 = cpuS();
  return { seconds: (performance.now() - t0) / 1000, genSeconds, cpu: { generate: c1 - c0, verify: c2 - c1, learn: c3 - c2 } };
}

export function topology(base: string, runDir: string, steps: number, burnMs: number, maxPolicyLag = 0): TopologyInput {
  return {
    name: 'benchloop',
    prefix: `${burnMs > 0 ? 'blc' : 'blp'}${maxPolicyLag}`,
    seed: SEED,
    maxUnverified: TASKS * G,
    actors: {
      generator: { kind: 'generator', instances: GENERATORS, config: { tasksPerBatch: TASKS_PER_CALL, threads: GEN_THREADS, lingerMs: 5 } },
      verifier: { kind: 'verifier', nice: VERIFIER_NICE, config: {} },
      normalizer: { kind: 'normalizer', config: {} },
      learner: {
        kind: 'learner',
        config: { base, runDir, steps, weights: 'file', tasksPerStep: TASKS, groupSize: G, lr: 1e-5, threads: LEARN_THREADS, maxPolicyLag, curriculum: [{ fromStep: 0, maxResponseTokens: MAX_TOKENS }] },
      },
    },
  };
}

const PHASES = ['step/tail_after_last_group_ms', 'step/optimizer_ms', 'step/publish_ms', 'step/checkpoint_ms'] as const;

/** CPU seconds a process has used (utime + stime from /proc; Linux). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** The machine's CPU seconds (all cores) spent idle, stolen by the hypervisor, and busy, from /proc/stat (Linux). */
function machineCpuSeconds(): { idle: number; steal: number; busy: number } | null {
  if (!existsSync('/proc/stat')) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: (idle + iowait) / 100, steal: steal / 100, busy: (user + nice + system + irq + softirq) / 100 };
}

export async function streamed(
  natsUrl: string,
  base: string,
  burnMs: number,
  maxPolicyLag = 0,
  serverPid?: number,
): Promise<{ stepSeconds: number; busyFrac: number; phasesMs: Record<string, number>; cpuPerStep: Record<string, number>; records: StepRecord[] }> {
  const runDir = mkdtempSync(join(tmpdir(), 'ace-bench-loop-'));
  const steps = 10;
  const t = topology(base, runDir, steps, burnMs, maxPolicyLag);
  const file = join(runDir, 'bench-topology.json');
  writeFileSync(file, JSON.stringify(t));
  const prefix = t.prefix!;
  const nc = await connectNats(natsUrl, 'bench-loop');
  // CPU seconds over time, per process: actors from their heartbeats (about one a second,
  // watched on the actors bucket once it exists: a watch costs the server far less than listing
  // keys over and over), nats-server and the machine from /proc, read each second.
  const cpuSeen = new Map<string, { ts: number; cpu: number }[]>();
  const note = (who: string, ts: number, cpu: number) => {
    const xs = cpuSeen.get(who) ?? [];
    if (!xs.length || xs[xs.length - 1].cpu !== cpu) xs.push({ ts, cpu });
    cpuSeen.set(who, xs);
  };
  let running = true;
  let stopWatch = () => {};
  const watchBeats = (async () => {
    while (running) {
      // The bucket appears once `ace train` has set the topology up.
      const w = await openKv(nc, `${prefix}-actors`)
        .then((kv) => kv.watch())
        .catch(() => null);
      if (!w) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      stopWatch = () => w.stop();
      if (!running) w.stop();
      for await (const e of w) {
        if (e.operation !== 'PUT' || !e.value.length) continue;
        const h = Heartbeat.safeParse(e.json());
        if (h.success && h.data.metrics['process/cpu_s'] !== undefined) note(h.data.instance, h.data.ts, h.data.metrics['process/cpu_s']);
      }
      return;
    }
  })();
  const pollProc = (async () => {
    while (running) {
      if (serverPid) note('nats-server', Date.now(), processCpuSeconds(serverPid));
      const machine = machineCpuSeconds();
      if (machine) for (const [k, v] of Object.entries(machine)) note(`machine/${k}`, Date.now(), v);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  // The costly verification is injected into the verifier through the environment of `ace train`.
  const env = burnMs > 0 ? injectionEnv({ verifier: { burnMsPerRollout: burnMs } }) : {};
  const r = await runAce(['train', '--topology', file, '--nats', natsUrl, '--run-dir', join(runDir, 'run'), '--no-eval'], 600_000, env);
  running = false;
  stopWatch();
  await Promise.all([watchBeats, pollProc]);
  if (r.code !== 0) throw new Error(`streamed run failed:\n${r.stderr}`);
  const records = (await readAll<StepRecord>(nc, `${prefix.toUpperCase()}_STEPS`, `${prefix}.steps.>`)).map((m) => m.value);
  const beats = await heartbeats(nc, prefix);
  const gen = beats.find((h) => h.actor === 'generator')!;
  await nc.close();
  const secs = records.slice(1).map((x) => x.metrics['step/seconds']).sort((a, b) => a - b);
  const total = records.reduce((s, x) => s + x.metrics['step/seconds'], 0);
  // Median per phase over the measured steps (the first step, with graph builds, left out).
  const phasesMs = Object.fromEntries(PHASES.map((k) => [k.slice('step/'.length), Number(median(records.slice(1).map((x) => x.metrics[k])).toFixed(1))]));
  // CPU seconds per step over the measured steps (start of step 1 to the end of the last),
  // each process's CPU clock interpolated at those instants, summed per actor.
  const from = records[1].startedAt;
  const to = records[records.length - 1].endedAt;
  const at = (xs: { ts: number; cpu: number }[], ts: number): number => {
    const i = xs.findIndex((x) => x.ts >= ts);
    if (i < 0) return xs[xs.length - 1].cpu;
    if (i === 0) return xs[0].cpu;
    const [a, b] = [xs[i - 1], xs[i]];
    return a.cpu + ((b.cpu - a.cpu) * (ts - a.ts)) / (b.ts - a.ts);
  };
  const cpuPerStep: Record<string, number> = {};
  for (const [who, xs] of cpuSeen) {
    const actor = who === 'nats-server' ? who : (beats.find((h) => h.instance === who)?.actor ?? who);
    cpuPerStep[actor] = (cpuPerStep[actor] ?? 0) + (at(xs, to) - at(xs, from)) / (records.length - 1);
  }
  // Busy CPU not in the actors or nats-server: the CLI that runs the topology, this poller and
  // anything else on the machine.
  if (cpuPerStep['machine/busy'] !== undefined) {
    const known = Object.entries(cpuPerStep).filter(([k]) => !k.startsWith('machine/')).reduce((s, [, v]) => s + v, 0);
    cpuPerStep['machine/other'] = cpuPerStep['machine/busy'] - known;
  }
  for (const k of Object.keys(cpuPerStep)) cpuPerStep[k] = Number(cpuPerStep[k].toFixed(3));
  return { stepSeconds: median(secs), busyFrac: gen.metrics['generator/busy_ms'] / 1000 / total, phasesMs, cpuPerStep, records };
}

const count = (d: number, max = 1024) => z.int().min(1).max(max).default(d);

export const command = defineCommand({
  name: 'bench loop',
  summary: 'the streamed RL step against the same step run in-process, stage after stage',
  description: 'Prints stepSeconds, streamOverhead, pipelineSpeedup (verification as costly as generation), generatorBusyFrac, the same with maxPolicyLag 1, CPU per step by actor and the learner phases (see the header of bench/loop.ts).',
  flags: {
    ...JSON_FLAG,
    tasks: { schema: count(TASKS), help: 'prompts per step' },
    'tasks-per-call': { schema: count(TASKS_PER_CALL), help: 'prompts per generator call' },
    'max-tokens': { schema: count(MAX_TOKENS, 65_536), help: 'response cap, tokens' },
    'gen-threads': { schema: count(GEN_THREADS, 256), help: 'ORT threads of the generator' },
    'learn-threads': { schema: count(LEARN_THREADS, 256), help: 'ORT threads of the learner' },
    generators: { schema: count(GENERATORS, 64), help: 'generator instances' },
    'verifier-nice': { schema: z.int().min(0).max(19).default(VERIFIER_NICE), help: 'niceness of the verifier processes' },
  },
  examples: ['ace bench loop --json', 'ace bench loop --tasks 8 --verifier-nice 0'],
  async run(f) {
    TASKS = f.tasks;
    TASKS_PER_CALL = f['tasks-per-call'];
    MAX_TOKENS = f['max-tokens'];
    GEN_THREADS = f['gen-threads'];
    LEARN_THREADS = f['learn-threads'];
    GENERATORS = f.generators;
    VERIFIER_NICE = f['verifier-nice'];
    return benchLoop(f.json);
  },
});

async function benchLoop(json: boolean): Promise<number> {
  let base = 'models/base';
  let config: LlamaConfig;
  let params: Map<string, Float32Array>;
  if (existsSync(join(base, 'model.safetensors'))) {
    ({ config, params } = loadCheckpoint(base));
  } else {
    config = parseLlamaConfig({ max_position_embeddings: 256 });
    params = initParams(config, new Rng(SEED));
    base = join(mkdtempSync(join(tmpdir(), 'ace-bench-base-')), 'base');
    saveCheckpoint(base, { config, params, optimizer: null, state: trainerState() });
    log(`no models/base: using a randomly initialized default-size policy`);
  }
  const pool = generateMathTasks({ seed: SEED, split: 'train', count: 5000 });
  const tasks = selectTasks(pool, new Map(), { fromStep: 0, maxResponseTokens: MAX_TOKENS, dropPassRateAtLeast: 1 }, SEED, 1, TASKS);
  // In-process baseline: the best of ORT threads busy-waiting (its default, best for a
  // process that has the cores to itself) and sleeping, median of REPS steps each. The
  // costly verification's CPU per rollout is the faster setting's generation time per rollout.
  const setups: { spinWait: boolean; p: InProcess; cheap: number; costly: number; costlyRuns: number[][]; gen: number; cpu: Record<string, number>; cpuSum: Record<string, number> }[] = [];
  for (const spinWait of [true, false]) {
    const p: InProcess = {
      gen: await Generator.create(config, params, { threads: GEN_THREADS, spinWait, maxBatch: 256, maxSeqLen: config.max_position_embeddings }),
      learner: new Learner(config, params, { buckets: defaultBuckets(config.max_position_embeddings), threads: LEARN_THREADS, spinWait, sharedPrefix: sharedPrefixFor(mathPool(pool)) }),
      params,
      optimizer: new AdamW({}),
      verifier: new MathVerifierPool({ workers: 1, deadlineMs: 2000 }),
    };
    await p.verifier.ready();
    log(`in-process (spinWait ${spinWait}) warm-up step ...`);
    await inProcessStep(p, tasks, 0);
    const cheap: number[] = [];
    const gen: number[] = [];
    for (let r = 0; r < REPS; r++) {
      const x = await inProcessStep(p, tasks, 0);
      cheap.push(x.seconds);
      gen.push(x.genSeconds);
    }
    setups.push({ spinWait, p, cheap: median(cheap), costly: 0, costlyRuns: [], gen: median(gen), cpu: {}, cpuSum: {} });
    log(`in-process (spinWait ${spinWait}): step ${median(cheap).toFixed(2)} s (generation ${median(gen).toFixed(2)} s)`);
  }
  const burnMs = (Math.min(...setups.map((s) => s.gen)) * 1000) / (TASKS * G);
  // In-process costly steps on both sides of each streamed costly run (2 per setting before,
  // 2 after; the strict run and the maxPolicyLag 1 run share the ones between them): a ratio
  // then holds up when the machine (shared, noisy) speeds up or slows down meanwhile.
  const costlyReps = async () => {
    for (const s of setups) {
      const runs: number[] = [];
      for (let r = 0; r < COSTLY_REPS_EACH_SIDE; r++) {
        const x = await inProcessStep(s.p, tasks, burnMs);
        runs.push(x.seconds);
        for (const [k, v] of Object.entries(x.cpu)) s.cpuSum[k] = (s.cpuSum[k] ?? 0) + v;
      }
      s.costlyRuns.push(runs);
    }
  };
  /** The better setting's median over the rep blocks `from`..`to` (inclusive). */
  const sequential = (from: number, to: number) => Math.min(...setups.map((s) => median(s.costlyRuns.slice(from, to + 1).flat())));
  const cheap = { seconds: Math.min(...setups.map((b) => b.cheap)) };

  const server = await startNatsServer();
  try {
    log('streamed steps, cheap verification ...');
    const s1 = await streamed(server.url, base, 0, 0, server.pid);
    log(`streamed step ${s1.stepSeconds.toFixed(2)} s`);
    await costlyReps();
    log('streamed steps, costly verification ...');
    const s2 = await streamed(server.url, base, burnMs, 0, server.pid);
    log(`streamed step with costly verification ${s2.stepSeconds.toFixed(2)} s, generator busy ${(s2.busyFrac * 100).toFixed(0)}%`);
    await costlyReps();
    log('streamed steps, costly verification, maxPolicyLag 1 ...');
    const s3 = await streamed(server.url, base, burnMs, 1, server.pid);
    log(`streamed step with costly verification and maxPolicyLag 1: ${s3.stepSeconds.toFixed(2)} s, generator busy ${(s3.busyFrac * 100).toFixed(0)}%`);
    await costlyReps();
    for (const s of setups) {
      s.costly = median(s.costlyRuns.slice(0, 2).flat());
      const n = s.costlyRuns.flat().length;
      for (const [k, v] of Object.entries(s.cpuSum)) s.cpu[k] = v / n;
      log(`in-process (spinWait ${s.spinWait}): with costly verification (${burnMs.toFixed(1)} ms CPU per rollout) runs ${s.costlyRuns.map((b) => b.map((x) => x.toFixed(2)).join(', ')).join(' | ')}`);
      await s.p.learner.close();
      await s.p.gen.dispose();
      await s.p.verifier.close();
    }
    const baseline = setups;
    const costly = { seconds: sequential(0, 1) };
    const costlyLag1 = { seconds: sequential(1, 2) };
    const result = {
      stepSeconds: Number(s1.stepSeconds.toFixed(3)),
      inProcessStepSeconds: Number(cheap.seconds.toFixed(3)),
      inProcess: baseline.map((b) => ({ spinWait: b.spinWait, stepSeconds: Number(b.cheap.toFixed(3)), costlyStepSeconds: Number(b.costly.toFixed(3)), generationSeconds: Number(b.gen.toFixed(3)), costlyCpuPerStep: Object.fromEntries(Object.entries(b.cpu).map(([k, v]) => [k, Number(v.toFixed(3))])) })),
      streamOverhead: Number((s1.stepSeconds / cheap.seconds).toFixed(3)),
      costlyVerifyMsPerRollout: Number(burnMs.toFixed(2)),
      sequentialCostlyStepSeconds: Number(costly.seconds.toFixed(3)),
      streamedCostlyStepSeconds: Number(s2.stepSeconds.toFixed(3)),
      pipelineSpeedup: Number((costly.seconds / s2.stepSeconds).toFixed(3)),
      generatorBusyFrac: Number(s2.busyFrac.toFixed(3)),
      // Bounded staleness (rollouts may be one version old): generation of step N+1 overlaps
      // the learner's step N, which strict on-policy forbids.
      streamedCostlyStepSecondsLag1: Number(s3.stepSeconds.toFixed(3)),
      sequentialCostlyStepSecondsLag1: Number(costlyLag1.seconds.toFixed(3)),
      pipelineSpeedupLag1: Number((costlyLag1.seconds / s3.stepSeconds).toFixed(3)),
      generatorBusyFracLag1: Number(s3.busyFrac.toFixed(3)),
      learnerPhasesMs: s1.phasesMs,
      // CPU seconds per step by actor (all instances) and nats-server, costly run.
      cpuPerStep: s2.cpuPerStep,
      cpuPerStepLag1: s3.cpuPerStep,
      rolloutsPerStep: TASKS * G,
      settings: { tasksPerCall: TASKS_PER_CALL, genThreads: GEN_THREADS, learnThreads: LEARN_THREADS, generators: GENERATORS, verifierNice: VERIFIER_NICE },
      maxResponseTokens: MAX_TOKENS,
      model: { hidden_size: config.hidden_size, layers: config.num_hidden_layers, base },
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else for (const [k, v] of Object.entries(result)) process.stdout.write(`${k.padEnd(30)} ${JSON.stringify(v)}\n`);
    return 0;
  } finally {
    await server.stop();
  }
}
