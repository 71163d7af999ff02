// `ace train`, the main job: the recipe on the embedded default. Evaluates the base policy
// on the held-out math and code splits (`--eval-suite`), starts the topology (embedded
// nats-server; one process each for the generator, the math verifier, the code verifier, the
// advantage-normalizer and the learner), runs the recipe's stages one after another inside the
// run (DEFAULT_RECIPE: math at growing length, hard prompts last, then code; `--domain` for one
// stage; a topology file for any other), prints one line per optimizer step with its stage,
// evaluates each stage's last checkpoint as the stage ends and prints the per-stage table, then
// a before/after table with rows per suite. `--resume` continues a run whose processes were all
// killed, from its last committed step. The defaults of the flags are the learner's and the
// topology's own schema defaults. `--base` may be any model directory of a supported family
// (`ace model init` makes a scratch one): its tokenizer and chat template, when it has them,
// format the prompts of the whole run (generation, evaluation, probes), and each step
// checkpoint gets a copy of its tokenizer files.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { z } from 'zod';
import { DEFAULT_CODE_MAX_RESPONSE_TOKENS, DEFAULT_MAX_RESPONSE_TOKENS, LearnerConfig } from '../actors/learner/config.ts';
import { DONE_KEY, STEP_KEY } from '../actors/learner/learner.ts';
import { Domain } from '../contracts/common.ts';
import type { StepRecord } from '../contracts/step.ts';
import { Topology, type TopologyInput } from '../contracts/topology.ts';
import { stepCheckpointDir } from '../ops/model/checkpoint.ts';
import { GeneratorConfig, promptFormatDir } from '../actors/generator/config.ts';
import { loadCheckpoint } from '../ops/model/checkpoint.ts';
import { readModelConfig } from '../ops/model/model-dir.ts';
import { bytePromptFormat, checkFormatFits, loadPromptFormat } from '../ops/recipe/template.ts';
import { placeStages, type RecipeStageInput, selectTasks, stageAt, stagePool, totalSteps } from '../ops/recipe/curriculum.ts';
import type { EvalTask } from '../ops/recipe/evaluate.ts';
import type { EvalReport } from '../ops/recipe/evaluate.ts';
import { defineCommand, type FlagValues } from './command.ts';
import { DASHBOARD_FLAG, startAlongside } from './dashboard.ts';
import { comparisonTable, EVAL_FLAGS, evalCheckpoint, evalLoaded, type EvalReports, EvalRequest, heldoutTasks, pct, reportFigures, suiteDomains } from './eval.ts';
import { type Interrupt, launch, logLine, watchInterrupts, writeOut } from './launch.ts';
import { acquireLock } from './lock.ts';
import { CliError, checkNatsUrl, JSON_FLAG } from './session.ts';
import { parseTopology, readTopologyJson } from './topology-file.ts';

const L = LearnerConfig.shape;

/**
 * The default recipe, the paper's schedule scaled down: math RL in three stages of growing
 * response length (64 -> 96 -> 128 tokens; the paper's 8K -> 16K -> 24K), the last on the
 * suite's hard levels (3-5) less the prompts the policy already solves (observed pass rate
 * 0.75 or more in the earlier stages), then code RL in two stages (112 -> 136 tokens, the
 * second without the code prompts it already solves) at a lower learning rate.
 */
/**
 * The code stages' learning rate. Measured on the shipped base after the math stages (seed 1,
 * 200 held-out problems per suite, eval seed 2024): 40 code steps at 2e-4 took math avg@8 from
 * 43.9% to 26.6% (the small policy forgets), at 5e-5 math stayed at 44.0% while code went from
 * 48.5% to 65.8%.
 */
export const CODE_STAGE_LR = 5e-5;

