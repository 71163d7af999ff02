// `ace bench loop [--json]`: the RL step, streamed over JetStream vs. the same cores called
// in-process, on this machine (flags: --domain, --base, --tasks, --tasks-per-call, --max-tokens,
// --max-unverified, --gen-threads, --learn-threads, --generators, --verifier-nice).
// Math (the default, --domain math):
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
//   machine that speeds up or slows down meanwhile moves both sides (likewise for ...Lag1);
//   each pair follows an untimed step (switching settings slows the next step, see bracket).
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
// Code (--domain code; --base a checkpoint that writes fenced JavaScript): real code
// verification instead of burnt CPU. The learner releases code-suite prompts (136-token cap),
// one `code-verifier` role (isolated-vm, the suite's hidden tests) judges them.
// - stepSeconds: median streamed step; inProcessStepSeconds: the same step in-process stage
//   after stage (generate, verify with RolloutJudge on code, normalize, learn), bracketed as
//   above (better setting, median of 2 steps before and 2 after); pipelineSpeedup = in-process
//   over streamed; inProcess[].generateMsPerRollout / verifyMsPerRollout: the stages' wall time.
// - windowWaitFrac: share of streamed steps 1-9 the generator spent blocked in the backpressure
//   window (generator/window_wait_ms). Strictly on-policy with the window at one step (the
//   default, as `ace train`) it cannot block; --max-unverified below a step lets it.
// - verifyTailFrac: share of steps 1-9 between a step's last rollout and its last verdict (the
//   code verifiers on the critical path at the strict step boundary).
// - ...CodeVerifiers2: the same streamed run with 2 `code-verifier` instances; outcomes: the
//   streamed run's verdict kinds (`unparseable`: no program ran).
// The code verifier's child processes are not in cpuPerStep's actors (they land in machine/other).
// Dashboard (--dashboard): only the streamed math step (cheap verification), in six alternating
// runs without and with `ace dashboard` open beside it and polled as a page and a Prometheus
// scraper would (bench/dashboard-load.ts): stepSecondsWithout / stepSecondsWith (medians of
// three runs each), their ratio, and the dashboard process's CPU seconds per step.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { burnCpu } from '../actors/burn.ts';
import { injectionEnv } from '../actors/fault.ts';
import { DEFAULT_CODE_MAX_RESPONSE_TOKENS, defaultBuckets } from '../actors/learner/config.ts';
import { Domain } from '../contracts/common.ts';
import type { Rollout } from '../contracts/rollout.ts';
import type { StepRecord } from '../contracts/step.ts';
import { StreamLimits, type TopologyInput } from '../contracts/topology.ts';
import type { Verdict } from '../contracts/verdict.ts';
import { AdamW } from '../ops/model/adamw.ts';
import { loadCheckpoint, saveCheckpoint, trainerState } from '../ops/model/checkpoint.ts';
import { initParams, type LlamaConfig, parseLlamaConfig } from '../ops/model/config.ts';
import { Generator } from '../ops/model/generator.ts';
import { Learner } from '../ops/model/learner.ts';
import { groupAdvantages } from '../ops/recipe/advantage.ts';
import { checkContext, codePool, mathPool, type PoolTask, selectTasks, sharedPrefixFor } from '../ops/recipe/curriculum.ts';
import { modelPromptFormat, type PromptFormat, samplingIdsOf } from '../ops/recipe/template.ts';
import { type Judgement, JudgeSettings, RolloutJudge } from '../ops/reward/judge.ts';
import { Rng } from '../ops/rng.ts';
import { generateCodeTasks } from '../ops/tasks/code.ts';
import { generateMathTasks } from '../ops/tasks/math.ts';
import { Heartbeat } from '../contracts/metrics.ts';
import { connectNats, deleteTopology, openKv } from '../streams/manager.ts';
import { topologyNames } from '../streams/topology.ts';
import { startNatsServer } from '../streams/server.ts';
import { heartbeats, readAll, runAce } from '../tools/harness/up.ts';
import { type DashboardLoad, openDashboard } from './dashboard-load.ts';
import { z } from 'zod';
import { defineCommand } from '../tools/command.ts';
import { CliError, JSON_FLAG } from '../tools/session.ts';

