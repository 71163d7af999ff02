import { describe, expect, it } from 'vitest';
import { generateMathTasks, MATH_FAMILIES } from './math.ts';
import { splitOf } from './suite.ts';

describe('synthetic math suite', () => {
  it('is reproducible under a seed and differs across seeds', () => {
    const a = generateMathTasks({ seed: 7, split: 'train', count: 50 });
    const b = generateMathTasks({ seed: 7, split: 'train', count: 50 });
    const c = generateMathTasks({ seed: 8, split: 'train', count: 50 });
    expect(a).toEqual(b);
    expect(a.map((t) => t.question)).not.toEqual(c.map((t) => t.question));
  });

  it('never shares a question between train and held-out, whatever the seeds', () => {
    const train = new Set(generateMathTasks({ seed: 1, split: 'train', count: 3000 }).map((t) => t.question));
    const held = generateMathTasks({ seed: 2, split: 'heldout', count: 300 });
    expect(held.filter((t) => train.has(t.question))).toEqual([]);
    expect(held.every((t) => splitOf(t.question) === 'heldout')).toBe(true);
  });

  it('covers every level and family, and the teacher boxes the gold answer after </think>', () => {
    const tasks = generateMathTasks({ seed: 3, split: 'train', count: 600 });
    expect(new Set(tasks.map((t) => t.level))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(new Set(tasks.map((t) => t.family))).toEqual(new Set(MATH_FAMILIES.map((f) => f.name)));
    for (const t of tasks) {
      expect(t.solution).toMatch(/^<think>.+<\/think>\\boxed\{.+\}$/);
      expect(t.solution.endsWith(`\\boxed{${t.gold}}`)).toBe(true);
    }
  });

  it('computes gold answers correctly (spot checks by family)', () => {
    for (const t of generateMathTasks({ seed: 4, split: 'train', count: 400 })) {
      const q = t.question.replace(/\\times ?/g, '*');
      if (t.family === 'linear-equation') {
        const [, a, b, c] = /(\d+)x\+(\d+)=(-?\d+)/.exec(q)!.map(Number);
        expect(a * Number(t.gold) + b).toBe(c);
      } else if (t.family === 'fraction-add') {
        const [, a, b, c, d] = /\\frac\{(\d+)\}\{(\d+)\}\+\\frac\{(\d+)\}\{(\d+)\}/.exec(q)!.map(Number);
        const m = /^\\frac\{(\d+)\}\{(\d+)\}$/.exec(t.gold);
        const value = m ? Number(m[1]) / Number(m[2]) : Number(t.gold);
        expect(value).toBeCloseTo(a / b + c / d, 12);
      } else {
        const expr = /Compute (.+)\.$/.exec(q)![1];
        expect(Number(t.gold)).toBe(Function(`return ${expr}`)());
      }
    }
  });

  it('fails clearly when a split cannot hold that many distinct tasks', () => {
    expect(() => generateMathTasks({ seed: 1, split: 'heldout', count: 100, levels: [1] })).toThrow(/only \d+ distinct heldout tasks/);
  });
});
