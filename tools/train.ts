// `ace train`, the main job: the RL loop on the embedded default. Evaluates the base policy
// on the held-out math and code splits (`--eval-suite`), starts the topology (embedded
// nats-server; one process each for the generator, the math verifier, the code verifier, the
// advantage-normalizer and the learner, whose `--domain` picks math or code RL), prints one
// line per optimizer step, then evaluates the final policy and prints a before/after table
// with rows per suite. `--resume` continues a run whose processes were all killed, from its
// last committed step. The defaults of the flags are the learner's and the topology's own
// schema defaults.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { z } from 'zod';
import { DEFAULT_CODE_MAX_RESPONSE_TOKENS, DEFAULT_MAX_RESPONSE_TOKENS, LearnerConfig } from '../actors/learner/config.ts';
import { DONE_KEY, STEP_KEY } from '../actors/learner/learner.ts';
import type { Domain } from '../contracts/common.ts';
import type { StepRecord } from '../contracts/step.ts';
import { Topology, type TopologyInput } from '../contracts/topology.ts';
import { stepCheckpointDir } from '../ops/model/checkpoint.ts';
import type { EvalReport } from '../ops/recipe/evaluate.ts';
import { defineCommand, type FlagValues } from './command.ts';
import { comparisonTable, EVAL_FLAGS, evalCheckpoint, type EvalReports, EvalRequest, heldoutTasks, pct, reportFigures, suiteDomains } from './eval.ts';
import { type Interrupt, launch, logLine, watchInterrupts, writeOut } from './launch.ts';
import { acquireLock } from './lock.ts';
import { CliError, checkNatsUrl, JSON_FLAG } from './session.ts';
import { parseTopology, readTopologyJson } from './topology-file.ts';

const L = LearnerConfig.shape;

export const TRAIN_FLAGS = {
  'run-dir': { schema: z.string().default('runs/default'), help: 'run state: topology.json, checkpoints, logs, result.json', value: 'DIR' },
  topology: { schema: z.string().optional(), help: 'a topology file to run instead of the one built from these flags', value: 'FILE' },
  nats: { schema: z.string().optional(), help: 'use a running NATS server at this URL instead of starting one', value: 'URL' },
  resume: { schema: z.boolean().default(false), help: 'continue the run in --run-dir from its last committed step' },
  steps: { schema: L.steps, help: 'optimizer steps' },
  seed: { schema: Topology.shape.seed, help: "the run's one seed (prompt draws, sampling)" },
  base: { schema: L.base, help: 'checkpoint of the starting policy', value: 'DIR' },
  'tasks-per-step': { schema: L.tasksPerStep, help: 'prompts per step' },
  'group-size': { schema: L.groupSize, help: 'responses per prompt (G in GRPO)' },
  lr: { schema: L.lr, help: 'AdamW learning rate (constant)' },
  'max-unverified': { schema: Topology.shape.maxUnverified.unwrap().optional(), help: 'rollouts published and not yet verified, at most (backpressure; default: one step, tasks-per-step x group-size)' },
  domain: { schema: L.domain, help: 'RL prompts: the math suite or the code suite (the code stage)' },
  'max-response-tokens': {
    schema: z.int().min(1).max(65_536).optional(),
    help: `response-length cap, tokens (default ${DEFAULT_MAX_RESPONSE_TOKENS} for math, ${DEFAULT_CODE_MAX_RESPONSE_TOKENS} for code)`,
  },
  'eval-suite': { ...EVAL_FLAGS.suite, help: 'held-out suites of the before/after evaluation: math, code, or all' },
  'eval-problems': { ...EVAL_FLAGS.problems, help: 'held-out problems per suite of the before/after evaluation (code: at most about 1,800)' },
  'eval-k': { ...EVAL_FLAGS.k, help: 'samples per held-out problem (avg@k, pass@k)' },
  'eval-seed': { ...EVAL_FLAGS.seed, help: 'seed of the held-out draws and their sampling' },
  'no-eval': { schema: z.boolean().default(false), help: 'skip the before/after evaluation' },
  ...JSON_FLAG,
} as const;

export type TrainSettings = FlagValues<typeof TRAIN_FLAGS>;

export function trainTopology(s: TrainSettings): TopologyInput {
  return {
    name: 'train',
    prefix: 'ace',
    seed: s.seed,
    maxUnverified: s['max-unverified'] ?? s['tasks-per-step'] * s['group-size'],
    actors: {
      generator: { kind: 'generator', instances: 1, config: { tasksPerBatch: s['tasks-per-step'] } },
      // Math and code verification as roles that scale apart (`ace scale code-verifier=3`).
      'math-verifier': { kind: 'verifier', instances: 1, config: { domains: ['math'] } },
      'code-verifier': { kind: 'verifier', instances: 1, config: { domains: ['code'] } },
      normalizer: { kind: 'normalizer', instances: 1, config: {} },
      learner: {
        kind: 'learner',
        instances: 1,
        config: {
          base: resolve(s.base),
          runDir: resolve(s['run-dir']),
          steps: s.steps,
          tasksPerStep: s['tasks-per-step'],
          groupSize: s['group-size'],
          lr: s.lr,
          // One machine: generators read each version straight from the step checkpoint.
          weights: 'file',
          domain: s.domain,
          curriculum: [{ fromStep: 0, maxResponseTokens: s['max-response-tokens'] ?? (s.domain === 'code' ? DEFAULT_CODE_MAX_RESPONSE_TOKENS : DEFAULT_MAX_RESPONSE_TOKENS) }],
        },
      },
    },
  };
}