// Settings (the flags of `command` below set them; these are their defaults).
let DOMAIN: Domain = 'math';
let TASKS = 32;
const G = 8;
let TASKS_PER_CALL = 2;
/** Math cap; code defaults to DEFAULT_CODE_MAX_RESPONSE_TOKENS. */
let MAX_TOKENS = 64;
/** Default one step, TASKS x G, as `ace train`. */
let MAX_UNVERIFIED = TASKS * G;
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
const r3 = (x: number) => Number(x.toFixed(3));

interface InProcess {
  gen: Generator;
  /** The base's prompt format (its tokenizer and chat template, or the byte-level format), as the actors use it. */
  format: PromptFormat;
  learner: Learner;
  params: Map<string, Float32Array>;
  optimizer: AdamW;
  /** The verifier actor's judge with its default settings (one math worker, one JavaScript isolate). */
  judge: RolloutJudge;
}

interface InProcessResult {
  seconds: number;
  genSeconds: number;
  verifySeconds: number;
  cpu: Record<string, number>;
  outcomes: Record<string, number>;
}

/** One step, stage after stage: generate everything, verify everything, normalize, learn. */
async function inProcessStep(p: InProcess, tasks: PoolTask[], burnMs: number): Promise<InProcessResult> {
  const cpuS = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const c0 = cpuS();
  const t0 = performance.now();
  const rows: { task: PoolTask; tokens: Int32Array }[] = [];
  for (let i = 0; i < tasks.length; i += TASKS_PER_CALL) {
    const part = tasks.slice(i, i + TASKS_PER_CALL).flatMap((t) => Array.from({ length: G }, () => t));
    const out = await p.gen.sample(part.map((t) => p.format.promptTokens(t.prompt)), { maxNewTokens: MAX_TOKENS, temperature: 1, topP: 1, seed: i });
    part.forEach((t, k) => rows.push({ task: t, tokens: out.tokens[k] }));
  }
  const t1 = performance.now();
  const c1 = cpuS();
  const judged: Judgement[] = [];
  for (const r of rows) {
    if (burnMs > 0) burnCpu(burnMs);
    judged.push(await p.judge.judge({ domain: r.task.domain, gold: r.task.gold, tests: r.task.tests, response: p.format.responseText(r.tokens) }));
  }
  const t2 = performance.now();
  const c2 = cpuS();
  const rewards = judged.map((j) => j.reward);
  for (let g = 0; g < tasks.length; g++) {
    const members = rows.slice(g * G, (g + 1) * G);
    const { advantages } = groupAdvantages(rewards.slice(g * G, (g + 1) * G));
    const prompt = p.format.promptTokens(tasks[g].prompt);
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
  const outcomes: Record<string, number> = {};
  for (const j of judged) outcomes[j.outcome.kind] = (outcomes[j.outcome.kind] ?? 0) + 1;
  // Code programs run in the judge's child processes: their CPU is not in `verify`.
  return { seconds: (performance.now() - t0) / 1000, genSeconds: (t1 - t0) / 1000, verifySeconds: (t2 - t1) / 1000, cpu: { generate: c1 - c0, verify: c2 - c1, learn: c3 - c2 }, outcomes };
}

/** One streamed run: costly verification (math: CPU burnt per rollout), policy lag, code-verifier instances (code). */
export interface StreamedRun {
  burnMs: number;
  maxPolicyLag: number;
  codeVerifiers: number;
  /** `ace dashboard` open and polled beside the run (bench/dashboard-load.ts). */
  dashboard?: boolean;
}

export function topology(base: string, runDir: string, steps: number, run: StreamedRun): TopologyInput {
  const code = DOMAIN === 'code';
  return {
    name: 'benchloop',
    prefix: code ? `blk${run.codeVerifiers}` : `${run.burnMs > 0 ? 'blc' : 'blp'}${run.maxPolicyLag}`,
    seed: SEED,
    maxUnverified: MAX_UNVERIFIED,
    actors: {
      generator: { kind: 'generator', instances: GENERATORS, config: { tasksPerBatch: TASKS_PER_CALL, threads: GEN_THREADS, lingerMs: 5 } },
      ...(code
        ? { 'code-verifier': { kind: 'verifier', instances: run.codeVerifiers, nice: VERIFIER_NICE, config: { domains: ['code'] } } }
        : { verifier: { kind: 'verifier', nice: VERIFIER_NICE, config: {} } }),
      normalizer: { kind: 'normalizer', config: {} },
      learner: {
        kind: 'learner',
        config: {
          base,
          runDir,
          weights: 'file',
          stages: [{ domain: DOMAIN, steps, maxResponseTokens: MAX_TOKENS }],
          tasksPerStep: TASKS,
          groupSize: G,
          lr: 1e-5,
          threads: LEARN_THREADS,
          maxPolicyLag: run.maxPolicyLag,
        },
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

type Series = Map<string, { ts: number; v: number }[]>;

/** A counter's value at `ts`, interpolated between the readings around it. */
function at(xs: { ts: number; v: number }[], ts: number): number {
  const i = xs.findIndex((x) => x.ts >= ts);
  if (i < 0) return xs[xs.length - 1].v;
  if (i === 0) return xs[0].v;
  const [a, b] = [xs[i - 1], xs[i]];
  return a.v + ((b.v - a.v) * (ts - a.ts)) / (b.ts - a.ts);
}

export interface StreamedResult {
  stepSeconds: number;
  busyFrac: number;
  /** Share of steps 1-9 the generators (on average) spent blocked in the backpressure window. */
  windowWaitFrac: number;
  /** Share of steps 1-9 between each step's last rollout and its last verdict. */
  verifyTailFrac: number;
  /** With run.dashboard: what the polling client did. */
  dashboard?: Awaited<ReturnType<DashboardLoad['stop']>>;
  outcomes: Record<string, number>;
  phasesMs: Record<string, number>;
  cpuPerStep: Record<string, number>;
  records: StepRecord[];
}

export async function streamed(natsUrl: string, base: string, run: StreamedRun, serverPid?: number): Promise<StreamedResult> {
  const runDir = mkdtempSync(join(tmpdir(), 'ace-bench-loop-'));
  const steps = 10;
  const t = topology(base, runDir, steps, run);
  const file = join(runDir, 'bench-topology.json');
  writeFileSync(file, JSON.stringify(t));
  const prefix = t.prefix!;
  const nc = await connectNats(natsUrl, 'bench-loop');
  // Counters over time, per process: CPU seconds and the generators' window wait from the
  // actors' heartbeats (about one a second, watched on the actors bucket once it exists: a
  // watch costs the server far less than listing keys over and over), nats-server and the
  // machine from /proc, read each second.
  const cpuSeen: Series = new Map();
  const waitSeen: Series = new Map();
  const note = (seen: Series, who: string, ts: number, v: number) => {
    const xs = seen.get(who) ?? [];
    if (!xs.length || xs[xs.length - 1].v !== v) xs.push({ ts, v });
    seen.set(who, xs);
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
        if (!h.success) continue;
        const m = h.data.metrics;
        if (m['process/cpu_s'] !== undefined) note(cpuSeen, h.data.instance, h.data.ts, m['process/cpu_s']);
        if (m['generator/window_wait_ms'] !== undefined) note(waitSeen, h.data.instance, h.data.ts, m['generator/window_wait_ms']);
      }
      return;
    }
  })();
  // The dashboard starts once the run's streams exist: not the previous run's of the same prefix.
  if (run.dashboard) await deleteTopology(nc, topologyNames(prefix, StreamLimits.parse({})));
  const dashboard = run.dashboard ? openDashboard(nc, natsUrl, prefix, join(runDir, 'run')) : null;
  const pollProc = (async () => {
    while (running) {
      if (serverPid) note(cpuSeen, 'nats-server', Date.now(), processCpuSeconds(serverPid));
      const dashboardPid = dashboard?.pid();
      if (dashboardPid) note(cpuSeen, 'dashboard', Date.now(), processCpuSeconds(dashboardPid));
      const machine = machineCpuSeconds();
      if (machine) for (const [k, v] of Object.entries(machine)) note(cpuSeen, `machine/${k}`, Date.now(), v);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  // The costly verification is injected into the verifier through the environment of `ace train`.
  const env = run.burnMs > 0 ? injectionEnv({ verifier: { burnMsPerRollout: run.burnMs } }) : {};
  const r = await runAce(['train', '--topology', file, '--nats', natsUrl, '--run-dir', join(runDir, 'run'), '--no-eval'], 600_000, env);
  running = false;
  stopWatch();
  await Promise.all([watchBeats, pollProc]);
  const dashboardLoad = await dashboard?.stop();
  if (r.code !== 0) throw new Error(`streamed run failed:\n${r.stderr}`);
  const stream = (key: string) => [`${prefix.toUpperCase()}_${key.toUpperCase()}`, `${prefix}.${key}.>`] as const;
  const records = (await readAll<StepRecord>(nc, ...stream('steps'))).map((m) => m.value);
  const rollouts = (await readAll<Rollout>(nc, ...stream('rollouts'))).map((m) => m.value);
  const verdicts = (await readAll<Verdict>(nc, ...stream('verdicts'))).map((m) => m.value);
  const beats = await heartbeats(nc, prefix);
  const gen = beats.find((h) => h.actor === 'generator')!;
  await nc.close();
  const measured = records.slice(1);
  const secs = measured.map((x) => x.metrics['step/seconds']);
  const total = records.reduce((s, x) => s + x.metrics['step/seconds'], 0);
  // Median per phase over the measured steps (the first step, with graph builds, left out).
  const phasesMs = Object.fromEntries(PHASES.map((k) => [k.slice('step/'.length), Number(median(measured.map((x) => x.metrics[k])).toFixed(1))]));
  // Each step's last rollout to its last verdict: the verifiers' share of the step boundary.
  const lastTs = (xs: { step: number; ts: number }[]) => {
    const last = new Map<number, number>();
    for (const x of xs) last.set(x.step, Math.max(last.get(x.step) ?? 0, x.ts));
    return last;
  };
  const [lastRollout, lastVerdict] = [lastTs(rollouts), lastTs(verdicts)];
  const tailS = measured.reduce((s, x) => s + Math.max(0, lastVerdict.get(x.step)! - lastRollout.get(x.step)!) / 1000, 0);
  const outcomes: Record<string, number> = {};
  for (const v of verdicts) outcomes[v.outcome.kind] = (outcomes[v.outcome.kind] ?? 0) + 1;
  // Counters per step over the measured steps (start of step 1 to the end of the last), each
  // process's counter interpolated at those instants, summed per actor.
  const from = records[1].startedAt;
  const to = records[records.length - 1].endedAt;
  const cpuPerStep: Record<string, number> = {};
  for (const [who, xs] of cpuSeen) {
    const actor = who === 'nats-server' ? who : (beats.find((h) => h.instance === who)?.actor ?? who);
    cpuPerStep[actor] = (cpuPerStep[actor] ?? 0) + (at(xs, to) - at(xs, from)) / measured.length;
  }
  // Busy CPU not in the actors or nats-server: the CLI that runs the topology, this poller and
  // anything else on the machine.
  if (cpuPerStep['machine/busy'] !== undefined) {
    const known = Object.entries(cpuPerStep).filter(([k]) => !k.startsWith('machine/')).reduce((s, [, v]) => s + v, 0);
    cpuPerStep['machine/other'] = cpuPerStep['machine/busy'] - known;
  }
  for (const k of Object.keys(cpuPerStep)) cpuPerStep[k] = r3(cpuPerStep[k]);
  const waitMs = [...waitSeen.values()].reduce((s, xs) => s + at(xs, to) - at(xs, from), 0);
  return {
    stepSeconds: median(secs),
    busyFrac: gen.metrics['generator/busy_ms'] / 1000 / total,
    windowWaitFrac: waitMs / GENERATORS / (to - from),
    verifyTailFrac: tailS / secs.reduce((s, x) => s + x, 0),
    ...(dashboardLoad ? { dashboard: dashboardLoad } : {}),
    outcomes,
    phasesMs,
    cpuPerStep,
    records,
  };
}

const count = (d: number, max = 1024) => z.int().min(1).max(max).default(d);

export const command = defineCommand({
  name: 'bench loop',
  summary: 'the streamed RL step against the same step run in-process, stage after stage',
  description:
    'Math (default): prints stepSeconds, streamOverhead, pipelineSpeedup (verification as costly as generation), generatorBusyFrac,\n' +
    'the same with maxPolicyLag 1, CPU per step by actor and the learner phases. Code (--domain code, a --base that writes\n' +
    'fenced JavaScript): the step with real code verification, pipelineSpeedup, the generator\'s wait on the code verifiers\n' +
    'and the same with 2 code-verifier instances (see the header of bench/loop.ts).',
  flags: {
    ...JSON_FLAG,
    domain: { schema: Domain.default('math'), help: 'math: verification made costly with burnt CPU; code: real code verification (isolated-vm)' },
    base: { schema: z.string().default('models/base'), help: 'checkpoint of the policy (math: a random one when the default is missing)', value: 'DIR' },
    tasks: { schema: count(TASKS), help: 'prompts per step' },
    'tasks-per-call': { schema: count(TASKS_PER_CALL), help: 'prompts per generator call' },
    'max-tokens': { schema: z.int().min(1).max(65_536).optional(), help: `response cap, tokens (default ${MAX_TOKENS} for math, ${DEFAULT_CODE_MAX_RESPONSE_TOKENS} for code)` },
    'max-unverified': { schema: z.int().min(1).optional(), help: 'rollouts published and not yet verified, at most (default: one step, tasks x 8)' },
    'gen-threads': { schema: count(GEN_THREADS, 256), help: 'ORT threads of the generator' },
    'learn-threads': { schema: count(LEARN_THREADS, 256), help: 'ORT threads of the learner' },
    generators: { schema: count(GENERATORS, 64), help: 'generator instances' },
    'verifier-nice': { schema: z.int().min(0).max(19).default(VERIFIER_NICE), help: 'niceness of the verifier processes' },
    dashboard: { schema: z.boolean().default(false), help: 'only the streamed step, without and with `ace dashboard` open and polled beside it, alternating (runs off, on, on, off, off, on)' },
  },
  examples: ['ace bench loop --json', 'ace bench loop --tasks 8 --verifier-nice 0', 'ace bench loop --domain code --json'],
  async run(f) {
    DOMAIN = f.domain;
    TASKS = f.tasks;
    TASKS_PER_CALL = f['tasks-per-call'];
    MAX_TOKENS = f['max-tokens'] ?? (DOMAIN === 'code' ? DEFAULT_CODE_MAX_RESPONSE_TOKENS : MAX_TOKENS);
    MAX_UNVERIFIED = f['max-unverified'] ?? TASKS * G;
    GEN_THREADS = f['gen-threads'];
    LEARN_THREADS = f['learn-threads'];
    GENERATORS = f.generators;
    VERIFIER_NICE = f['verifier-nice'];
    return f.dashboard ? benchDashboard(f.json, f.base) : benchLoop(f.json, f.base);
  },
});

/** The policy: `base`, or (math, default base missing) a randomly initialized one saved for the actors. */
export function policy(base: string): { base: string; config: LlamaConfig; params: Map<string, Float32Array> } {
  if (existsSync(join(base, 'model.safetensors')) || existsSync(join(base, 'model.safetensors.index.json'))) return { base, ...loadCheckpoint(base, { allowModelDir: true }) };
  if (DOMAIN === 'code' || base !== 'models/base') {
    throw new CliError('NO_BASE', `no checkpoint at ${base} (--base)\nHINT: ${DOMAIN === 'code' ? 'the code bench needs a base that writes fenced JavaScript, e.g. an `ace sft` checkpoint with code in its mix' : 'pass a folder with model.safetensors and config.json'}`);
  }
  const config = parseLlamaConfig({ max_position_embeddings: 256 });
  const params = initParams(config, new Rng(SEED));
  const dir = join(mkdtempSync(join(tmpdir(), 'ace-bench-base-')), 'base');
  saveCheckpoint(dir, { config, params, optimizer: null, state: trainerState() });
  log(`no models/base: using a randomly initialized default-size policy`);
  return { base: dir, config, params };
}

/** In-process runs of one ORT setting: a block of steps per bracket around the streamed runs. */
interface Setup {
  spinWait: boolean;
  p: InProcess;
  cheap: number;
  gen: number;
  blocks: InProcessResult[][];
}

async function benchLoop(json: boolean, baseFlag: string): Promise<number> {
  const { base, config, params } = policy(baseFlag);
  const format = modelPromptFormat(base, config);
  const pool = DOMAIN === 'code' ? codePool(generateCodeTasks({ seed: SEED, split: 'train', count: 5000 })) : mathPool(generateMathTasks({ seed: SEED, split: 'train', count: 5000 }));
  checkContext(pool, MAX_TOKENS, config.max_position_embeddings, 'bench', format);
  const tasks = selectTasks(pool, new Map(), 1, SEED, 1, TASKS);
  // In-process baseline: the best of ORT threads busy-waiting (its default, best for a
  // process that has the cores to itself) and sleeping. Math: median of REPS steps each; the
  // costly verification's CPU per rollout is the faster setting's generation time per rollout.
  const setups: Setup[] = [];
  for (const spinWait of [true, false]) {
    const p: InProcess = {
      gen: await Generator.create(config, params, { threads: GEN_THREADS, spinWait, maxBatch: 256, maxSeqLen: config.max_position_embeddings, ...samplingIdsOf(format, config) }),
      format,
      learner: new Learner(config, params, { buckets: defaultBuckets(config.max_position_embeddings), threads: LEARN_THREADS, spinWait, sharedPrefix: sharedPrefixFor(pool, format) }),
      params,
      optimizer: new AdamW({}),
      judge: new RolloutJudge(JudgeSettings.parse({}), [DOMAIN]),
    };
    await p.judge.ready();
    log(`in-process (spinWait ${spinWait}) warm-up step ...`);
    const warm = await inProcessStep(p, tasks, 0);
    const s: Setup = { spinWait, p, cheap: 0, gen: 0, blocks: [] };
    setups.push(s);
    if (DOMAIN === 'code') {
      const ran = TASKS * G - (warm.outcomes.unparseable ?? 0);
      log(`in-process (spinWait ${spinWait}) warm-up: ${warm.seconds.toFixed(2)} s (generation ${warm.genSeconds.toFixed(2)} s, verification ${warm.verifySeconds.toFixed(2)} s); outcomes ${JSON.stringify(warm.outcomes)}`);
      if (ran < (TASKS * G) / 2) log(`only ${ran} of ${TASKS * G} responses hold a program\nHINT: --base should be a policy that writes fenced JavaScript (an \`ace sft\` checkpoint with code in its mix)`);
      continue;
    }
    const cheap: number[] = [];
    const gen: number[] = [];
    for (let r = 0; r < REPS; r++) {
      const x = await inProcessStep(p, tasks, 0);
      cheap.push(x.seconds);
      gen.push(x.genSeconds);
    }
    s.cheap = median(cheap);
    s.gen = median(gen);
    log(`in-process (spinWait ${spinWait}): step ${s.cheap.toFixed(2)} s (generation ${s.gen.toFixed(2)} s)`);
  }
  const burnMs = DOMAIN === 'code' ? 0 : (Math.min(...setups.map((s) => s.gen)) * 1000) / (TASKS * G);
  // In-process (costly) steps on both sides of each streamed run (2 per setting before, 2
  // after; neighbouring streamed runs share the block between them): a ratio then holds up
  // when the machine (shared, noisy) speeds up or slows down meanwhile. Each block starts with
  // an untimed step: the first step of a setting after the other setting or a streamed run ran
  // is 2-3 s slower in the learner (seen 2026-12-04), a cost of this bench switching between
  // them, not of training in-process.
  const bracket = async () => {
    for (const s of setups) {
      await inProcessStep(s.p, tasks, burnMs);
      const runs: InProcessResult[] = [];
      for (let r = 0; r < COSTLY_REPS_EACH_SIDE; r++) runs.push(await inProcessStep(s.p, tasks, burnMs));
      s.blocks.push(runs);
    }
  };
  /** The better setting's median step over the blocks `from`..`to` (inclusive). */
  const sequential = (from: number, to: number) => Math.min(...setups.map((s) => median(s.blocks.slice(from, to + 1).flat().map((x) => x.seconds))));

  const server = await startNatsServer();
  try {
    const result = DOMAIN === 'code' ? await codeFigures(server, base, setups, bracket, sequential) : await mathFigures(server, base, setups, burnMs, bracket, sequential);
    const out = { ...result, rolloutsPerStep: TASKS * G, maxUnverified: MAX_UNVERIFIED, settings: { tasksPerCall: TASKS_PER_CALL, genThreads: GEN_THREADS, learnThreads: LEARN_THREADS, generators: GENERATORS, verifierNice: VERIFIER_NICE }, maxResponseTokens: MAX_TOKENS, model: { hidden_size: config.hidden_size, layers: config.num_hidden_layers, base } };
    if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else for (const [k, v] of Object.entries(out)) process.stdout.write(`${k.padEnd(30)} ${JSON.stringify(v)}\n`);
    return 0;
  } finally {
    for (const s of setups) {
      await s.p.learner.close();
      await s.p.gen.dispose();
      await s.p.judge.close();
    }
    await server.stop();
  }
}

/**
 * stepSeconds of the streamed step without and with the dashboard open and polled (cheap
 * verification, default settings), in alternating runs so that a machine that slows down or
 * speeds up meanwhile moves both sides.
 */
async function benchDashboard(json: boolean, baseFlag: string): Promise<number> {
  const { base } = policy(baseFlag);
  const server = await startNatsServer();
  try {
    const order = [false, true, true, false, false, true];
    const runs: { dashboard: boolean; result: StreamedResult }[] = [];
    for (const [i, dashboard] of order.entries()) {
      log(`streamed run ${i + 1}/${order.length}, dashboard ${dashboard ? 'open and polled' : 'off'} ...`);
      const result = await streamed(server.url, base, { burnMs: 0, maxPolicyLag: 0, codeVerifiers: 0, dashboard }, server.pid);
      log(`  step ${result.stepSeconds.toFixed(2)} s${result.dashboard ? `; dashboard ${result.cpuPerStep.dashboard ?? '?'} CPU s/step, ${JSON.stringify(result.dashboard)}` : ''}`);
      runs.push({ dashboard, result });
    }
    const side = (on: boolean) => runs.filter((r) => r.dashboard === on).map((r) => r.result);
    const [off, on] = [side(false), side(true)];
    const out = {
      stepSecondsWithout: r3(median(off.map((r) => r.stepSeconds))),
      stepSecondsWith: r3(median(on.map((r) => r.stepSeconds))),
      ratio: r3(median(on.map((r) => r.stepSeconds)) / median(off.map((r) => r.stepSeconds))),
      runsWithout: off.map((r) => r3(r.stepSeconds)),
      runsWith: on.map((r) => r3(r.stepSeconds)),
      dashboardCpuPerStep: on.map((r) => r.cpuPerStep.dashboard ?? null),
      natsServerCpuPerStep: { without: off.map((r) => r.cpuPerStep['nats-server'] ?? null), with: on.map((r) => r.cpuPerStep['nats-server'] ?? null) },
      client: on.map((r) => r.dashboard),
      rolloutsPerStep: TASKS * G,
      order: order.map((d) => (d ? 'on' : 'off')),
    };
    if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else for (const [k, v] of Object.entries(out)) process.stdout.write(`${k.padEnd(24)} ${JSON.stringify(v)}\n`);
    return 0;
  } finally {
    await server.stop();
  }
}

type Server = { url: string; pid?: number };
type Sequential = (from: number, to: number) => number;

/** Per setting, CPU seconds per step by stage over every bracketed step. */
const cpuOf = (s: Setup) => {
  const runs = s.blocks.flat();
  const sum: Record<string, number> = {};
  for (const x of runs) for (const [k, v] of Object.entries(x.cpu)) sum[k] = (sum[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, r3(v / runs.length)]));
};

async function mathFigures(server: Server, base: string, setups: Setup[], burnMs: number, bracket: () => Promise<void>, sequential: Sequential) {
  const cheap = Math.min(...setups.map((b) => b.cheap));
  log('streamed steps, cheap verification ...');
  const s1 = await streamed(server.url, base, { burnMs: 0, maxPolicyLag: 0, codeVerifiers: 0 }, server.pid);
  log(`streamed step ${s1.stepSeconds.toFixed(2)} s`);
  await bracket();
  log('streamed steps, costly verification ...');
  const s2 = await streamed(server.url, base, { burnMs, maxPolicyLag: 0, codeVerifiers: 0 }, server.pid);
  log(`streamed step with costly verification ${s2.stepSeconds.toFixed(2)} s, generator busy ${(s2.busyFrac * 100).toFixed(0)}%`);
  await bracket();
  log('streamed steps, costly verification, maxPolicyLag 1 ...');
  const s3 = await streamed(server.url, base, { burnMs, maxPolicyLag: 1, codeVerifiers: 0 }, server.pid);
  log(`streamed step with costly verification and maxPolicyLag 1: ${s3.stepSeconds.toFixed(2)} s, generator busy ${(s3.busyFrac * 100).toFixed(0)}%`);
  await bracket();
  for (const s of setups) log(`in-process (spinWait ${s.spinWait}): with costly verification (${burnMs.toFixed(1)} ms CPU per rollout) runs ${s.blocks.map((b) => b.map((x) => x.seconds.toFixed(2)).join(', ')).join(' | ')}`);
  const costly = sequential(0, 1);
  const costlyLag1 = sequential(1, 2);
  return {
    stepSeconds: r3(s1.stepSeconds),
    inProcessStepSeconds: r3(cheap),
    inProcess: setups.map((b) => ({ spinWait: b.spinWait, stepSeconds: r3(b.cheap), costlyStepSeconds: r3(median(b.blocks.slice(0, 2).flat().map((x) => x.seconds))), generationSeconds: r3(b.gen), costlyCpuPerStep: cpuOf(b) })),
    streamOverhead: r3(s1.stepSeconds / cheap),
    costlyVerifyMsPerRollout: Number(burnMs.toFixed(2)),
    sequentialCostlyStepSeconds: r3(costly),
    streamedCostlyStepSeconds: r3(s2.stepSeconds),
    pipelineSpeedup: r3(costly / s2.stepSeconds),
    generatorBusyFrac: r3(s2.busyFrac),
    // Bounded staleness (rollouts may be one version old): generation of step N+1 overlaps
    // the learner's step N, which strict on-policy forbids.
    streamedCostlyStepSecondsLag1: r3(s3.stepSeconds),
    sequentialCostlyStepSecondsLag1: r3(costlyLag1),
    pipelineSpeedupLag1: r3(costlyLag1 / s3.stepSeconds),
    generatorBusyFracLag1: r3(s3.busyFrac),
    learnerPhasesMs: s1.phasesMs,
    // CPU seconds per step by actor (all instances) and nats-server, costly run.
    cpuPerStep: s2.cpuPerStep,
    cpuPerStepLag1: s3.cpuPerStep,
  };
}

async function codeFigures(server: Server, base: string, setups: Setup[], bracket: () => Promise<void>, sequential: Sequential) {
  await bracket();
  log('streamed steps, code verification, 1 code-verifier ...');
  const s1 = await streamed(server.url, base, { burnMs: 0, maxPolicyLag: 0, codeVerifiers: 1 }, server.pid);
  const say = (s: StreamedResult) =>
    `${s.stepSeconds.toFixed(2)} s, generator busy ${(s.busyFrac * 100).toFixed(0)}%, in the window ${(s.windowWaitFrac * 100).toFixed(1)}%, verify tail ${(s.verifyTailFrac * 100).toFixed(1)}%; outcomes ${JSON.stringify(s.outcomes)}`;
  log(`streamed step ${say(s1)}`);
  await bracket();
  log('streamed steps, code verification, 2 code-verifiers ...');
  const s2 = await streamed(server.url, base, { burnMs: 0, maxPolicyLag: 0, codeVerifiers: 2 }, server.pid);
  log(`streamed step ${say(s2)}`);
  await bracket();
  const run = (x: InProcessResult) => `${x.seconds.toFixed(2)} (${x.genSeconds.toFixed(2)} + ${x.verifySeconds.toFixed(2)})`;
  for (const s of setups) log(`in-process (spinWait ${s.spinWait}): runs, s (generation + verification) ${s.blocks.map((b) => b.map(run).join(', ')).join(' | ')}`);
  const seq1 = sequential(0, 1);
  const seq2 = sequential(1, 2);
  const perRollout = (xs: number[]) => r3((median(xs) * 1000) / (TASKS * G));
  return {
    domain: 'code',
    stepSeconds: r3(s1.stepSeconds),
    inProcessStepSeconds: r3(seq1),
    pipelineSpeedup: r3(seq1 / s1.stepSeconds),
    inProcess: setups.map((s) => {
      const runs = s.blocks.flat();
      return {
        spinWait: s.spinWait,
        stepSeconds: r3(median(runs.map((x) => x.seconds))),
        generateMsPerRollout: perRollout(runs.map((x) => x.genSeconds)),
        verifyMsPerRollout: perRollout(runs.map((x) => x.verifySeconds)),
        cpuPerStep: cpuOf(s),
      };
    }),
    windowWaitFrac: r3(s1.windowWaitFrac),
    verifyTailFrac: r3(s1.verifyTailFrac),
    generatorBusyFrac: r3(s1.busyFrac),
    stepSecondsCodeVerifiers2: r3(s2.stepSeconds),
    inProcessStepSecondsCodeVerifiers2: r3(seq2),
    pipelineSpeedupCodeVerifiers2: r3(seq2 / s2.stepSeconds),
    windowWaitFracCodeVerifiers2: r3(s2.windowWaitFrac),
    verifyTailFracCodeVerifiers2: r3(s2.verifyTailFrac),
    generatorBusyFracCodeVerifiers2: r3(s2.busyFrac),
    outcomes: s1.outcomes,
    rewardMean: r3(s1.records.reduce((s, x) => s + x.metrics['reward/mean'], 0) / s1.records.length),
    learnerPhasesMs: s1.phasesMs,
    cpuPerStep: s1.cpuPerStep,
    cpuPerStepCodeVerifiers2: s2.cpuPerStep,
  };
}
