// The synthetic code suite against the real code verifier: teacher responses pass their
// hidden tests, the tests kill mutants of the teacher programs (a survivor is excused only
// when it agrees with the teacher on randomized inputs too), splits never overlap, and
// prompt + solution fit the shipped model's context.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { differentialCases } from '../data/differential.ts';
import { mutants } from '../data/mutate.ts';
import { encode } from '../model/tokenizer.ts';
import { promptTokens } from '../recipe/template.ts';
import { CodeVerifierPool } from '../reward/code/pool.ts';
import type { FunctionCase } from '../reward/code/types.ts';
import { Rng } from '../rng.ts';
import { CODE_FAMILIES, generateCodeTasks, type CodeTask } from './code.ts';
import { splitOf } from './suite.ts';

const MAX_POSITIONS: number = JSON.parse(readFileSync(new URL('../../models/base/config.json', import.meta.url), 'utf8')).max_position_embeddings;
/** The response budget the tiny policy samples with (tokens). */
const MAX_SOLUTION_TOKENS = 160;

const casesOf = (t: CodeTask) => (t.tests as { cases: (FunctionCase & { args: unknown[] })[] }).cases;
const programOf = (t: CodeTask) => /```js\n([\s\S]*)\n```$/.exec(t.solution)![1];

/** The first tasks of every family in each split (seed 5): the sample the verifier checks. */
function sample(perFamily: { train: number; heldout: number }): CodeTask[] {
  const out: CodeTask[] = [];
  for (const split of ['train', 'heldout'] as const) {
    const tasks = generateCodeTasks({ seed: 5, split, count: split === 'train' ? 1500 : 400 });
    for (const f of CODE_FAMILIES) out.push(...tasks.filter((t) => t.family === f.name).slice(0, perFamily[split]));
  }
  return out;
}

/**
 * New arguments shaped like a task's own (numbers, strings, number arrays) and inside the
 * ranges its cases use, so that no precondition (n >= 0, no negatives, n <= 40) is broken:
 * half near values the cases use, half uniform. Its power is bound to those ranges: with few
 * cases (3, say) it passes mutants that wider inputs would tell apart.
 */
function fuzzArgs(cases: { args: unknown[] }[], n: number, seed: number): string[][] {
  const r = new Rng(seed);
  const columns = cases[0].args.map((_, j) => cases.map((c) => c.args[j]));
  const gen = columns.map((col): (() => unknown) => {
    if (typeof col[0] === 'number') {
      const xs = col as number[];
      const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
      return () => (r.next() < 0.5 ? r.int(lo, hi) : Math.min(hi, Math.max(lo, r.pick(xs) + r.int(-1, 1))));
    }
    if (typeof col[0] === 'string') {
      const ss = col as string[];
      const alphabet = [...new Set(ss.join(''))];
      const maxLen = Math.max(...ss.map((s) => s.length)) + 2;
      return () => Array.from({ length: r.int(0, maxLen) }, () => r.pick(alphabet)).join('');
    }
    const arrays = col as number[][];
    const xs = arrays.flat();
    const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
    const maxLen = Math.max(...arrays.map((a) => a.length)) + 2;
    return () => Array.from({ length: r.int(0, maxLen) }, () => (r.next() < 0.5 ? r.int(lo, hi) : Math.min(hi, Math.max(lo, r.pick(xs) + r.int(-1, 1)))));
  });
  return Array.from({ length: n }, () => gen.map((g) => JSON.stringify(g())));
}

