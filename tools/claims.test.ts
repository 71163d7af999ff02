import { describe, expect, it } from 'vitest';
import { Recipe, totalSteps } from '../ops/recipe/curriculum.ts';
import { ARMS, scaleArm } from './claims.ts';
import { DEFAULT_RECIPE } from './train.ts';

describe('ace claims arms', () => {
  const arm = (name: string) => ARMS.find((a) => a.name === name)!;
  const math = DEFAULT_RECIPE.filter((s) => s.domain === 'math');

  it('compare like with like: every math arm has the recipe math stages steps, differing only in what its claim is about', () => {
    for (const a of ARMS) expect(Recipe.safeParse(a.stages).success, a.name).toBe(true);
    expect(arm('recipe').stages).toEqual(DEFAULT_RECIPE);
    for (const name of ['long', 'full-pool', 'lag2']) expect(arm(name).stages.map((s) => s.steps), name).toEqual(math.map((s) => s.steps));
    // long: the final cap from step 0, sources and filters as the recipe's
    expect(arm('long').stages.map((s) => s.maxResponseTokens)).toEqual([128, 128, 128]);
    expect(arm('long').stages.map((s) => [s.source, s.filter])).toEqual(math.map((s) => [s.source, s.filter]));
    // full-pool: only the last stage differs, on the whole pool without the filter
    expect(arm('full-pool').stages.slice(0, 2)).toEqual(math.slice(0, 2));
    expect(arm('full-pool').stages[2]).toMatchObject({ maxResponseTokens: 128, source: { kind: 'synthetic' }, filter: { dropPassRateAtLeast: 1 } });
    expect(arm('full-pool').stages[2].source).not.toHaveProperty('levels');
    // lag2: the recipe's math stages, prompts up to two versions old
    expect([arm('lag2').stages, arm('lag2').maxPolicyLag]).toEqual([math, 2]);
  });

  it('scales steps for a quick pass, one at least per stage', () => {
    expect(scaleArm(arm('recipe'), 0.05).stages.map((s) => s.steps)).toEqual([1, 1, 1, 1, 1]);
    expect(totalSteps(scaleArm(arm('recipe'), 0.5).stages)).toBe(50);
  });
});
