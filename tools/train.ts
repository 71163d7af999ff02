// `ace train`, the main job: the RL loop on the embedded default. Evaluates the base policy
// on the held-out split, starts the topology (embedded nats-server; one generator, verifier,
// advantage-normalizer and learner process), prints one line per optimizer step, then
// evaluates the final policy and prints a before/after table. `--resume` continues a run
// whose processes were all killed, from its last committed step.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { DONE_KEY, STEP_KEY } from '../actors/learner/learner.ts';
import type { StepRecord } from '../contracts/step.ts';
import type { TopologyInput } from '../contracts/topology.ts';
import type { MathEvalReport } from '../ops/recipe/evaluate.ts';
import { evalCheckpoint, type EvalRequest, pct } from './eval.ts';
import { launch } from './launch.ts';
import { args, cli, CliError } from './session.ts';
import { parseTopology } from './topology-file.ts';

export interface TrainSettings {
  runDir: string;
  steps: number;
  seed: number;
  base: string;
  tasksPerStep: number;
  groupSize: number;
  lr: number;
  maxUnverified: number;
  verifierSlowFactor: number;
  maxResponseTokens: number;
}

export function trainTopology(s: TrainSettings): TopologyInput {
  return {
    name: 'train',
    prefix: 'ace',
    seed: s.seed,
    maxUnverified: s.maxUnverified,
    actors: {
      generator: { kind: 'generator', instances: 1, config: { tasksPerBatch: s.tasksPerStep } },
      verifier: { kind: 'verifier', instances: 1, config: { slowFactor: s.verifierSlowFactor } },
      normalizer: { kind: 'normalizer', instances: 1, config: {} },
      learner: {
        kind: 'learner',
        instances: 1,
        config: {
          base: resolve(s.base),
          runDir: resolve(s.runDir),
          steps: s.steps,
          tasksPerStep: s.tasksPerStep,
          groupSize: s.groupSize,
          lr: s.lr,
          // One machine: generators read each version straight from the step checkpoint.
          weights: 'file',
          curriculum: [{ fromStep: 0, maxResponseTokens: s.maxResponseTokens }],
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

export async function run(argv: string[]): Promise<number> {
  return cli(async () => {
    const { values } = args(argv, {
      'run-dir': { type: 'string', default: 'runs/default' },
      topology: { type: 'string' },
      nats: { type: 'string' },
      resume: { type: 'boolean', default: false },
      steps: { type: 'string', default: '80' },
      seed: { type: 'string', default: '1' },
      base: { type: 'string', default: 'models/base' },
      'tasks-per-step': { type: 'string', default: '32' },
      'group-size': { type: 'string', default: '8' },
      lr: { type: 'string', default: '2e-4' },
      'max-unverified': { type: 'string', default: '256' },
      'max-response-tokens': { type: 'string', default: '96' },
      'verifier-slow-factor': { type: 'string', default: '1' },
      'eval-problems': { type: 'string', default: '200' },
      'eval-k': { type: 'string', default: '8' },
      'eval-seed': { type: 'string', default: '2024' },
      'no-eval': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    });
    const runDir = resolve(values['run-dir']!);
    const topologyPath = join(runDir, 'topology.json');
    const log = (line: string) => process.stderr.write(`[train] ${line}\n`);
    let topologyRaw: TopologyInput;
    if (values.resume) {
      if (!existsSync(topologyPath)) throw new CliError('NO_RUN', `nothing to resume in ${runDir} (no topology.json)\nHINT: start a run with \`ace train --run-dir ${values['run-dir']}\``);
      topologyRaw = JSON.parse(readFileSync(topologyPath, 'utf8'));
    } else {
      if (existsSync(join(runDir, 'topology.json'))) throw new CliError('RUN_EXISTS', `${runDir} already holds a run\nHINT: continue it with --resume, or choose another --run-dir`);
      const settings: TrainSettings = {
        runDir,
        steps: Number(values.steps),
        seed: Number(values.seed),
        base: values.base!,
        tasksPerStep: Number(values['tasks-per-step']),
        groupSize: Number(values['group-size']),
        lr: Number(values.lr),
        maxUnverified: Number(values['max-unverified']),
        verifierSlowFactor: Number(values['verifier-slow-factor']),
        maxResponseTokens: Number(values['max-response-tokens']),
      };
      if (!values.topology && !existsSync(join(settings.base, 'model.safetensors'))) throw new CliError('NO_BASE', `no base checkpoint at ${settings.base}\nHINT: train one with \`ace sft --out ${settings.base}\``);
      topologyRaw = values.topology ? JSON.parse(readFileSync(values.topology, 'utf8')) : trainTopology(settings);
      mkdirSync(runDir, { recursive: true });
      writeFileSync(topologyPath, `${JSON.stringify(topologyRaw, null, 2)}\n`);
    }
    const topology = parseTopology(topologyRaw, topologyPath);
    const learnerCfg = topology.actors.learner.config as { steps: number; base: string; groupSize: number; tasksPerStep: number };
    const evalReq = (checkpoint: string): EvalRequest => ({
      checkpoint,
      k: Number(values['eval-k']),
      problems: Number(values['eval-problems']),
      seed: Number(values['eval-seed']),
      temperature: 0.6,
      topP: 0.95,
      maxNewTokens: 96,
      threads: 2,
    });
    const evalProgress = (what: string) => (done: number, total: number) => {
      if (done === total || done % 512 === 0) log(`eval ${what}: ${done}/${total} samples`);
    };

    let before: MathEvalReport | null = null;
    const beforePath = join(runDir, 'eval-before.json');
    if (!values['no-eval']) {
      if (existsSync(beforePath)) before = JSON.parse(readFileSync(beforePath, 'utf8'));
      else {
        log(`evaluating the base policy ${learnerCfg.base} (avg@${values['eval-k']}, ${values['eval-problems']} held-out problems)`);
        before = await evalCheckpoint(evalReq(learnerCfg.base), evalProgress('before'));
        writeFileSync(beforePath, `${JSON.stringify({ ...before, samples: before.samples.slice(0, 50) }, null, 2)}\n`);
      }
      log(`before: avg@${values['eval-k']} ${pct(before!.overall.avgAtK)} pass@${values['eval-k']} ${pct(before!.overall.passAtK)}`);
    }

    const launched = await launch({ topology, topologyPath, stateDir: runDir, natsUrl: values.nats, resume: values.resume!, log });
    log(`run ${launched.runId}: ${learnerCfg.steps} steps x ${learnerCfg.tasksPerStep} prompts x ${learnerCfg.groupSize} samples; watch with \`ace monitor --state-dir ${values['run-dir']}\``);
    const jsm = await jetstreamManager(launched.nc);
    const stepsStream = launched.names.streams.steps.name;
    let lastSeq = 0;
    const records: StepRecord[] = [];
    let stop = false;
    process.once('SIGINT', () => (stop = true));
    const t0 = Date.now();
    while (!stop) {
      await new Promise((r) => setTimeout(r, 1000));
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
      if ((await launched.runKv.get(DONE_KEY))?.value.length) break;
    }
    const committed = Number((await launched.runKv.get(STEP_KEY))?.string() ?? '0');
    log(`${stop ? 'interrupted' : 'finished'} at step ${committed} after ${((Date.now() - t0) / 1000).toFixed(0)} s; stopping actors`);
    await launched.stop();
    if (stop) return 130;

    const finalCkpt = join(runDir, 'checkpoints', `step-${String(committed).padStart(5, '0')}`);
    let after: MathEvalReport | null = null;
    if (!values['no-eval']) {
      after = await evalCheckpoint(evalReq(finalCkpt), evalProgress('after'));
      writeFileSync(join(runDir, 'eval-after.json'), `${JSON.stringify({ ...after, samples: after.samples.slice(0, 50) }, null, 2)}\n`);
    }
    const k = values['eval-k'];
    const rows: string[] = [`| metric (held-out, ${values['eval-problems']} problems, T=0.6, top-p 0.95) | base | after RL |`, '|---|---|---|'];
    if (before && after) {
      rows.push(`| avg@${k} (pass@1) | ${pct(before.overall.avgAtK)} | ${pct(after.overall.avgAtK)} |`);
      rows.push(`| pass@${k} | ${pct(before.overall.passAtK)} | ${pct(after.overall.passAtK)} |`);
      for (const level of Object.keys(after.byLevel)) rows.push(`| level ${level} avg@${k} | ${pct(before.byLevel[level]?.avgAtK ?? 0)} | ${pct(after.byLevel[level].avgAtK)} |`);
      rows.push(`| mean response tokens | ${before.meanResponseTokens.toFixed(1)} | ${after.meanResponseTokens.toFixed(1)} |`);
      process.stdout.write(`${rows.join('\n')}\n`);
    }
    const result = {
      runId: launched.runId,
      steps: committed,
      seconds: (Date.now() - t0) / 1000,
      checkpoint: finalCkpt,
      before: before && { avgAtK: before.overall.avgAtK, passAtK: before.overall.passAtK },
      after: after && { avgAtK: after.overall.avgAtK, passAtK: after.overall.passAtK },
      k: Number(k),
    };
    writeFileSync(join(runDir, 'result.json'), `${JSON.stringify({ ...result, records }, null, 2)}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  });
}
