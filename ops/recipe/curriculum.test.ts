import { describe, expect, it } from 'vitest';
import { generateMathTasks } from '../tasks/math.ts';
import { CurriculumError, type CurriculumStage, mathPool, selectTasks, sharedPrefixFor, stageAt } from './curriculum.ts';
import { promptTokens } from './template.ts';

const stage = (fromStep: number, dropPassRateAtLeast = 1): CurriculumStage => ({ fromStep, maxResponseTokens: 8 + fromStep, dropPassRateAtLeast });
const pool = Array.from({ length: 20 }, (_, i) => ({ id: `p${i}` }));
const keepAll = stage(0);
const ids = (ts: { id: string }[]) => ts.map((t) => t.id);

describe('stageAt', () => {
  it('takes the stage with the greatest fromStep at or before the step, whatever the listed order', () => {
    const curriculum = [stage(10), stage(0), stage(5)];
    expect([0, 4, 5, 9, 10, 1000].map((s) => stageAt(curriculum, s).fromStep)).toEqual([0, 0, 5, 5, 10, 10]);
  });

  it('before the first stage starts, is the first stage', () => {
    expect(stageAt([stage(3), stage(6)], 1).fromStep).toBe(3);
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
    for (let step = 0; step < 50; step++) for (const t of selectTasks(pool, rates, stage(0, 0.5), 7, step, 4)) drawn.add(t.id);
    expect([...drawn].sort()).toEqual(ids(pool.slice(10)).sort());
  });

  it('draws from the whole pool when fewer than n prompts are eligible', () => {
    const rates = new Map<string, number>(pool.slice(0, 17).map((t) => [t.id, 1]));
    const dropping = stage(0, 0.5);
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
