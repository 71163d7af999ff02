// `ace sft [--config FILE] [--steps N] [--out DIR]`: trains the base policy from scratch on
// teacher solutions (ops/recipe/sft.ts), evaluates it on the held-out split as it goes, and
// writes a weights-only checkpoint plus sft.json (resolved config, seed, history, eval).
// The shipped models/base was made by this command with configs/sft.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveCheckpoint, trainerState, writeFileAtomic } from '../ops/model/checkpoint.ts';
import { Generator } from '../ops/model/generator.ts';
import { evaluateMath } from '../ops/recipe/evaluate.ts';
import { runSft, SftConfig } from '../ops/recipe/sft.ts';
import { MathVerifierPool } from '../ops/reward/math/pool.ts';
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
    const heldout = generateMathTasks({ seed: cfg.seed + 1, split: 'heldout', count: values['eval-problems'] });
    const verifier = new MathVerifierPool({ workers: 1, deadlineMs: 2000 });
    let gen: Generator | null = null;
    try {
      const evals: { step: number; greedyAcc: number; byLevel: Record<string, number> }[] = [];
      // sha256 of the float32 weights at every eval step: a rerun (or a shorter one) can be
      // checked against them bit for bit (test/long/sft-reproduce.test.ts).
      const digests: Record<string, string> = {};
      const evalNow = async (step: number, params: Map<string, Float32Array>, config: Parameters<typeof Generator.create>[0]) => {
        gen ??= await Generator.create(config, params, { threads: cfg.threads, maxBatch: 128, maxSeqLen: cfg.model.max_position_embeddings });
        gen.setWeights(params);
        const r = await evaluateMath(gen, verifier, heldout, { k: 1, temperature: 0, topP: 1, maxNewTokens: 96, seed: 0, chunkRows: 128 });
        const byLevel = Object.fromEntries(Object.entries(r.byLevel).map(([l, s]) => [l, Number(s.avgAtK.toFixed(3))]));
        evals.push({ step, greedyAcc: r.overall.avgAtK, byLevel });
        process.stderr.write(`[sft] step ${step}: held-out greedy accuracy ${(r.overall.avgAtK * 100).toFixed(1)}% by level ${JSON.stringify(byLevel)}\n`);
      };
      const save = (dir: string, params: Map<string, Float32Array>, config: Parameters<typeof Generator.create>[0], steps: number) =>
        saveCheckpoint(dir, { config, params, optimizer: null, state: trainerState({ extra: { sftSteps: steps } }) }, { dtype: values.dtype as 'F16' });
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
        if (saveEvery > 0 && done % saveEvery === 0 && done < cfg.steps) save(join(values.out!, `step-${done}`), params, config, done);
      });
      await evalNow(cfg.steps, result.params, result.config);
      save(values.out!, result.params, result.config, cfg.steps);
      writeFileAtomic(
        join(values.out!, 'sft.json'),
        `${JSON.stringify({ command: `ace sft${values.config ? ` --config ${values.config}` : ''} --dtype ${values.dtype}`, config: cfg, seconds: (Date.now() - t0) / 1000, evals, paramDigests: digests, finalLoss: result.history.at(-1)?.loss }, null, 2)}\n`,
      );
      process.stderr.write(`[sft] wrote ${values.out} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      return 0;
    } finally {
      // Also on a failed save: the verifier's and generator's workers would keep the process alive.
      await (gen as Generator | null)?.dispose();
      await verifier.close();
    }
  },
});
