// Runs real programs through the code verifier (ops/reward/code) in child processes.
import { afterAll, describe, expect, it } from 'vitest';
import { checkCodeProblems, mapLimit } from './code-checks.ts';
import { ProcessCodeRunner } from './process-runner.ts';
import type { Problem } from './task.ts';

const prompt = 'function maxOf(xs) {\n';
const strong = { format: 'assert', language: 'javascript', cases: ['if (maxOf([1, 5, 3]) !== 5) throw new Error("a");', 'if (maxOf([-4, -2, -9]) !== -2) throw new Error("b");', 'if (maxOf([7]) !== 7) throw new Error("c");', 'if (maxOf([2, 9]) !== 9) throw new Error("d");'] };
const weak = { format: 'assert', language: 'javascript', cases: ['if (maxOf([3, 3, 3]) !== 3) throw new Error("a");'] };
const good = prompt + '  let m = xs[0];\n  for (let i = 1; i < xs.length; i++) {\n    if (xs[i] > m) m = xs[i];\n  }\n  return m;\n}\n';
const bad = prompt + '  return xs[0];\n}\n';
const prob = (id: string, reference: string | undefined, tests: unknown): Problem => ({
  id,
  source: 'toy',
  domain: 'code',
  origin: { file: 'f', line: 1 },
  prompt,
  tests,
  language: 'javascript',
  meta: {},
  ...(reference !== undefined ? { reference } : {}),
});

describe('checkCodeProblems', () => {
  const runner = new ProcessCodeRunner(2, 500);
  afterAll(() => runner.close());

  it('drops failing references and weak tests, keeps strong tests', async () => {
    const r = await checkCodeProblems([prob('strong', good, strong), prob('weak', good, weak), prob('broken', bad, strong), prob('noref', undefined, strong)], runner, {
      mutantsPerProblem: 8,
      seed: 3,
      operators: ['swapComparison', 'swapArithmetic', 'dropBranch'],
    });
    expect(r.referenceFailures.map((f) => [f.id, f.kind, f.passed, f.total])).toEqual([['broken', 'wrong', 0, 4]]);
    expect(r.weakTests.map((w) => w.id)).toEqual(['weak']);
    expect(r.weakTests[0].survivors).toBeGreaterThan(0);
    expect(r.noReference).toEqual(['noref']);
    expect(r.dropped).toEqual([1, 2]);
    // 4 sites x 2 problems; the strong tests kill all 4, the weak one only the endless loop.
    expect(r.mutants).toMatchObject({ run: 8, killed: 5, unscorable: 0 });
    expect(r.weakTests[0]).toMatchObject({ mutantsTried: 4, survivors: 3 });
  });

  it('counts an equivalent mutant as a survivor (a known limit of mutation testing)', async () => {
    // Starting the loop at 0 or using >= instead of > changes nothing: no test can kill it.
    const r = await checkCodeProblems([prob('strong', good, strong)], runner, { mutantsPerProblem: 20, seed: 3, operators: ['offByOne'] });
    expect(r.weakTests).toHaveLength(1);
    expect(r.weakTests[0].example.operator).toBe('offByOne');
    console.log('equivalent offByOne mutant:', r.weakTests[0].example);
  });

  it('a program that loops forever fails on the time limit and the runner goes on', async () => {
    const looping = prompt + '  while (true) {}\n}\n';
    const v = await runner.run({ language: 'javascript', code: looping, tests: strong });
    expect(v.kind).toBe('wrong');
    expect(v.detail).toMatch(/^test 0: time_limit/);
    const after = await runner.run({ language: 'javascript', code: good, tests: strong });
    expect(after.kind).toBe('correct');
  });
});

describe('mapLimit', () => {
  it('keeps order and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 3, 2], 2, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, x));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 30, 20]);
    expect(peak).toBe(2);
  });
});

describe('weak tests confirmed by differential inputs', () => {
  const runner = new ProcessCodeRunner(2, 500);
  afterAll(() => runner.close());
  const mbjspStyle = (args: string[]) => ({
    format: 'assert',
    language: 'javascript',
    setup: 'const _ = require("lodash");',
    cases: args.map((a, i) => `var arg${i}0 = ${a};\nvar x${i} = maxOf(arg${i}0);\nif (!_.isEqual(x${i}, Math.max(...arg${i}0))) throw new Error("case ${i}");`),
  });
  const p = (id: string, tests: unknown): Problem => ({ ...prob(id, good, tests), entryPoint: 'maxOf' });

  it('confirms a weak test with an input on which the survivor and the reference disagree', async () => {
    const r = await checkCodeProblems([p('weak', mbjspStyle(['[3, 3, 3]']))], runner, { mutantsPerProblem: 8, seed: 3, operators: ['swapComparison', 'dropBranch'] });
    expect(r.weakTests).toHaveLength(1);
    expect(r.weakTests[0].confirmed).toBe(true);
    expect(r.weakTests[0].witness).toMatch(/reference and program differ on \[\[\d, \d, \d\]\]|reference and program differ on \[\[[\d,]+\]\]/);
    expect(r.weakTestCounts).toEqual({ confirmed: 1, possiblyEquivalent: 0, unchecked: 0 });
    expect(r.dropped).toEqual([0]);
  });

  it('keeps a problem whose only survivor is an equivalent mutant, listed as possibly equivalent', async () => {
    const r = await checkCodeProblems([p('strong', mbjspStyle(['[1, 5, 3]', '[-4, -2, -9]', '[7]', '[2, 9]']))], runner, { mutantsPerProblem: 20, seed: 3, operators: ['offByOne'] });
    expect(r.weakTests).toHaveLength(1);
    expect(r.weakTests[0].confirmed).toBe(false);
    expect(r.weakTestCounts).toEqual({ confirmed: 0, possiblyEquivalent: 1, unchecked: 0 });
    expect(r.dropped).toEqual([]);
  });

  it('leaves tests without argument bindings unchecked', async () => {
    const r = await checkCodeProblems([p('weak', weak)], runner, { mutantsPerProblem: 8, seed: 3, operators: ['swapComparison'] });
    expect(r.weakTests.map((w) => w.confirmed)).toEqual([null]);
    expect(r.dropped).toEqual([0]);
  });
});