function stepLine(r: StepRecord): string {
  const m = r.metrics;
  return (
    `step ${String(r.step).padStart(3)}  v${r.policyVersion}  reward ${m['reward/mean'].toFixed(3)}  pass ${pct(m['reward/pass_rate'])}  ` +
    `len ${m['response/mean_tokens'].toFixed(1)}  entropy ${m['learner/entropy'].toFixed(3)}  ${m['step/tokens_per_s'].toFixed(0)} tok/s  ${m['step/seconds'].toFixed(1)} s`
  );
}

/** eval-before.json / eval-after.json: one report per suite, the first 50 samples of each. */
function writeReports(path: string, reports: EvalReports): void {
  const kept = Object.fromEntries(Object.entries(reports).map(([d, r]) => [d, { ...r, samples: r.samples.slice(0, 50) }]));
  writeFileSync(path, `${JSON.stringify(kept, null, 2)}\n`);
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
  summary: 'GRPO on the shipped base policy through the actors, with a before/after evaluation',
  description: 'Evaluates the base on the held-out math and code splits (--eval-suite), starts the topology (embedded\nnats-server; one generator, math-verifier, code-verifier, advantage-normalizer and learner process; --domain\npicks math or code RL), prints one line per optimizer step, then evaluates the final policy and\nprints a before/after table with rows per suite.\nCtrl-C stops (exit 130; SIGTERM 143) in any phase; --resume continues. Exit 1 when an actor is in a crash loop;\n2 when the run dir is locked by another `ace`.',
  flags: TRAIN_FLAGS,
  examples: ['ace train', 'ace train --steps 20 --tasks-per-step 16 --run-dir runs/short', 'ace train --run-dir runs/short --resume'],
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
    if (!values.resume && !existsSync(join(learnerCfg.base, 'model.safetensors'))) {
      throw new CliError('NO_BASE', `no base checkpoint at ${learnerCfg.base} (${values.topology ? `actors.learner.config.base in ${where}` : '--base'})\nHINT: train one with \`ace sft --out ${learnerCfg.base}\``);
    }
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
        Object.assign(before, await orExit('base', evalCheckpoint({ ...evalReq(learnerCfg.base), domains: missing }, heldout, evalProgress('before'))));
        writeReports(beforePath, before);
      }
      for (const d of evalDomains) log(`before: ${d} avg@${k} ${pct(before[d]!.overall.avgAtK)} pass@${k} ${pct(before[d]!.overall.passAtK)}`);
    }

    const launched = await launch({ topology, topologyPath, stateDir: runDir, lock, natsUrl: values.nats, resume: values.resume, log });
    interrupts.again = () => {
      log('stopping now: actors killed without a drain');
      launched.kill();
    };
    log(`run ${launched.runId}: ${learnerCfg.steps} steps x ${learnerCfg.tasksPerStep} prompts x ${learnerCfg.groupSize} samples; watch with \`ace monitor --state-dir ${values['run-dir']}\``);
    const stepsStream = launched.names.streams.steps.name;
    let lastSeq = 0;
    const records: StepRecord[] = [];
    const t0 = Date.now();
    /** Prints the new step records; true once the learner is done. */
    const poll = async (): Promise<boolean> => {
      const jsm = await jetstreamManager(launched.nc);
      const info = await jsm.streams.info(stepsStream);
      for (let seq = lastSeq + 1; seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(stepsStream, { seq }).catch(() => null);
        if (!m) continue;
        const r = m.json<StepRecord>();
        if (r.runId !== launched.runId) continue;
        records.push(r);
        log(stepLine(r));
      }
      lastSeq = info.state.last_seq;
      return Boolean((await launched.runKv.get(DONE_KEY))?.value.length);
    };
    type Stop = { why: Interrupt } | { why: 'failure'; report: string };
    const stopRequest: Promise<Stop> = Promise.race([
      interrupts.first.then((why) => ({ why })),
      launched.failure.then((report) => ({ why: 'failure' as const, report })),
    ]);
    let stopped: Stop | null = null;
    for (;;) {
      const polled = new Promise((r) => setTimeout(r, 1000)).then(poll).then(
        (done) => ({ done }),
        (err: Error): Stop => ({ why: 'failure', report: `lost the NATS server at ${launched.natsUrl}: ${err.message}` }),
      );
      const r = await Promise.race([polled, stopRequest]);
      if ('why' in r) {
        stopped = r;
        break;
      }
      if (r.done) break;
    }
    if (stopped?.why === 'failure') log(stopped.report);
    const committed = Number((await launched.runKv.get(STEP_KEY).catch(() => null))?.string() ?? '0');
    log(`${stopped ? `${stopped.why === 'failure' ? 'failed' : `interrupted (${stopped.why})`}` : 'finished'} at step ${committed} after ${((Date.now() - t0) / 1000).toFixed(0)} s; stopping actors`);
    await launched.stop();
    if (stopped) return EXIT[stopped.why];

    const finalCkpt = stepCheckpointDir(runDir, committed);
    let after: EvalReports | null = null;
    if (before) {
      after = await orExit('final', evalCheckpoint(evalReq(finalCkpt), heldout, evalProgress('after')));
      writeReports(join(runDir, 'eval-after.json'), after);
      const caption = `metric (held-out, ${values['eval-problems']} problems per suite, T=0.6, top-p 0.95)`;
      writeOut(comparisonTable([{ name: 'base', reports: before }, { name: 'after RL', reports: after }], evalDomains, k, caption));
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
    };
    writeFileSync(join(runDir, 'result.json'), `${JSON.stringify({ ...result, records }, null, 2)}\n`);
    if (values.json) writeOut(`${JSON.stringify(result)}\n`);
    return 0;
  },
});