describe('synthetic code suite: generation', () => {
  it('is reproducible under a seed and differs across seeds', () => {
    const a = generateCodeTasks({ seed: 7, split: 'train', count: 60 });
    expect(generateCodeTasks({ seed: 7, split: 'train', count: 60 })).toEqual(a);
    expect(generateCodeTasks({ seed: 8, split: 'train', count: 60 }).map((t) => t.prompt)).not.toEqual(a.map((t) => t.prompt));
  });

  it('never shares a prompt between train and held-out, whatever the seeds', () => {
    const train = generateCodeTasks({ seed: 1, split: 'train', count: 3000 });
    const held = generateCodeTasks({ seed: 2, split: 'heldout', count: 300 });
    const trainPrompts = new Set(train.map((t) => t.prompt));
    expect(held.filter((t) => trainPrompts.has(t.prompt))).toEqual([]);
    expect(held.every((t) => splitOf(t.prompt) === 'heldout')).toBe(true);
    expect(train.every((t) => splitOf(t.prompt) === 'train')).toBe(true);
  });

  it('gives the same tests to the same prompt whatever the seed', () => {
    const a = new Map(generateCodeTasks({ seed: 1, split: 'train', count: 1000 }).map((t) => [t.prompt, t]));
    const shared = generateCodeTasks({ seed: 2, split: 'train', count: 1000 }).filter((t) => a.has(t.prompt));
    expect(shared.length).toBeGreaterThan(50);
    for (const t of shared) expect(t).toEqual(a.get(t.prompt));
  });

  it('covers every level and family with unique ids, named signatures, >= 5 cases and a fenced teacher program', () => {
    const tasks = generateCodeTasks({ seed: 3, split: 'train', count: 2000 });
    expect(new Set(tasks.map((t) => t.level))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(new Set(tasks.map((t) => t.family))).toEqual(new Set(CODE_FAMILIES.map((f) => f.name)));
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
    for (const t of tasks) {
      const sig = /^Write a JavaScript function (f\([a-z,]*\)) /.exec(t.prompt)?.[1];
      expect(sig, t.prompt).toBeDefined();
      expect(t.solution).toMatch(/^<think>(?:(?!<\/?think>).)+<\/think>```js\nfunction f\([a-z,]*\)\{.+\}\n```$/);
      expect(programOf(t).startsWith(`function ${sig}{`)).toBe(true);
      expect(t.tests).toMatchObject({ format: 'function', fnName: 'f' });
      const cases = casesOf(t);
      expect(cases.length).toBeGreaterThanOrEqual(5);
      expect(new Set(cases.map((c) => JSON.stringify(c.args))).size).toBe(cases.length);
    }
  });

  it('fits prompt + solution + <eos> in the base model context, solutions within the response budget', () => {
    const tasks = [...generateCodeTasks({ seed: 4, split: 'train', count: 3000 }), ...generateCodeTasks({ seed: 4, split: 'heldout', count: 300 })];
    const over = tasks.filter((t) => promptTokens(t.prompt).length + encode(t.solution).length + 1 > MAX_POSITIONS);
    expect(over.map((t) => t.id)).toEqual([]);
    expect(Math.max(...tasks.map((t) => encode(t.solution).length))).toBeLessThanOrEqual(MAX_SOLUTION_TOKENS);
  });

  it('fails clearly when a split cannot hold that many distinct tasks', () => {
    expect(() => generateCodeTasks({ seed: 1, split: 'heldout', count: 500, levels: [1] })).toThrow(/only \d+ distinct heldout tasks/);
  });
});

describe('synthetic code suite: through the code verifier', () => {
  // A tight per-test limit so that mutants which loop forever cost little; the teacher needs < 1 ms a case.
  const pool = new CodeVerifierPool({ jsWorkers: 2, pyWorkers: 0, perTestMs: 300, totalMs: 10_000 });
  afterAll(() => pool.close());

  it('scores every teacher response correct on all its tests (every family, both splits)', async () => {
    const tasks = sample({ train: 2, heldout: 2 });
    expect(new Set(tasks.filter((t) => t.id.startsWith('heldout-')).map((t) => t.family)).size).toBe(CODE_FAMILIES.length);
    const verdicts = await Promise.all(tasks.map((t) => pool.verify({ response: t.solution, tests: t.tests })));
    const failed = verdicts.flatMap((v, i) => (v.kind === 'correct' && v.passed === v.total ? [] : [{ id: tasks[i].id, v }]));
    expect(failed).toEqual([]);
  });

  it('kills every mutant of the teacher programs that differs from the teacher on randomized inputs', async () => {
    const tasks = sample({ train: 2, heldout: 1 });
    const perFamily = new Map(CODE_FAMILIES.map((f) => [f.name, { tried: 0, killed: 0, equivalent: 0 }]));
    const weak: { id: string; before: string; after: string }[] = [];
    await Promise.all(
      tasks.map(async (t, k) => {
        const stats = perFamily.get(t.family)!;
        const code = programOf(t);
        for (const m of mutants(code, { max: 100, seed: k })) {
          const v = await pool.verify({ language: 'javascript', code: m.code, tests: t.tests });
          expect(v.kind, `${t.id}: ${m.after}: ${v.reason}`).not.toBe('error');
          stats.tried++;
          if (v.kind !== 'correct') {
            stats.killed++;
            continue;
          }
          const diff = differentialCases(code, 'f', fuzzArgs(casesOf(t), 300, k));
          const d = await pool.verify({ language: 'javascript', code: m.code, tests: { format: 'assert', cases: diff } });
          if (d.kind === 'correct') stats.equivalent++;
          else weak.push({ id: t.id, before: m.before, after: m.after });
        }
      }),
    );
    const total = [...perFamily.values()].reduce((s, x) => ({ tried: s.tried + x.tried, killed: s.killed + x.killed, equivalent: s.equivalent + x.equivalent }));
    console.info(`code suite mutants: ${JSON.stringify(total)}; equivalent by family: ${JSON.stringify(Object.fromEntries([...perFamily].filter(([, x]) => x.equivalent > 0).map(([f, x]) => [f, x.equivalent])))}`);
    expect(weak).toEqual([]);
    for (const [family, x] of perFamily) expect(x.tried, family).toBeGreaterThanOrEqual(3);
  });

  it('tells a weak test set from an equivalent mutant: one case lets a real mutant through, randomized inputs catch it', async () => {
    const t = generateCodeTasks({ seed: 5, split: 'train', count: 200 }).find((x) => x.family === 'sum-filter')!;
    const code = programOf(t);
    const wrong = code.replace('s+=x', 's-=x');
    const oneCase = { ...t.tests, cases: [{ args: [[]], expected: 0 }] };
    expect((await pool.verify({ language: 'javascript', code: wrong, tests: oneCase })).kind).toBe('correct');
    const diff = differentialCases(code, 'f', fuzzArgs(casesOf(t), 300, 1));
    expect((await pool.verify({ language: 'javascript', code: wrong, tests: { format: 'assert', cases: diff } })).kind).toBe('wrong');
    expect((await pool.verify({ language: 'javascript', code, tests: { format: 'assert', cases: diff } })).kind).toBe('correct');
  });
});
