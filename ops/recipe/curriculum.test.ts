import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateMathTasks } from '../tasks/math.ts';
import { CurriculumError, mathPool, passKey, Recipe, RecipeStage, selectTasks, sharedPrefixFor, stageAt, stagePool, taskIdOfPassKey, totalSteps } from './curriculum.ts';
import { promptTokens } from './template.ts';

const pool = Array.from({ length: 20 }, (_, i) => ({ id: `p${i}` }));
const keepAll = 1;
const ids = (ts: { id: string }[]) => ts.map((t) => t.id);

describe('the recipe', () => {
  const recipe = Recipe.parse([
    { domain: 'math', steps: 5, maxResponseTokens: 64 },
    { name: 'math-hard', domain: 'math', steps: 3, maxResponseTokens: 96, filter: { dropPassRateAtLeast: 0.75 } },
    { domain: 'code', steps: 2, maxResponseTokens: 136 },
  ]);

  it('places its stages one after another on the step clock, named by default <n>-<domain>', () => {
    expect(totalSteps(recipe)).toBe(10);
    const at = (s: number) => stageAt(recipe, s);
    expect([0, 4, 5, 7, 8, 9].map((s) => at(s).name)).toEqual(['1-math', '1-math', 'math-hard', 'math-hard', '3-code', '3-code']);
    expect([at(0).fromStep, at(5).fromStep, at(9).fromStep]).toEqual([0, 5, 8]);
    expect(at(12).name).toBe('3-code'); // past the end: the last stage
    expect(recipe[0].source).toEqual({ kind: 'synthetic', levels: [1, 2, 3, 4, 5], poolSize: 5000 });
  });

  it('refuses unknown keys, repeated names, a solve-rate band on the synthetic suite and an empty band', () => {
    const issues = (raw: unknown) => {
      const r = Recipe.safeParse(raw);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues([{ domain: 'math', steps: 1, maxResponseTokens: 8, cap: 3 }]).join()).toMatch(/Unrecognized key: "cap"/);
    expect(issues([{ name: 'a', domain: 'math', steps: 1, maxResponseTokens: 8 }, { name: 'a', domain: 'code', steps: 1, maxResponseTokens: 8 }]).join()).toMatch(/1\.name: stage name 'a' is also stage 1's/);
    expect(issues([{ domain: 'math', steps: 1, maxResponseTokens: 8, filter: { solveRate: {} } }]).join()).toMatch(/0\.filter\.solveRate: a solve-rate band needs curated prompts/);
    expect(issues([{ domain: 'math', steps: 1, maxResponseTokens: 8, source: { kind: 'curated', path: 'x' }, filter: { solveRate: { above: 0.5, below: 0.5 } } }]).join()).toMatch(/an empty band/);
    expect(issues([{ domain: 'math', steps: 0, maxResponseTokens: 8 }]).join()).toMatch(/0\.steps/);
    expect(issues([]).join()).toMatch(/Too small/);
  });
});

describe('selectTasks', () => {
  it('is the seeded draw pinned for (seed, step): the same prompts in the same order', () => {
    // Pinned from the draw as it was when it lived in the learner actor: a change here
    // changes every run's batches.
    expect(ids(selectTasks(pool, new Map(), keepAll, 5, 3, 6))).toEqual(['p19', 'p16', 'p3', 'p0', 'p6', 'p10']);
    expect(ids(selectTasks(pool, new Map(), keepAll, 5, 4, 6))).toEqual(['p0', 'p17', 'p1', 'p11', 'p10', 'p15']);
    expect(ids(selectTasks(pool, new Map(), keepAll, 5, 3, 6))).toEqual(ids(selectTasks(pool, new Map(), keepAll, 5, 3, 6)));
  });

  it('draws the same math prompts through the mathPool adapter as from the suite itself', () => {
    const suite = generateMathTasks({ seed: 5, split: 'train', count: 200, levels: [1, 2] });
    const expected = ['train-sub-1digit-8b33b989', 'train-sub-1digit-9916fa8d', 'train-add-1digit-418b294c', 'train-mul-1digit-50e96446'];
    expect(ids(selectTasks(mathPool(suite), new Map(), keepAll, 5, 0, 4))).toEqual(expected);
    expect(ids(selectTasks(suite, new Map(), keepAll, 5, 0, 4))).toEqual(expected);
    const t = mathPool(suite)[0];
    expect(t).toEqual({ id: suite[0].id, domain: 'math', prompt: suite[0].question, gold: suite[0].gold, meta: { level: suite[0].level, family: suite[0].family } });
  });

  it('picks n distinct prompts, the whole pool when n is its size', () => {
    for (let step = 0; step < 20; step++) expect(new Set(ids(selectTasks(pool, new Map(), keepAll, 1, step, 15))).size).toBe(15);
    expect(ids(selectTasks(pool, new Map(), keepAll, 1, 0, 20)).sort()).toEqual(ids(pool).sort());
  });

  it('never draws a prompt whose pass rate is at or above the stage threshold', () => {
    // p0..p9 at or above 0.5 (p9 exactly), p10 just below; the rest unseen (rate 0).
    const rates = new Map<string, number>(pool.slice(0, 10).map((t, i) => [t.id, i === 9 ? 0.5 : 1]));
    rates.set('p10', 0.49);
    const drawn = new Set<string>();
    for (let step = 0; step < 50; step++) for (const t of selectTasks(pool, rates, 0.5, 7, step, 4)) drawn.add(t.id);
    expect([...drawn].sort()).toEqual(ids(pool.slice(10)).sort());
  });

  it('draws from the whole pool when fewer than n prompts are eligible', () => {
    const rates = new Map<string, number>(pool.slice(0, 17).map((t) => [t.id, 1]));
    const dropping = 0.5;
    for (let step = 0; step < 10; step++) expect(ids(selectTasks(pool, rates, dropping, 7, step, 4))).toEqual(ids(selectTasks(pool, new Map(), keepAll, 7, step, 4)));
    expect(selectTasks(pool, rates, dropping, 7, 0, 4).some((t) => rates.has(t.id))).toBe(true);
  });

  it('refuses a pool smaller than n (no endless draw)', () => {
    expect(() => selectTasks(pool.slice(0, 3), new Map(), keepAll, 1, 0, 4)).toThrow(CurriculumError);
  });
});

describe('sharedPrefixFor', () => {
  it("is the longest prompt's tokens minus one, rounded up to a multiple of 8", () => {
    // Prompts of k characters are k + 4 tokens here (chat template around byte tokens).
    const p = (k: number) => ({ prompt: 'x'.repeat(k) });
    expect([5, 6, 13, 14].map((k) => promptTokens(p(k).prompt).length - 1)).toEqual([8, 9, 16, 17]);
    expect(sharedPrefixFor([p(5)])).toBe(8);
    expect(sharedPrefixFor([p(6)])).toBe(16);
    expect(sharedPrefixFor([p(13), p(2)])).toBe(16);
    expect(sharedPrefixFor([p(2), p(14), p(6)])).toBe(24);
  });
});

describe('passKey', () => {
  it('writes every wire id as a valid KV key and reads it back', () => {
    for (const id of ['train-add-1digit-418b294c', 'own:0', 'math_src:12:a.b', 'x-y_z.9']) {
      expect(passKey(id)).toMatch(/^pass\.[-/=.\w]+$/);
      expect(taskIdOfPassKey(passKey(id))).toBe(id);
    }
    expect(passKey('own:0')).toBe('pass.own=3a0');
  });
});

describe('stagePool from a curated JSONL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ace-curated-'));
  const line = (taskId: string, solved?: number, over: Record<string, unknown> = {}) =>
    JSON.stringify({ taskId, domain: 'math', prompt: `What is ${taskId}?`, gold: '1', meta: {}, source: 'own', ...(solved === undefined ? {} : { difficulty: { k: 4, solved } }), ...over });
  const write = (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };
  const stage = (path: string, filter: Record<string, unknown> = {}) => RecipeStage.parse({ domain: 'math', steps: 1, maxResponseTokens: 8, source: { kind: 'curated', path }, filter });

  it('reads every line into a pool, the source in meta; the solve-rate band keeps (above, below) only', () => {
    const path = write('rated.jsonl', [line('a:0', 0), line('a:1', 1), '', line('a:2', 2), line('a:3', 4)]);
    const pool = stagePool(stage(path), 's', 1);
    expect(pool.map((t) => t.id)).toEqual(['a:0', 'a:1', 'a:2', 'a:3']);
    expect(pool[0]).toEqual({ id: 'a:0', domain: 'math', prompt: 'What is a:0?', gold: '1', meta: { source: 'own' } });
    // Solved by none (0/4) and by all (4/4) are dropped by the default band.
    expect(stagePool(stage(path, { solveRate: {} }), 's', 1).map((t) => t.id)).toEqual(['a:1', 'a:2']);
    expect(stagePool(stage(path, { solveRate: { above: 0.25 } }), 's', 1).map((t) => t.id)).toEqual(['a:2']);
  });

  it('fails on a bad line with its line number, a repeated id, another domain, a band without difficulties, a missing file', () => {
    const err = (path: string, filter: Record<string, unknown> = {}) => {
      try {
        stagePool(stage(path, filter), 'hard', 1);
      } catch (e) {
        return e as CurriculumError;
      }
      throw new Error('no error');
    };
    expect(err(write('bad.jsonl', [line('a:0'), '{"taskId": 3}'])).message).toMatch(/bad\.jsonl:2: not a curated task: taskId/);
    expect(err(write('notjson.jsonl', [line('a:0'), '', 'nope'])).message).toMatch(/notjson\.jsonl:3: not JSON/);
    expect(err(write('twice.jsonl', [line('a:0'), line('a:0')])).message).toMatch(/twice\.jsonl:2: taskId 'a:0' is also line 1's/);
    expect(err(write('code.jsonl', [line('c:0', undefined, { domain: 'code', gold: undefined, tests: { kind: 'x' } })])).message).toMatch(/stage hard is a math stage, but .*code\.jsonl holds code task 'c:0'/);
    expect(err(write('nogold.jsonl', [line('a:0', undefined, { gold: undefined })])).message).toMatch(/math task 'a:0' has no gold answer/);
    expect(err(write('unrated.jsonl', [line('a:0', 1), line('a:1')]), { solveRate: {} }).message).toMatch(/'a:1' in .* has none/);
    const missing = err(join(dir, 'missing.jsonl'));
    expect([missing.code, missing.message]).toEqual(['SOURCE_UNREADABLE', expect.stringMatching(/cannot read the curated prompts .*missing\.jsonl: ENOENT[\s\S]*HINT: write them with `ace curate/)]);
  });
});
