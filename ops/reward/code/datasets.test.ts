// Loader helpers on synthetic text (the dataset-backed runs are in test/reward-code and test/long).
import { describe, expect, it } from 'vitest';
import { brokenVariant, splitCheckBody, splitContestTest, wrongProgram, type CodeProblem } from './datasets.ts';

describe('splitCheckBody', () => {
  it('gives one dedented case per top-level statement of check()', () => {
    const test = 'def check(candidate):\n    assert candidate(a = 1) == 2\n\n    assert candidate(\n        a = 2) == 3\n    x = 1\n    assert x\n';
    expect(splitCheckBody(test)).toEqual(['assert candidate(a = 1) == 2', 'assert candidate(\n    a = 2) == 3', 'x = 1', 'assert x']);
  });
});

describe('splitContestTest', () => {
  it('puts statements before the first test_input into setup and ends each case at its assert', () => {
    const test = '\nmy_solution = Solution()\n\n_f = lambda x: x\n\ntest_input = { "a": 1 }\nassert my_solution.f(**test_input) == 1\n\ntest_input = { "a": 2 }\nassert _f(my_solution.f(**test_input)) == 2\n';
    expect(splitContestTest(test)).toEqual({
      setup: 'my_solution = Solution()\n_f = lambda x: x',
      cases: ['test_input = { "a": 1 }\nassert my_solution.f(**test_input) == 1', 'test_input = { "a": 2 }\nassert _f(my_solution.f(**test_input)) == 2'],
    });
  });
});

describe('brokenVariant and wrongProgram', () => {
  it('wrap the entry point (the pool tests run them)', () => {
    expect(brokenVariant('function f() {}', 'javascript', 'f')).toContain(';f = ((orig) =>');
    expect(brokenVariant('class Solution: pass', 'python', 'Solution().g')).toContain('Solution.g = __ace_wrap(Solution.g)');
    const p = { language: 'python', entryPoint: 'Solution().g', tests: { format: 'assert', prelude: '', setup: '', cases: ['x'] } } as unknown as CodeProblem;
    expect(wrongProgram(p)).toBe('class Solution:\n    def g(self, *args, **kwargs):\n        return None\n');
  });
});
