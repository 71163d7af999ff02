// `ace sft [--config FILE] [--steps N] [--out DIR]`: trains the base policy from scratch on
// teacher solutions (ops/recipe/sft.ts), evaluates it on the held-out split as it goes, and
// writes a weights-only checkpoint plus sft.json (resolved config, seed, history, eval).
// The shipped models/base was made by this command with configs/sft.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveCheckpoint, trainerState, writeFileAtomic } from '../ops/model/checkpoint.ts';
import { Generator } from '../ops/model/generator.ts';
import { codeEvalTasks, evaluateTasks, mathEvalTasks } from '../ops/recipe/evaluate.ts';
import { runSft, SftConfig } from '../ops/recipe/sft.ts';
import { RolloutJudge } from '../ops/reward/judge.ts';
import { generateCodeTasks } from '../ops/tasks/code.ts';
import { generateMathTasks } from '../ops/tasks/math.ts';
import { formatIssues } from '../contracts/issues.ts';
import { paramsDigest } from '../ops/model/checkpoint.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { CliError } from './session.ts';

export const command = defineCommand({
  name: 'sft',
  summary: 'train the base policy from scratch on teacher solutions',
  description: 'Evaluates on the held-out split as it goes and writes a weights-only checkpoint plus sft.json.\nThe shipped models/base was made by `ace sft --config configs/sft.json`.',
  flags: {
    config: { schema: z.string().optional(), help: 'SFT config JSON (ops/recipe/sft.ts SftConfig; default: its defaults)', value: 'FILE' },
    steps: { schema: SftConfig.shape.steps.unwrap().optional(), help: `optimizer steps (default: the config's, else ${SftConfig.shape.steps.parse(undefined)})` },
    seed: { schema: SftConfig.shape.seed.unwrap().optional(), help: `the one seed (default: the config's, else ${SftConfig.shape.seed.parse(undefined)})` },
    out: { schema: z.string().default('models/base'), help: 'output checkpoint directory', value: 'DIR' },
    dtype: { schema: z.enum(['F16', 'F32', 'BF16']).default('F16'), help: 'weight dtype on disk' },
    'eval-every': { schema: z.int().min(0).default(100), help: 'steps between held-out evaluations (and weight digests); 0 = only at the end' },
    'eval-problems': { schema: z.int().min(1).max(100_000).default(100), help: 'held-out problems per evaluation (greedy)' },
    'save-every': { schema: z.int().min(0).default(0), help: 'steps between intermediate checkpoints in OUT/step-N; 0 = none' },
  },
  examples: ['ace sft --config configs/sft.json', 'ace sft --steps 50 --out /tmp/tiny-base'],
  async run(values) {
    const raw = values.config ? JSON.parse(readFileSync(values.config, 'utf8')) : {};
    if (values.steps !== undefined) raw.steps = values.steps;
    if (values.seed !== undefined) raw.seed = values.seed;
    const parsed = SftConfig.safeParse(raw);
    if (!parsed.success) throw new CliError('BAD_CONFIG', `invalid sft config ${values.config ?? '(defaults)'}:\n  ${formatIssues(parsed.error.issues).join('\n  ')}`);
    const cfg = parsed.data;
    process.stderr.write(`[sft] config ${JSON.stringify(cfg)}\n`);
    const heldout = mathEvalTasks(generateMathTasks({ seed: cfg.seed + 1, split: 'heldout', count: values['eval-problems'] }));
    const codeHeldout = cfg.codeFraction > 0 ? codeEvalTasks(generateCodeTasks({ seed: cfg.seed + 1, split: 'heldout', count: values['eval-problems'] })) : [];
    const judge = new RolloutJudge({ mathWorkers: 1, mathDeadlineMs: 2000, codeJsWorkers: 1, codePyWorkers: 1 });
    let gen: Generator | null = null;
    try {
      await judge.ready();
      const evals: { step: number; greedyAcc: number; byLevel: Record<string, number>; code?: { greedyAcc: number; byLevel: Record<string, number> } }[] = [];
      // sha256 of the float32 weights at every eval step: a rerun (or a shorter one) can be
      // checked against them bit for bit (test/long/sft-reproduce.test.ts).
      const digests: Record<string, string> = {};
      const evalNow = async (step: number, params: Map<string, Float32Array>, config: Parameters<typeof Generator.create>[0]) => {
        gen ??= await Generator.create(config, params, { threads: cfg.threads, maxBatch: 128, maxSeqLen: cfg.model.max_position_embeddings });
        gen.setWeights(params);
        const greedy = { k: 1, temperature: 0, topP: 1, seed: 0, chunkRows: 128 };
        const r = await evaluateTasks(gen, (x) => judge.judge(x), heldout, { ...greedy, maxNewTokens: 96 });
        const levels = (byLevel: typeof r.byLevel) => Object.fromEntries(Object.entries(byLevel).map(([l, s]) => [l, Number(s.avgAtK.toFixed(3))]));
        const byLevel = levels(r.byLevel);
        const c = codeHeldout.length > 0 ? await evaluateTasks(gen, (x) => judge.judge(x), codeHeldout, { ...greedy, maxNewTokens: 160 }) : null;
        evals.push({ step, greedyAcc: r.overall.avgAtK, byLevel, ...(c && { code: { greedyAcc: c.overall.avgAtK, byLevel: levels(c.byLevel) } }) });
        process.stderr.write(`[sft] step ${step}: held-out greedy accuracy math ${(r.overall.avgAtK * 100).toFixed(1)}% by level ${JSON.stringify(byLevel)}\n`);
        if (c) process.stderr.write(`[sft] step ${step}: held-out greedy accuracy code ${(c.overall.avgAtK * 100).toFixed(1)}% by level ${JSON.stringify(levels(c.byLevel))} outcomes ${JSON.stringify(c.outcomes)}\n`);
      };
      const save = (dir: string, params: Map<string, Float32Array>, config: Parameters<typeof Generator.create>[0], steps: number) =>
        saveCheckpoint(dir, { config, params, optimizer: null, state: trainerState({ extra: { sftSteps: steps } }) }, { dtype: values.dtype as 'F16' });
      /** sft.json: the command and resolved config that reproduce the checkpoint in `dir`, its evals and digests. */
      const record = (dir: string, c: SftConfig, seconds: number, finalLoss: number | undefined) => {
        const upTo = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).filter(([k]) => Number(k) <= c.steps));
        const command = `ace sft${values.config ? ` --config ${values.config}` : ''}${c.steps !== cfg.steps ? ` --steps ${c.steps}` : ''} --dtype ${values.dtype}`;
        const body = { command, config: c, seconds, evals: evals.filter((e) => e.step <= c.steps), paramDigests: upTo(digests), finalLoss };
        writeFileAtomic(join(dir, 'sft.json'), `${JSON.stringify(body, null, 2)}\n`);
      };
      const t0 = Date.now();
      const everyEval = values['eval-every'];
      const result = await runSft(cfg, async (p, params, config) => {
        if (p.step % 10 === 0) {
          process.stderr.write(`[sft] step ${p.step}/${cfg.steps} loss ${p.loss.toFixed(4)} lr ${p.lr.toExponential(2)} |g| ${p.gradNorm.toFixed(3)} ${p.responseTokensPerSec.toFixed(0)} tok/s ${((Date.now() - t0) / 1000).toFixed(0)}s\n`);
        }
        const done = p.step + 1;
        if (everyEval > 0 && done % everyEval === 0) digests[String(done)] = paramsDigest(params);
        if (everyEval > 0 && done % everyEval === 0 && done < cfg.steps) await evalNow(done, params, config);
        const saveEvery = values['save-every'];
        if (saveEvery > 0 && done % saveEvery === 0 && done < cfg.steps) {
          // The schedule is constant after warmup, so this is the checkpoint of a run with
          // steps = done: it gets that run's sft.json and can be shipped as it is.
          const dir = join(values.out!, `step-${done}`);
          save(dir, params, config, done);
          record(dir, { ...cfg, steps: done }, (Date.now() - t0) / 1000, p.loss);
        }
      });
      await evalNow(cfg.steps, result.params, result.config);
      save(values.out!, result.params, result.config, cfg.steps);
      record(values.out!, cfg, (Date.now() - t0) / 1000, result.history.at(-1)?.loss);
      process.stderr.write(`[sft] wrote ${values.out} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      return 0;
    } finally {
      // Also on a failed save: the verifier's and generator's workers would keep the process alive.
      await (gen as Generator | null)?.dispose();
      await judge.close();
    }
  },
});
