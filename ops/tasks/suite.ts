// What the synthetic suites (math.ts, code.ts) share: the held-out split by a hash of the
// prompt text, and the seeded draw of distinct tasks of one split, uniformly by family.
import { fnv1a32 } from '../hash.ts';
import { Rng } from '../rng.ts';

export type Split = 'train' | 'heldout';

/** One prompt in ten (by FNV-1a of its text, so never by seed or order) is held out; the rest are for training. */
export function splitOf(prompt: string): Split {
  return fnv1a32(prompt) % 10 === 0 ? 'heldout' : 'train';
}

export interface SuiteOptions<L extends number> {
  seed: number;
  split: Split;
  count: number;
  /** Levels to draw from, uniformly by family. Default all. */
  levels?: readonly L[];
}

/**
 * `count` distinct tasks of one split, reproducible from the seed: a family is picked, then
 * `draw` makes one instance with the same generator (its prompt, and the task built from it
 * once the prompt is known to be new and of the split). The task id is split-family-hash.
 */
export function drawTasks<L extends number, F extends { name: string; level: L }, D, T>(
  opts: SuiteOptions<L>,
  all: readonly F[],
  draw: (f: F, rng: Rng) => { prompt: string; data: D },
  build: (id: string, f: F, prompt: string, data: D) => T,
): T[] {
  const rng = new Rng(opts.seed);
  const families = all.filter((f) => !opts.levels || opts.levels.includes(f.level));
  if (families.length === 0) throw new Error(`no task family has a level in ${JSON.stringify(opts.levels)}`);
  const seen = new Set<string>();
  const out: T[] = [];
  let attempts = 0;
  while (out.length < opts.count) {
    if (++attempts > opts.count * 200) throw new Error(`only ${out.length} distinct ${opts.split} tasks exist for levels ${opts.levels ?? 'all'}`);
    const f = rng.pick(families);
    const { prompt, data } = draw(f, rng);
    if (seen.has(prompt) || splitOf(prompt) !== opts.split) continue;
    seen.add(prompt);
    out.push(build(`${opts.split}-${f.name}-${fnv1a32(prompt).toString(16)}`, f, prompt, data));
  }
  return out;
}
