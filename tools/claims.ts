// `ace claims`: the paper's findings in miniature, as one long command (not in CI). Trains
// the arms below for each training seed through `ace train` (each arm a run dir of its own
// under --out), evaluates the checkpoints each claim compares on every eval seed, and prints
// one table: each figure a mean over training seeds (each seed's figure itself a mean over
// the eval seeds) with its min and max. Resumable arm by arm: a finished arm (its result.json)
// is kept and skipped, an interrupted one is continued with `ace train --resume`, and every
// evaluation is cached in <out>/evals, so the command can be run in pieces.
//
// Arms (each on the shipped base; the math part is the default recipe's three math stages):
//   recipe      the default recipe: math 64 -> 96 -> 128-hard, then code 112 -> 136-hard
//   long        the math stages with the final cap (128) from step 0
//   full-pool   the math stages with the last one on the whole pool (no hard prompts)
//   lag2        the math stages with maxPolicyLag 2 (prompts sampled up to two versions old)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Domain } from '../contracts/common.ts';
import type { StepRecord } from '../contracts/step.ts';
import { stepCheckpointDir } from '../ops/model/checkpoint.ts';
import { placeStages, Recipe, type RecipeStageInput, totalSteps } from '../ops/recipe/curriculum.ts';
import { defineCommand } from './command.ts';
import { EVAL_FLAGS, evalCheckpoint, EvalRequest, heldoutTasks } from './eval.ts';
import { logLine, writeOut } from './launch.ts';
import { CliError, JSON_FLAG } from './session.ts';
import { DEFAULT_RECIPE, trainTopology, TRAIN_FLAGS } from './train.ts';

const ACE_BIN = resolve(import.meta.dirname, '..', 'bin', 'ace.mjs');
const seedList = z
  .string()
  .regex(/^-?\d+(,-?\d+)*$/, 'comma-separated integers')
  .transform((s) => [...new Set(s.split(',').map(Number))]);

const MATH_STAGES = DEFAULT_RECIPE.filter((s) => s.domain === 'math');
const MATH_END = totalSteps(MATH_STAGES);

export type Arm = { name: string; stages: RecipeStageInput[]; maxPolicyLag?: number };

export const ARMS: Arm[] = [
  { name: 'recipe', stages: DEFAULT_RECIPE },
  { name: 'long', stages: MATH_STAGES.map((s) => ({ ...s, name: `${s.name}-at-128`, maxResponseTokens: 128 })) },
  { name: 'full-pool', stages: MATH_STAGES.map((s, i) => (i === MATH_STAGES.length - 1 ? { ...s, name: 'math-128-full', source: { kind: 'synthetic' as const }, filter: { dropPassRateAtLeast: 1 } } : s)) },
  { name: 'lag2', stages: MATH_STAGES, maxPolicyLag: 2 },
];

/** Scales every stage's steps by `f` (at least one each): a quick pass over the whole command. */
export function scaleArm(arm: Arm, f: number): Arm {
  return { ...arm, stages: arm.stages.map((s) => ({ ...s, steps: Math.max(1, Math.round(s.steps * f)) })) };
}

type Figures = Record<Domain, number>;
/** mean [min, max] over training seeds. */
type Spread = { mean: number; min: number; max: number; n: number };
const spread = (xs: number[]): Spread => ({ mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs), n: xs.length });
const pts = (s: Spread, signed = true) => `${signed && s.mean >= 0 ? '+' : ''}${(s.mean * 100).toFixed(1)} [${(s.min * 100).toFixed(1)}, ${(s.max * 100).toFixed(1)}]`;
const num = (s: Spread) => `${s.mean.toFixed(3)} [${s.min.toFixed(3)}, ${s.max.toFixed(3)}]`;