export const DEFAULT_RECIPE: RecipeStageInput[] = [
  { name: 'math-64', domain: 'math', steps: 20, maxResponseTokens: 64 },
  { name: 'math-96', domain: 'math', steps: 20, maxResponseTokens: 96 },
  { name: 'math-128-hard', domain: 'math', steps: 20, maxResponseTokens: 128, source: { kind: 'synthetic', levels: [3, 4, 5] }, filter: { dropPassRateAtLeast: 0.75 } },
  { name: 'code-112', domain: 'code', steps: 20, maxResponseTokens: 112, lr: CODE_STAGE_LR },
  { name: 'code-136-hard', domain: 'code', steps: 20, maxResponseTokens: DEFAULT_CODE_MAX_RESPONSE_TOKENS, filter: { dropPassRateAtLeast: 0.75 }, lr: CODE_STAGE_LR },
];

export const TRAIN_FLAGS = {
  'run-dir': { schema: z.string().default('runs/default'), help: 'run state: topology.json, checkpoints, logs, result.json', value: 'DIR' },
  topology: { schema: z.string().optional(), help: 'a topology file to run instead of the one built from these flags', value: 'FILE' },
  nats: { schema: z.string().optional(), help: 'use a running NATS server at this URL instead of starting one', value: 'URL' },
  resume: { schema: z.boolean().default(false), help: 'continue the run in --run-dir from its last committed step' },
  steps: { schema: z.int().min(1).optional(), help: `optimizer steps (default: the recipe's ${totalSteps(DEFAULT_RECIPE)}, its stages scaled in proportion; with --domain, 80)` },
  seed: { schema: Topology.shape.seed, help: "the run's one seed (prompt draws, sampling)" },
  base: { schema: L.base, help: 'checkpoint or model directory of the starting policy (its tokenizer.json and chat template, when present, format the prompts)', value: 'DIR' },
  'tasks-per-step': { schema: L.tasksPerStep, help: 'prompts per step' },
  'group-size': { schema: L.groupSize, help: 'responses per prompt (G in GRPO)' },
  lr: { schema: L.lr, help: 'AdamW learning rate (constant)' },
  'max-unverified': { schema: Topology.shape.maxUnverified.unwrap().optional(), help: 'rollouts published and not yet verified, at most (backpressure; default: one step, tasks-per-step x group-size)' },
  domain: { schema: Domain.optional(), help: 'one stage on this suite (math or code) instead of the default recipe' },
  'max-response-tokens': {
    schema: z.int().min(1).max(65_536).optional(),
    help: `response-length cap of the --domain stage, tokens (default ${DEFAULT_MAX_RESPONSE_TOKENS} for math, ${DEFAULT_CODE_MAX_RESPONSE_TOKENS} for code)`,
  },
  'dynamic-sampling': { schema: z.boolean().default(false), help: 'replace groups whose rewards are all equal with new prompts (up to 3 x tasks-per-step a step; off in the paper)' },
  'overlong-filter': { schema: z.boolean().default(false), help: 'leave responses cut by the length cap out of the loss instead of scoring them 0 (off in the paper)' },
  'eval-suite': { ...EVAL_FLAGS.suite, help: 'held-out suites of the before/after evaluation: math, code, or all' },
  'eval-problems': { ...EVAL_FLAGS.problems, help: 'held-out problems per suite of the before/after evaluation (code: at most about 1,800)' },
  'eval-k': { ...EVAL_FLAGS.k, help: 'samples per held-out problem (avg@k, pass@k)' },
  'eval-seed': { ...EVAL_FLAGS.seed, help: 'seed of the held-out draws and their sampling' },
  'probe-every': { schema: z.int().min(0).default(10), help: 'every N steps, the reward on a fixed probe set of training prompts at the sampling temperature, beside the batch reward (0 or --no-eval: off)' },
  'probe-prompts': { schema: z.int().min(1).max(1000).default(64), help: 'prompts per domain in the probe set' },
  'no-eval': { schema: z.boolean().default(false), help: 'skip the before/after evaluation' },
  ...DASHBOARD_FLAG,
  ...JSON_FLAG,
} as const;

export type TrainSettings = FlagValues<typeof TRAIN_FLAGS>;

/**
 * The stages of a run built from the flags: with --domain one stage on that suite, else the
 * default recipe, whose stages --steps scales in proportion (each keeps at least one step).
 */
