// `ace bench rl-pool [--checkpoints A,B] [--json]`: what the RL math pool is made of and what a
// policy scores on it (issue 18, point 4). Composition by level of the pool a synthetic stage
// draws (run seed, pool size), of the SFT set the base was fine-tuned on (configs/sft.json) and
// of the held-out suites `ace eval` draws (eval seeds); per family how much of the pool the SFT
// set holds and how large the family's train space is; then, per checkpoint, the reward at the
// sampling temperature (T 1) per level on a fixed per-level draw of the pool, weighted as the
// pool is and as a balanced pool would be, and on pool prompts the base saw in SFT against
// prompts it did not. Not a speed bench: a diagnostic with figures; with --json the last
// stdout line is one JSON object.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { generateMathTasks, type MathTask } from '../ops/tasks/math.ts';
import { mathPool, selectTasks, type PoolTask } from '../ops/recipe/curriculum.ts';
import { EvalRequest, evalLoaded, loadPolicy } from '../tools/eval.ts';
import type { EvalTask } from '../ops/recipe/evaluate.ts';
import { defineCommand } from '../tools/command.ts';
import { JSON_FLAG } from '../tools/session.ts';

const LEVELS = [1, 2, 3, 4, 5] as const;
const SEEN_FAMILIES = ['add-2digit', 'two-step', 'linear-equation'];

export const command = defineCommand({
  name: 'bench rl-pool',
  summary: 'level make-up of the RL math pool, the SFT set and the held-out suites; per-level reward of checkpoints on the pool',
  flags: {
    ...JSON_FLAG,
    seed: { schema: z.int().default(1), help: 'run seed (the synthetic stage draw)' },
    'pool-size': { schema: z.int().min(100).default(5000), help: 'poolSize of the synthetic stage' },
    'sft-config': { schema: z.string().default('configs/sft.json'), help: 'the SFT config the base was trained with' },
    'eval-seeds': { schema: z.string().default('2024,777,31'), help: 'held-out draws to describe' },
    'eval-problems': { schema: z.int().min(1).default(200), help: 'problems per held-out draw' },
    checkpoints: { schema: z.string().default(''), help: 'comma-separated checkpoint dirs to score on the pool (empty: composition only)' },
    'per-level': { schema: z.int().min(1).default(40), help: 'pool prompts per level in the scored draw' },
    k: { schema: z.int().min(1).default(4), help: 'samples per prompt' },
    cap: { schema: z.int().min(8).default(128), help: 'response cap in tokens' },
  },
  examples: ['ace bench rl-pool', 'ace bench rl-pool --checkpoints models/base,runs/default/checkpoints/step-00060 --json'],
  run: (f) => benchRlPool(f),
});

const byLevel = (tasks: readonly { level: number }[]) => LEVELS.map((l) => tasks.filter((t) => t.level === l).length);

