import { describe, expect, it } from 'vitest';
import { Recipe, totalSteps } from '../ops/recipe/curriculum.ts';
import { DEFAULT_RECIPE, stageTable, trainStages } from './train.ts';

describe('ace train stages from the flags', () => {
  const flags = (over: Partial<Parameters<typeof trainStages>[0]> = {}) => ({ steps: undefined, domain: undefined, 'max-response-tokens': undefined, ...over });

  it('is the default recipe, math stages of growing length then code, when no flag says otherwise', () => {
    const stages = Recipe.parse(trainStages(flags()));
    expect(stages.map((s) => [s.name, s.domain, s.maxResponseTokens])).toEqual([
      ['math-64', 'math', 64],
      ['math-96', 'math', 96],
      ['math-128-hard', 'math', 128],
      ['code-112', 'code', 112],
      ['code-136-hard', 'code', 136],
    ]);
    expect(totalSteps(stages)).toBe(100);
  });

  it('scales the recipe to --steps in proportion, each stage at least one step, the sum exact', () => {
    for (const n of [5, 6, 7, 13, 37, 100, 101, 250]) {
      const steps = trainStages(flags({ steps: n })).map((s) => s.steps);
      expect(steps.reduce((a, b) => a + b, 0), `--steps ${n}`).toBe(n);
      expect(Math.min(...steps)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...steps) - Math.min(...steps)).toBeLessThanOrEqual(1); // equal stages stay equal
    }
    expect(() => trainStages(flags({ steps: 4 }))).toThrow(/--steps 4 cannot hold the default recipe's 5 stages/);
  });

  it('is one stage with --domain, its cap from --max-response-tokens, which needs --domain', () => {
    expect(trainStages(flags({ domain: 'code' }))).toEqual([{ domain: 'code', steps: 80, maxResponseTokens: 136 }]);
    expect(trainStages(flags({ domain: 'math', steps: 7, 'max-response-tokens': 40 }))).toEqual([{ domain: 'math', steps: 7, maxResponseTokens: 40 }]);
    expect(() => trainStages(flags({ 'max-response-tokens': 40 }))).toThrow(/--max-response-tokens sets the cap of a one-stage run: give --domain too/);
    expect(DEFAULT_RECIPE).toHaveLength(5);
  });

  it('prints the per-stage table a row per stage', () => {
    const figures = (avg: number) => ({ overall: { avgAtK: avg, passAtK: avg + 0.1 } }) as never;
    const t = stageTable([{ name: 'base', steps: '-', cap: '-', reports: { math: figures(0.25) } }, { name: 'math-64', steps: '0-19', cap: '64', reports: { math: figures(0.375) } }], ['math'], 8);
    expect(t).toBe('| stage | steps | cap | math avg@8 | math pass@8 |\n|---|---|---|---|---|\n| base | - | - | 25.0% | 35.0% |\n| math-64 | 0-19 | 64 | 37.5% | 47.5% |\n');
  });
});