export function trainStages(s: Pick<TrainSettings, 'steps' | 'domain' | 'max-response-tokens'>): RecipeStageInput[] {
  if (s.domain) {
    const cap = s['max-response-tokens'] ?? (s.domain === 'code' ? DEFAULT_CODE_MAX_RESPONSE_TOKENS : DEFAULT_MAX_RESPONSE_TOKENS);
    return [{ domain: s.domain, steps: s.steps ?? 80, maxResponseTokens: cap }];
  }
  if (s['max-response-tokens'] !== undefined) throw new CliError('USAGE', '--max-response-tokens sets the cap of a one-stage run: give --domain too\nHINT: the default recipe has its own caps per stage; change them in a topology file (--topology)');
  if (s.steps === undefined) return DEFAULT_RECIPE;
  if (s.steps < DEFAULT_RECIPE.length) throw new CliError('USAGE', `--steps ${s.steps} cannot hold the default recipe's ${DEFAULT_RECIPE.length} stages\nHINT: give at least ${DEFAULT_RECIPE.length}, or one stage with --domain`);
  // Largest remainders, each stage at least one step, the sum exactly --steps.
  const total = totalSteps(DEFAULT_RECIPE);
  const exact = DEFAULT_RECIPE.map((st) => (st.steps * s.steps!) / total);
  const steps = exact.map((x) => Math.max(1, Math.floor(x)));
  const byRemainder = exact.map((_, i) => i).sort((a, b) => exact[b] - Math.floor(exact[b]) - (exact[a] - Math.floor(exact[a])) || a - b);
  let left = s.steps - steps.reduce((a, b) => a + b, 0);
  for (let k = 0; left > 0; k++, left--) steps[byRemainder[k % steps.length]]++;
  for (; left < 0; left++) steps[steps.indexOf(Math.max(...steps))]--;
  return DEFAULT_RECIPE.map((st, i) => ({ ...st, steps: steps[i] }));
}

export function trainTopology(s: TrainSettings): TopologyInput {
  return {
    name: 'train',
    prefix: 'ace',
    seed: s.seed,
    maxUnverified: s['max-unverified'] ?? s['tasks-per-step'] * s['group-size'],
    actors: {
      // The base's tokenizer and chat template (the byte-level format when it has none).
      generator: { kind: 'generator', instances: 1, config: { tasksPerBatch: s['tasks-per-step'], tokenizer: resolve(s.base) } },
      // Math and code verification as roles that scale apart (`ace scale code-verifier=3`).
      'math-verifier': { kind: 'verifier', instances: 1, config: { domains: ['math'] } },
      'code-verifier': { kind: 'verifier', instances: 1, config: { domains: ['code'] } },
      normalizer: { kind: 'normalizer', instances: 1, config: s['overlong-filter'] ? { overlongFilter: true } : {} },
      learner: {
        kind: 'learner',
        instances: 1,
        config: {
          base: resolve(s.base),
          runDir: resolve(s['run-dir']),
          tasksPerStep: s['tasks-per-step'],
          groupSize: s['group-size'],
          lr: s.lr,
          // One machine: generators read each version straight from the step checkpoint.
          weights: 'file',
          stages: trainStages(s),
          ...(s['dynamic-sampling'] ? { dynamicSampling: true } : {}),
          // The probes read these checkpoints, maybe some steps after they were written.
          ...(s['probe-every'] > 0 && !s['no-eval'] ? { keepCheckpointEvery: s['probe-every'] } : {}),
        },
      },
    },
  };
}

function stepLine(r: StepRecord): string {
  const m = r.metrics;
  return (
    `step ${String(r.step).padStart(3)}  ${r.stage ?? ''}  v${r.policyVersion}  reward ${m['reward/mean'].toFixed(3)}  pass ${pct(m['reward/pass_rate'])}  ` +
    `len ${m['response/mean_tokens'].toFixed(1)}  entropy ${m['learner/entropy'].toFixed(3)}  ${m['step/tokens_per_s'].toFixed(0)} tok/s  ${m['step/seconds'].toFixed(1)} s`
  );
}

/** One report per suite, the first 50 samples of each. */
const trimmed = (reports: EvalReports) => Object.fromEntries(Object.entries(reports).map(([d, r]) => [d, { ...r, samples: r.samples.slice(0, 50) }]));