export const command = defineCommand({
  name: 'claims',
  summary: "the paper's findings in miniature: arms x training seeds x eval seeds, one table with spread (long; resumable)",
  description:
    'Trains each arm for each training seed through `ace train` (run dirs under --out), evaluates the checkpoints\neach claim compares on every eval seed (avg@k, both suites), and prints a table of mean [min, max] over training\nseeds. Finished arms and evaluations are kept and skipped on a rerun, an interrupted arm is resumed: run it in pieces.\nArms: recipe (the default), long (cap 128 from step 0), full-pool (no hard-prompt stage), lag2 (maxPolicyLag 2).',
  flags: {
    out: { schema: z.string().default('runs/claims'), help: 'where the arms, the evaluations and claims.json go', value: 'DIR' },
    seeds: { schema: seedList.default([1, 2, 3]), help: 'training seeds', value: 'LIST', range: 'comma-separated integers' },
    'eval-seeds': { schema: seedList.default([2024, 777, 31]), help: 'held-out draws (each evaluation is repeated on each)', value: 'LIST', range: 'comma-separated integers' },
    'eval-problems': { ...EVAL_FLAGS.problems, schema: z.int().min(1).max(1800).default(100), help: 'held-out problems per suite and eval seed' },
    'eval-k': EVAL_FLAGS.k,
    arms: { schema: z.string().optional(), help: `only these arms (comma-separated; default all: ${ARMS.map((a) => a.name).join(', ')})`, value: 'LIST' },
    'steps-scale': { schema: z.number().gt(0).max(1).default(1), help: "every stage's steps times this (a quick pass; the table then says so)" },
    base: TRAIN_FLAGS.base,
    'tasks-per-step': TRAIN_FLAGS['tasks-per-step'],
    'group-size': TRAIN_FLAGS['group-size'],
    ...JSON_FLAG,
  },
  examples: ['ace claims', 'ace claims --arms recipe --seeds 1', 'ace claims --out runs/claims-quick --steps-scale 0.1 --seeds 1 --eval-seeds 2024 --eval-problems 20 --eval-k 2'],
  async run(values) {
    const out = resolve(values.out);
    const log = logLine('claims');
    const wanted = values.arms?.split(',') ?? ARMS.map((a) => a.name);
    const unknown = wanted.filter((n) => !ARMS.some((a) => a.name === n));
    if (unknown.length) throw new CliError('USAGE', `--arms: no arm named ${unknown.join(', ')}\nHINT: arms are ${ARMS.map((a) => a.name).join(', ')}`);
    const arms = ARMS.filter((a) => wanted.includes(a.name)).map((a) => scaleArm(a, values['steps-scale']));
    const mathEnd = totalSteps(scaleArm({ name: 'm', stages: MATH_STAGES }, values['steps-scale']).stages);
    mkdirSync(join(out, 'evals'), { recursive: true });
    const t0 = Date.now();

    // 1. The arms, one training run each, one after another (they share the cores).
    for (const seed of values.seeds) {
      for (const arm of arms) {
        const runDir = join(out, `${arm.name}-s${seed}`);
        if (existsSync(join(runDir, 'result.json'))) {
          log(`${arm.name} seed ${seed}: done before, kept (${runDir})`);
          continue;
        }
        const resume = existsSync(join(runDir, 'topology.json'));
        const args = resume ? ['--resume'] : ['--topology', writeArmTopology(out, arm, seed, values)];
        log(`${arm.name} seed ${seed}: ${resume ? 'resuming' : 'training'} (${totalSteps(arm.stages)} steps) in ${runDir}`);
        const code = await runAce(['train', '--run-dir', runDir, '--no-eval', ...args], `${arm.name}-s${seed}`);
        if (code !== 0) throw new CliError('ARM_FAILED', `arm ${arm.name} seed ${seed} ended with exit ${code}; its run dir ${runDir} is kept\nHINT: rerun the same command to resume it`);
      }
    }

    // 2. The evaluations each claim compares, on every eval seed, cached by checkpoint and seed.
    const evalOf = async (key: string, checkpoint: string, evalSeed: number): Promise<Figures> => {
      const file = join(out, 'evals', `${key}-e${evalSeed}.json`);
      if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Figures;
      const req = EvalRequest.parse({ checkpoint, domains: ['math', 'code'], k: values['eval-k'], problems: values['eval-problems'], seed: evalSeed });
      log(`evaluating ${key} on eval seed ${evalSeed}`);
      const reports = await evalCheckpoint(req, heldoutTasks(req));
      const figures: Figures = { math: reports.math!.overall.avgAtK, code: reports.code!.overall.avgAtK };
      writeFileSync(file, `${JSON.stringify(figures)}\n`);
      return figures;
    };
    /** A checkpoint's figures, each the mean over the eval seeds. */
    const figuresOf = async (key: string, checkpoint: string): Promise<Figures> => {
      const each = [];
      for (const e of values['eval-seeds']) each.push(await evalOf(key, checkpoint, e));
      return { math: spread(each.map((f) => f.math)).mean, code: spread(each.map((f) => f.code)).mean };
    };
    const base = await figuresOf('base', resolve(values.base));
    const at = (arm: string, seed: number, step: number) => figuresOf(`${arm}-s${seed}-step${step}`, stepCheckpointDir(join(out, `${arm}-s${seed}`), step));
    const records = (arm: string, seed: number) => (JSON.parse(readFileSync(join(out, `${arm}-s${seed}`, 'result.json'), 'utf8')) as { records: StepRecord[] }).records;
    const meanEntropy = (rs: StepRecord[]) => rs.reduce((a, r) => a + r.metrics['learner/entropy'], 0) / rs.length;

    // 3. Per training seed, each claim's figure; then mean [min, max] over seeds.
    type Row = { claim: string; measure: string; paper: string; values: number[]; kind: 'points' | 'value' };
    const rows: Row[] = [];
    const row = (claim: string, measure: string, paper: string, kind: Row['kind'] = 'points') => {
      const r: Row = { claim, measure, paper, values: [], kind };
      rows.push(r);
      return r;
    };
    const has = (name: string) => arms.some((a) => a.name === name);
    if (has('recipe')) {
      const mathGain = row('math-only RL raises math', 'math avg@k: after the math stages - base', '+14.6 AIME25 (7B)');
      const codeFromMath = row('... and code', 'code avg@k: after the math stages - base', '+6.8 LiveCodeBench (7B)');
      const codeGain = row('code RL after math raises code', 'code avg@k: after the code stages - after the math stages', 'code up');
      const mathKept = row('... math stays', 'math avg@k: after the code stages - after the math stages', 'within about 2 points');
      const end = totalSteps(arms.find((a) => a.name === 'recipe')!.stages);
      for (const seed of values.seeds) {
        const m = await at('recipe', seed, mathEnd);
        const c = await at('recipe', seed, end);
        mathGain.values.push(m.math - base.math);
        codeFromMath.values.push(m.code - base.code);
        codeGain.values.push(c.code - m.code);
        mathKept.values.push(c.math - m.math);
      }
      for (const [name, claim, measure, paper] of [
        ['long', 'staged length beats the final length from step 0', 'math avg@k after the math stages: staged - cap 128 from step 0 (same steps)', 'staged better'],
        ['full-pool', 'hard prompts in the last stage help', 'math avg@k after the math stages: hard last stage - whole pool (same steps)', 'hard better'],
        ['lag2', 'strictly on-policy against maxPolicyLag 2', 'math avg@k after the math stages: on-policy - lag 2', 'on-policy better'],
      ] as const) {
        if (!has(name)) continue;
        const r = row(claim, measure, paper);
        for (const seed of values.seeds) r.values.push((await at('recipe', seed, mathEnd)).math - (await at(name, seed, mathEnd)).math);
      }
      if (has('lag2')) {
        const tail = Math.max(1, Math.round(mathEnd / 6));
        for (const [arm, label] of [['recipe', 'on-policy'], ['lag2', 'lag 2']] as const) {
          const first = row(`entropy over steps, ${label}`, `policy entropy, mean of the first ${tail} math steps`, 'off-policy collapses entropy', 'value');
          const last = row(`entropy over steps, ${label}`, `policy entropy, mean of the last ${tail} math steps`, '', 'value');
          for (const seed of values.seeds) {
            const rs = records(arm, seed).filter((r) => r.step < mathEnd);
            first.values.push(meanEntropy(rs.slice(0, tail)));
            last.values.push(meanEntropy(rs.slice(-tail)));
          }
        }
      }
    } else log('no recipe arm: the claims compare against it, so only the runs were made');

    const k = values['eval-k'];
    const caption = `${values.seeds.length} training seed(s) (${values.seeds.join(', ')}), each figure the mean over eval seeds ${values['eval-seeds'].join(', ')} (${values['eval-problems']} held-out problems per suite each, k ${k}, T 0.6); mean [min, max] over training seeds, avg@k in points${values['steps-scale'] < 1 ? `; steps scaled by ${values['steps-scale']}` : ''}`;
    const table = [
      `| claim | measure | paper | here |`,
      `|---|---|---|---|`,
      ...rows.map((r) => `| ${r.claim} | ${r.measure.replace('avg@k', `avg@${k}`)} | ${r.paper} | ${r.kind === 'points' ? pts(spread(r.values)) : num(spread(r.values))} |`),
    ].join('\n');
    const result = { caption, base, seconds: (Date.now() - t0) / 1000, rows: rows.map((r) => ({ ...r, ...spread(r.values) })), arms: arms.map((a) => ({ name: a.name, stages: Recipe.parse(a.stages).map((s, i) => ({ ...s, name: placeStages(Recipe.parse(a.stages))[i].name })), maxPolicyLag: a.maxPolicyLag ?? 0 })) };
    writeFileSync(join(out, 'claims.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeOut(values.json ? `${JSON.stringify(result)}\n` : `${caption}\n\n${table}\n`);
    return 0;
  },
});

function writeArmTopology(out: string, arm: Arm, seed: number, v: { base: string; 'tasks-per-step': number; 'group-size': number }): string {
  const t = trainTopology({ ...defaultTrainFlags(), seed, base: v.base, 'tasks-per-step': v['tasks-per-step'], 'group-size': v['group-size'], 'run-dir': join(out, `${arm.name}-s${seed}`) });
  const learner = t.actors.learner.config as Record<string, unknown>;
  learner.stages = arm.stages;
  if (arm.maxPolicyLag) learner.maxPolicyLag = arm.maxPolicyLag;
  const file = join(out, `${arm.name}-s${seed}.topology.json`);
  writeFileSync(file, `${JSON.stringify(t, null, 2)}\n`);
  return file;
}

function defaultTrainFlags() {
  return Object.fromEntries(Object.entries(TRAIN_FLAGS).map(([k, f]) => [k, (f.schema as z.ZodType).safeParse(undefined).data])) as Parameters<typeof trainTopology>[0];
}

/** `ace ARGS` as a child, its output lines prefixed; resolves to its exit code. A stop request reaches it too. */
function runAce(args: string[], tag: string): Promise<number> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [ACE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (to: NodeJS.WriteStream) => (d: Buffer) => to.write(d.toString().replace(/^(?=.)/gm, `[${tag}] `));
    child.stdout.on('data', relay(process.stderr));
    child.stderr.on('data', relay(process.stderr));
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}