async function benchRlPool(f: { json: boolean; seed: number; 'pool-size': number; 'sft-config': string; 'eval-seeds': string; 'eval-problems': number; checkpoints: string; 'per-level': number; k: number; cap: number }): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const sftCfg = z.object({ seed: z.int(), trainTasks: z.int() }).loose().parse(JSON.parse(readFileSync(f['sft-config'], 'utf8')));
  const poolTasks = generateMathTasks({ seed: f.seed, split: 'train', count: f['pool-size'] });
  const sftTasks = generateMathTasks({ seed: sftCfg.seed, split: 'train', count: sftCfg.trainTasks });
  const sftQuestions = new Set(sftTasks.map((t) => t.question));
  const evalSeeds = f['eval-seeds'].split(',').filter(Boolean).map(Number);
  const heldout = Object.fromEntries(evalSeeds.map((s) => [s, byLevel(generateMathTasks({ seed: s, split: 'heldout', count: f['eval-problems'] }))]));
  // A family's train space, as far as a large draw reaches it: distinct questions among 50,000.
  const space = new Map<string, number>();
  for (const t of generateMathTasks({ seed: 7, split: 'train', count: 50_000 })) space.set(t.family, (space.get(t.family) ?? 0) + 1);

  const composition = { pool: byLevel(poolTasks), sft: byLevel(sftTasks), heldout };
  out(`RL pool (seed ${f.seed}, ${poolTasks.length} prompts) by level 1-5: ${composition.pool.join(' / ')}`);
  out(`SFT set (seed ${sftCfg.seed}, ${sftTasks.length}) by level 1-5: ${composition.sft.join(' / ')}`);
  for (const s of evalSeeds) out(`held-out (eval seed ${s}, ${f['eval-problems']}) by level 1-5: ${heldout[s].join(' / ')}`);
  const families = [...new Set(poolTasks.map((t) => t.family))].map((family) => {
    const inPool = poolTasks.filter((t) => t.family === family);
    return { family, level: inPool[0].level, pool: inPool.length, inSft: inPool.filter((t) => sftQuestions.has(t.question)).length, trainSpaceAtLeast: space.get(family) ?? 0 };
  }).sort((a, b) => a.level - b.level || a.family.localeCompare(b.family));
  out('family (level): pool prompts, of them in the SFT set, distinct train questions in a 50,000 draw');
  for (const r of families) out(`  ${r.family} (L${r.level}): ${r.pool}, ${r.inSft} in SFT, ${r.trainSpaceAtLeast}`);
  const seenTotal = families.reduce((a, r) => a + r.inSft, 0);
  out(`pool prompts the SFT set holds: ${seenTotal} of ${poolTasks.length}`);

  // The scored draw: per level, a fixed seeded selection from the pool (as the learner selects).
  const pool = mathPool(poolTasks);
  const toEval = (t: PoolTask, level: number): EvalTask => ({ id: t.id, level, prompt: t.prompt, domain: 'math', gold: t.gold });
  const perLevel: EvalTask[] = [];
  for (const l of LEVELS) {
    const lv = pool.filter((t) => t.meta.level === l);
    perLevel.push(...selectTasks(lv, new Map(), 1, 99, l, Math.min(f['per-level'], lv.length)).map((t) => toEval(t, l)));
  }
  // Seen against unseen, per family with both kinds in the pool: up to 60 of each; the
  // "level" field carries the group index so one evaluation reports each group.
  const groups: { name: string; tasks: MathTask[] }[] = [];
  for (const fam of SEEN_FAMILIES) for (const seen of [true, false]) groups.push({ name: `${fam} ${seen ? 'seen' : 'unseen'}`, tasks: poolTasks.filter((t) => t.family === fam && sftQuestions.has(t.question) === seen).slice(0, 60) });
  const seenEval = groups.flatMap((g, i) => g.tasks.map((t) => ({ id: t.id, level: i + 1, prompt: t.question, domain: 'math' as const, gold: t.gold })));
  const weights = composition.pool.map((n) => n / poolTasks.length);

  const scored = [];
  for (const ck of f.checkpoints.split(',').filter(Boolean)) {
    const policy = loadPolicy(ck);
    const req = (n: number) => EvalRequest.parse({ checkpoint: '-', domains: ['math'], k: f.k, problems: n, seed: 1, temperature: 1, topP: 1, maxNewTokens: f.cap });
    const r = (await evalLoaded(policy, req(perLevel.length), { math: perLevel })).math!;
    const levels = LEVELS.map((l) => r.byLevel[String(l)]?.avgAtK ?? Number.NaN);
    const poolWeighted = levels.reduce((a, x, i) => a + x * weights[i], 0);
    const balanced = levels.reduce((a, x) => a + x, 0) / LEVELS.length;
    const s = (await evalLoaded(policy, req(seenEval.length), { math: seenEval })).math!;
    const seen = Object.fromEntries(groups.map((g, i) => [g.name, { prompts: g.tasks.length, reward: s.byLevel[String(i + 1)]?.avgAtK ?? Number.NaN }]));
    out(`${ck}: T 1 reward by level 1-5 ${levels.map((x) => x.toFixed(3)).join(' / ')}; pool-weighted ${poolWeighted.toFixed(3)}, balanced ${balanced.toFixed(3)}; truncated ${(100 * r.truncatedFrac).toFixed(1)}%`);
    out(`  seen in SFT / not: ${SEEN_FAMILIES.map((fam) => `${fam} ${seen[`${fam} seen`].reward.toFixed(3)} / ${seen[`${fam} unseen`].reward.toFixed(3)}`).join(', ')}`);
    scored.push({ checkpoint: ck, levels, poolWeighted, balanced, truncatedFrac: r.truncatedFrac, seen });
  }
  if (f.json) out(JSON.stringify({ bench: 'rl-pool', seed: f.seed, poolSize: f['pool-size'], composition, families, poolSeenInSft: seenTotal, perLevel: f['per-level'], k: f.k, cap: f.cap, temperature: 1, scored }));
  return 0;
}