/** eval-before.json / eval-after.json. */
function writeReports(path: string, reports: EvalReports): void {
  writeFileSync(path, `${JSON.stringify(trimmed(reports), null, 2)}\n`);
}

/**
 * The per-stage table, a row per stage as the paper lays it out: held-out avg@k and pass@k of
 * each domain for the base and for the checkpoint that ends each stage evaluated so far.
 */
export function stageTable(rows: { name: string; steps: string; cap: string; reports: EvalReports }[], domains: readonly Domain[], k: number): string {
  const cols = domains.flatMap((d) => [`${d} avg@${k}`, `${d} pass@${k}`]);
  const lines = [`| stage | steps | cap | ${cols.join(' | ')} |`, `|---|---|---|${cols.map(() => '---|').join('')}`];
  for (const r of rows) lines.push(`| ${r.name} | ${r.steps} | ${r.cap} | ${domains.flatMap((d) => [pct(r.reports[d]!.overall.avgAtK), pct(r.reports[d]!.overall.passAtK)]).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

function readReports(path: string): EvalReports {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as EvalReports | EvalReport;
  // A run started before code evaluation kept one math report.
  return 'overall' in raw ? { math: raw } : raw;
}

/** The exit code of a run stopped early (130: Ctrl-C, as a shell reports one). */
const EXIT: Record<Interrupt | 'failure', number> = { SIGINT: 130, SIGTERM: 143, EPIPE: 141, failure: 1 };

export const command = defineCommand({
  name: 'train',
  summary: 'the recipe (math RL in length stages, then code RL) on the shipped base through the actors, evaluated per stage',
  description: 'Evaluates the base on the held-out math and code splits (--eval-suite), starts the topology (embedded\nnats-server; one generator, math-verifier, code-verifier, advantage-normalizer and learner process) and\nruns the recipe: math-64, math-96, math-128-hard, code-112, code-136-hard (--domain: one stage instead;\n--topology: stages of your own). Prints one line per optimizer step with its stage, a per-stage table as\neach stage ends (its last checkpoint evaluated), then a before/after table with rows per suite.\nCtrl-C stops (exit 130; SIGTERM 143) in any phase; --resume continues. Exit 1 when an actor is in a crash loop;\n2 when the run dir is locked by another `ace`.',
  flags: TRAIN_FLAGS,
  examples: ['ace train', 'ace train --steps 20 --tasks-per-step 16 --run-dir runs/short', 'ace train --domain code --steps 80 --run-dir runs/code', 'ace train --run-dir runs/short --resume'],
  async run(values) {
    const runDir = resolve(values['run-dir']);
    const topologyPath = join(runDir, 'topology.json');
    const interrupts = watchInterrupts();
    const log = logLine('train');
    let topologyRaw: unknown;
    if (values.resume) {
      if (!existsSync(topologyPath)) throw new CliError('NO_RUN', `nothing to resume in ${runDir} (no topology.json)\nHINT: start a run with \`ace train --run-dir ${values['run-dir']}\``);
      topologyRaw = readTopologyJson(topologyPath);
    } else {
      if (existsSync(join(runDir, 'topology.json'))) throw new CliError('RUN_EXISTS', `${runDir} already holds a run\nHINT: continue it with --resume, or choose another --run-dir`);
      topologyRaw = values.topology ? readTopologyJson(values.topology) : trainTopology(values);
    }
    // Every setting (each actor's config too), the base checkpoint and the --nats server are
    // checked before the base evaluation and before anything is written into the run dir.
    const where = values.resume ? topologyPath : (values.topology ?? '(built from the flags)');
    const topology = await parseTopology(topologyRaw, where);
    if (topology.actors.learner?.kind !== 'learner') throw new CliError('NO_LEARNER', `${where} has no actor named 'learner' of kind learner, which \`ace train\` follows\nHINT: run other topologies with \`ace up FILE\``);
    const learnerCfg = LearnerConfig.parse(topology.actors.learner.config);
    if (!values.resume && !['model.safetensors', 'model.safetensors.index.json'].some((f) => existsSync(join(learnerCfg.base, f)))) {
      throw new CliError(
        'NO_BASE',
        `no base checkpoint at ${learnerCfg.base} (${values.topology ? `actors.learner.config.base in ${where}` : '--base'})\nHINT: train one with \`ace sft --out ${learnerCfg.base}\`, or make a scratch model with \`ace model init --out ${learnerCfg.base}\``,
      );
    }
    // The run's prompt format, loaded (and checked against the base) before anything starts.
    const formatDir = promptFormatDir(topology);
    const format = formatDir === null ? bytePromptFormat : loadPromptFormat(formatDir);
    if (existsSync(join(learnerCfg.base, 'config.json'))) checkFormatFits(format, readModelConfig(learnerCfg.base), learnerCfg.base);
    if (format.tokenizer.kind === 'hf') log(`prompts: the chat template and tokenizer of ${formatDir} (${format.tokenizer.vocabSize} ids, stop ids ${format.tokenizer.stopIds.join(', ')})`);
    if (values.nats) await checkNatsUrl(values.nats);
    const evalDomains = suiteDomains(values['eval-suite']);
    const evalReq = (checkpoint: string): EvalRequest =>
      EvalRequest.parse({ checkpoint, domains: evalDomains, k: values['eval-k'], problems: values['eval-problems'], seed: values['eval-seed'] });
    // Drawn once, before the run dir is touched: a code draw that cannot give --eval-problems fails here.
    const heldout = values['no-eval'] ? {} : heldoutTasks(evalReq(learnerCfg.base));
    mkdirSync(runDir, { recursive: true });
    const lock = acquireLock(runDir, 'train', values['run-dir']); // until this process exits
    // Evaluation runs in this process alone (threads, no child processes): a stop request
    // during it leaves nothing to drain, so it ends the process now, not after its chunk.
    const orExit = async <T>(what: string, work: Promise<T>): Promise<T> => {
      const r = await Promise.race([work.then((value) => ({ value })), interrupts.first]);
      if (typeof r === 'object') return r.value;
      log(`${r} during the ${what} evaluation: stopped`);
      lock.release();
      process.exit(EXIT[r]);
    };
    if (!values.resume) {
      writeFileSync(topologyPath, `${JSON.stringify(topologyRaw, null, 2)}\n`);
    }
    const evalProgress = (what: string) => (domain: Domain, done: number, total: number) => {
      if (done === total || done % 512 === 0) log(`eval ${what} ${domain}: ${done}/${total} samples`);
    };
    const k = values['eval-k'];

    // On --resume the base's reports are read back; only suites they lack are evaluated.
    let before: EvalReports | null = null;
    const beforePath = join(runDir, 'eval-before.json');
    if (!values['no-eval']) {
      before = existsSync(beforePath) ? readReports(beforePath) : {};
      const missing = evalDomains.filter((d) => !before![d]);
      if (missing.length > 0) {
        log(`evaluating the base policy ${learnerCfg.base} on ${missing.join(' and ')} (avg@${k}, ${values['eval-problems']} held-out problems each)`);
        Object.assign(before, await orExit('base', evalCheckpoint({ ...evalReq(learnerCfg.base), domains: missing }, heldout, evalProgress('before'), format)));
        writeReports(beforePath, before);
      }
      for (const d of evalDomains) log(`before: ${d} avg@${k} ${pct(before[d]!.overall.avgAtK)} pass@${k} ${pct(before[d]!.overall.passAtK)}`);
    }

    const launched = await launch({ topology, topologyPath, stateDir: runDir, lock, natsUrl: values.nats, resume: values.resume, log });
    interrupts.again = () => {
      log('stopping now: actors killed without a drain');
      launched.kill();
    };
    const stages = placeStages(learnerCfg.stages);
    const steps = totalSteps(learnerCfg.stages);
    const dashboard = values.dashboard === undefined ? null : await startAlongside({ nc: launched.nc, names: launched.names, topology, port: values.dashboard, log });
    log(`run ${launched.runId}: ${steps} steps x ${learnerCfg.tasksPerStep} prompts x ${learnerCfg.groupSize} samples; watch with \`ace monitor --state-dir ${values['run-dir']}\``);
    for (const p of stages) {
      const src = p.stage.source.kind === 'curated' ? p.stage.source.path : `synthetic ${p.stage.domain} levels ${p.stage.source.levels.join(',')}`;
      const drop = p.stage.filter.dropPassRateAtLeast < 1 ? `, drops prompts with pass rate >= ${p.stage.filter.dropPassRateAtLeast}` : '';
      const band = p.stage.filter.solveRate ? `, solve rate in (${p.stage.filter.solveRate.above}, ${p.stage.filter.solveRate.below})` : '';
      log(`stage ${p.name}: steps ${p.fromStep}-${p.endStep - 1}, ${p.stage.domain}, cap ${p.stage.maxResponseTokens} tokens, ${src}${drop}${band}`);
    }

    // Each stage's last checkpoint is evaluated as soon as the stage ends, one at a time, while
    // the next stage trains (the results go to eval-stages.json; --resume redoes missing ones).
    const stagesPath = join(runDir, 'eval-stages.json');
    const stageEvals: Record<string, EvalReports> = before && existsSync(stagesPath) ? (JSON.parse(readFileSync(stagesPath, 'utf8')) as Record<string, EvalReports>) : {};
    const stageRows = () => [
      { name: 'base', steps: '-', cap: '-', reports: before! },
      ...stages.filter((p) => stageEvals[p.name]).map((p) => ({ name: p.name, steps: `${p.fromStep}-${p.endStep - 1}`, cap: String(p.stage.maxResponseTokens), reports: stageEvals[p.name] })),
    ];
    let evalQueue: Promise<void> = Promise.resolve();
    let evalFailure: Error | null = null;
    const queued = new Set<string>();
    const evalEndedStages = (committed: number) => {
      if (!before) return;
      for (const p of stages) {
        if (p.endStep > committed || stageEvals[p.name] || queued.has(p.name)) continue;
        queued.add(p.name);
        evalQueue = evalQueue
          .then(async () => {
            log(`stage ${p.name} ended at step ${p.endStep}: evaluating its checkpoint`);
            stageEvals[p.name] = await evalCheckpoint(evalReq(stepCheckpointDir(runDir, p.endStep)), heldout, evalProgress(`after ${p.name}`), format);
            writeFileSync(stagesPath, `${JSON.stringify(Object.fromEntries(Object.entries(stageEvals).map(([n, r]) => [n, trimmed(r)])), null, 2)}\n`);
            writeOut(`after stage ${p.name} (held-out, ${values['eval-problems']} problems per suite, T=0.6):\n${stageTable(stageRows(), evalDomains, k)}`);
          })
          .catch((err: Error) => {
            evalFailure ??= err;
          });
      }
    };
    const stepsStream = launched.names.streams.steps.name;
    let lastSeq = 0;
    const records: StepRecord[] = [];
    const t0 = Date.now();
    /** Prints the new step records; true once the learner is done. */
    const poll = async (): Promise<boolean> => {
      const jsm = await jetstreamManager(launched.nc);
      const info = await jsm.streams.info(stepsStream);
      for (let seq = lastSeq + 1; seq <= info.state.last_seq; seq++) {
        // A missing sequence is skipped; a timeout is retried by the next poll from this record.
        const m = await jsm.streams.getMessage(stepsStream, { seq }).catch((err: Error) => {
          if (/timeout/i.test(`${err.name} ${err.message}`)) throw err;
          return null;
        });
        lastSeq = seq;
        if (!m) continue;
        const r = m.json<StepRecord>();
        if (r.runId !== launched.runId) continue;
        records.push(r);
        log(stepLine(r));
        evalEndedStages(r.step + 1);
        if (probing && (r.step + 1) % values['probe-every'] === 0) probeAt(r.step + 1, records.slice(-values['probe-every']));
      }
      return Boolean((await launched.runKv.get(DONE_KEY))?.value.length);
    };
    type Stop = { why: Interrupt } | { why: 'failure'; report: string };
    // The training signal: the batch reward mixes policy and prompts (each step draws other
    // prompts; the hard-prompt filter leaves out solved ones), so every --probe-every steps the
    // policy is scored on one fixed set of training prompts per domain (the first stage of the
    // domain's pool, a seeded draw), sampled as the generators sample, at the cap of the step's
    // stage. Its figures go to probes.jsonl and result.json's `probes`.
    const generatorCfg = GeneratorConfig.parse(Object.values(topology.actors).find((a) => a.kind === 'generator')?.config ?? {});
    const probeSets = new Map<Domain, EvalTask[]>();
    const probing = values['probe-every'] > 0 && !values['no-eval'];
    for (const p of probing ? stages : []) {
      if (probeSets.has(p.stage.domain)) continue;
      const pool = stagePool(p.stage, p.name, topology.seed);
      const drawn = selectTasks(pool, new Map(), 1, topology.seed ^ 0x5eed, 0, Math.min(values['probe-prompts'], pool.length));
      probeSets.set(p.stage.domain, drawn.map((t) => ({ id: t.id, level: typeof t.meta.level === 'number' ? t.meta.level : 0, prompt: t.prompt, domain: t.domain, gold: t.gold, tests: t.tests })));
    }
    const probesPath = join(runDir, 'probes.jsonl');
    type Probe = { step: number; stage: string; domain: Domain; reward: number; byLevel: Record<string, number>; batchReward: number | null; prompts: number; k: number };
    const probes: Probe[] = existsSync(probesPath) ? readFileSync(probesPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Probe) : [];
    const PROBE_K = 4;
    const probeAt = (version: number, recent: StepRecord[]) => {
      if (probeSets.size === 0 || probes.some((p) => p.step === version)) return;
      // Read now: the step checkpoint is pruned a few steps on, and the queue may be behind.
      let ckpt: ReturnType<typeof loadCheckpoint>;
      try {
        ckpt = version === 0 ? loadCheckpoint(learnerCfg.base, { allowModelDir: true }) : loadCheckpoint(stepCheckpointDir(runDir, version));
      } catch (err) {
        log(`probe at version ${version} skipped: ${(err as Error).message}`);
        return;
      }
      // Labelled with the stage of the step that made this version; the batch reward beside it
      // is the mean over the last steps (up to --probe-every) of the same domain.
      const label = version === 0 ? 'base' : stageAt(learnerCfg.stages, version - 1).name;
      const domainOf = new Map(stages.map((p) => [p.name, p.stage.domain]));
      evalQueue = evalQueue
        .then(async () => {
          const line: string[] = [];
          for (const [domain, tasks] of probeSets) {
            const cap = Math.max(...learnerCfg.stages.filter((st) => st.domain === domain).map((st) => st.maxResponseTokens));
            const req = EvalRequest.parse({ checkpoint: '-', domains: [domain], k: PROBE_K, problems: tasks.length, seed: topology.seed, temperature: generatorCfg.temperature, topP: generatorCfg.topP, maxNewTokens: cap });
            const report = (await evalLoaded({ ...ckpt, format }, req, { [domain]: tasks }))[domain]!;
            const batch = recent.filter((r) => domainOf.get(r.stage ?? '') === domain);
            const batchReward = batch.length ? batch.reduce((a, r) => a + r.metrics['reward/mean'], 0) / batch.length : null;
            const byLevel = Object.fromEntries(Object.entries(report.byLevel).map(([l, x]) => [l, x.avgAtK]));
            const probe: Probe = { step: version, stage: label, domain, reward: report.overall.avgAtK, byLevel, batchReward, prompts: tasks.length, k: PROBE_K };
            probes.push(probe);
            appendFileSync(probesPath, `${JSON.stringify(probe)}\n`);
            line.push(`${domain} ${probe.reward.toFixed(3)}${batchReward === null ? '' : ` (batch reward, last ${batch.length} steps: ${batchReward.toFixed(3)})`}`);
          }
          log(`probe v${version} (${label}; ${probeSets.values().next().value!.length} fixed training prompts per domain x ${PROBE_K}, T ${generatorCfg.temperature}): reward ${line.join(', ')}`);
        })
        .catch((err: Error) => {
          evalFailure ??= err;
        });
    };

    // On --resume, stages that ended before the interruption and were not evaluated yet.
    evalEndedStages(Number((await launched.runKv.get(STEP_KEY).catch(() => null))?.string() ?? '0'));
    if (probing) probeAt(0, []);
    const stopRequest: Promise<Stop> = Promise.race([
      interrupts.first.then((why) => ({ why })),
      launched.failure.then((report) => ({ why: 'failure' as const, report })),
    ]);
    let stopped: Stop | null = null;
    // A poll that fails is retried: on a loaded machine (a stage evaluation in this process
    // beside the actors) a request can time out while the server is fine. The run fails when
    // the connection is closed or no poll has succeeded for LOST_AFTER_MS.
    const LOST_AFTER_MS = 60_000;
    let lastOk = Date.now();
    for (;;) {
      const polled = new Promise((r) => setTimeout(r, 1000)).then(poll).then(
        (done) => {
          lastOk = Date.now();
          return { done };
        },
        (err: Error): Stop | { done: false } => {
          if (!launched.nc.isClosed() && Date.now() - lastOk < LOST_AFTER_MS) return { done: false };
          return { why: 'failure', report: `lost the NATS server at ${launched.natsUrl}: ${err.message}${launched.nc.isClosed() ? ' (connection closed)' : ` (no answer for ${((Date.now() - lastOk) / 1000).toFixed(0)} s)`}` };
        },
      );
      const r = await Promise.race([polled, stopRequest]);
      if ('why' in r) {
        stopped = r;
        break;
      }
      if (r.done) break;
    }
    // Records published between the last poll's read and its DONE check (the last step's).
    if (!stopped) await poll().catch(() => false);
    if (stopped?.why === 'failure') log(stopped.report);
    const committed = Number((await launched.runKv.get(STEP_KEY).catch(() => null))?.string() ?? '0');
    log(`${stopped ? `${stopped.why === 'failure' ? 'failed' : `interrupted (${stopped.why})`}` : 'finished'} at step ${committed} after ${((Date.now() - t0) / 1000).toFixed(0)} s; stopping actors`);
    await dashboard?.close();
    await launched.stop();
    if (stopped) return EXIT[stopped.why];

    const finalCkpt = stepCheckpointDir(runDir, committed);
    let after: EvalReports | null = null;
    if (before) {
      evalEndedStages(committed);
      await orExit('stage', evalQueue);
      if (evalFailure) throw evalFailure;
      // The final checkpoint ends the last stage: its evaluation is that stage's.
      after = stageEvals[stages.at(-1)!.name] ?? null;
      if (!after) throw new CliError('NO_EVAL', `the last stage's checkpoint (step ${committed}) was not evaluated`);
      writeReports(join(runDir, 'eval-after.json'), after);
      const caption = `metric (held-out, ${values['eval-problems']} problems per suite, T=0.6, top-p 0.95)`;
      writeOut(comparisonTable([{ name: 'base', reports: before }, { name: 'after RL', reports: after }], evalDomains, k, caption));
      if (stages.length > 1) writeOut(`\nper stage:\n${stageTable(stageRows(), evalDomains, k)}`);
    }
    const figures = (reports: EvalReports | null) => reports && Object.fromEntries(evalDomains.map((d) => [d, reportFigures(reports[d]!)]));
    const result = {
      runId: launched.runId,
      steps: committed,
      seconds: (Date.now() - t0) / 1000,
      checkpoint: finalCkpt,
      before: figures(before),
      after: figures(after),
      k,
      probes,
      stages: stages.map((p) => ({
        name: p.name,
        domain: p.stage.domain,
        fromStep: p.fromStep,
        endStep: p.endStep,
        maxResponseTokens: p.stage.maxResponseTokens,
        source: p.stage.source,
        filter: p.stage.filter,
        checkpoint: stepCheckpointDir(runDir, p.endStep),
        eval: figures(stageEvals[p.name] ?? null),
      })),
    };
    writeFileSync(join(runDir, 'result.json'), `${JSON.stringify({ ...result, records }, null, 2)}\n`);
    if (values.json) writeOut(`${JSON.stringify(result)}\n`);
    return 0;
  },
});
