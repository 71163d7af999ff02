// CodeVerifierPool end to end on both languages: formats, verdict mapping, limits, queue and
// close behaviour, and a broken sandbox reported as unscorable rather than as a wrong program.
import { afterAll, describe, expect, it } from 'vitest';
import { CodeVerifierPool } from './pool.ts';
import { sandboxProblem } from './py-runner.ts';

const fence = '```';
const stdio = (pairs: [string, string][]) => ({ format: 'stdio', cases: pairs.map(([input, output]) => ({ input, output })) });
const addTests = { format: 'function', fnName: 'add', cases: [{ args: [1, 2], expected: 3 }, { args: [-5, 5], expected: 0 }] };

describe('CodeVerifierPool: JavaScript', () => {
  const pool = new CodeVerifierPool({ jsWorkers: 2, pyWorkers: 0, perTestMs: 1000, totalMs: 3000, jsMemoryMb: 64 });
  afterAll(() => pool.close());

  it('scores a correct function program 1 with all tests passed and timings', async () => {
    const v = await pool.verify({ language: 'javascript', code: 'function add(a, b) { return a + b; }', tests: addTests });
    expect(v).toMatchObject({ kind: 'correct', reward: 1, language: 'javascript', passed: 2, total: 2, firstFailure: null });
    expect(v.timings.totalMs).toBeGreaterThanOrEqual(v.timings.runMs);
  });

  it('reports the first failing test with expected and actual excerpts', async () => {
    const v = await pool.verify({ language: 'js', code: 'function add(a, b) { return a > 0 ? a + b : 1; }', tests: addTests });
    expect(v).toMatchObject({ kind: 'wrong', reward: 0, passed: 1, total: 2, firstFailure: { test: 1, reason: 'wrong_answer', expected: '0', actual: '1' } });
  });

  it('extracts the program from a response and runs stdio tests with fs and readline input', async () => {
    const prog = `const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a * b);`;
    const response = `<think>${fence}js\nwrong()\n${fence}</think>\nAnswer:\n${fence}javascript\n${prog}\n${fence}`;
    const v = await pool.verify({ response, tests: stdio([['3 4\n', '12\n'], ['5 5', '25']]) });
    expect(v).toMatchObject({ kind: 'correct', passed: 2, total: 2 });
    const rl = `const rl = require('readline').createInterface({ input: process.stdin });\nlet n = 0; rl.on('line', (l) => (n += Number(l)));\nrl.on('close', () => console.log(n));`;
    expect(await pool.verify({ language: 'js', code: rl, tests: stdio([['1\n2\n3\n', '6']]) })).toMatchObject({ kind: 'correct' });
  });

  it('runs assert tests with setup, counting each case', async () => {
    const tests = { format: 'assert', language: 'javascript', setup: 'const assert = require("assert");', cases: ['assert.deepStrictEqual(rev([1, 2]), [2, 1]);', 'assert.deepStrictEqual(rev([]), [1]);'] };
    const v = await pool.verify({ language: 'javascript', code: 'const rev = (a) => [...a].reverse();', tests });
    expect(v).toMatchObject({ kind: 'wrong', passed: 1, total: 2, firstFailure: { test: 1, reason: 'wrong_answer' } });
  });

  it('ignores the completion value of program and test code, even when it cannot be copied', async () => {
    const tests = { format: 'assert', setup: 'Symbol("s")', cases: ['(function () {})', '[() => 1, Symbol("x")]'] };
    expect(await pool.verify({ language: 'js', code: 'function f() {}\n({ g: () => 1 })', tests })).toMatchObject({ kind: 'correct', passed: 2 });
  });

  it('awaits async results and runs virtual timers', async () => {
    const code = 'function add(a, b) { return new Promise((r) => setTimeout(() => r(a + b), 60_000)); }';
    expect(await pool.verify({ language: 'js', code, tests: addTests })).toMatchObject({ kind: 'correct', passed: 2 });
  });

  it('maps limits and errors to reasons', async () => {
    const cases: [string, string][] = [
      ['while (true) {}', 'time_limit'],
      ['const a = []; for (;;) a.push(new Array(1e6).fill(1));', 'memory_limit'],
      ['function f( {', 'compile_error'],
      ['null.x', 'runtime_error'],
    ];
    for (const [code, reason] of cases) {
      const v = await pool.verify({ language: 'js', code, tests: stdio([['', '']]) });
      expect(v, code).toMatchObject({ kind: 'wrong', reward: 0, firstFailure: { test: 0, reason } });
    }
    expect(await pool.verify({ language: 'js', code: 'console.log(1)', tests: stdio([['', '1']]) })).toMatchObject({ kind: 'correct' });
    expect(pool.stats().isolatesCreated).toBeGreaterThanOrEqual(3); // replaced after the time and memory limits
  });

  it('answers unparseable and error inputs as data', async () => {
    expect(await pool.verify({ response: 'just prose', tests: addTests })).toMatchObject({ kind: 'unparseable', reward: 0, reason: 'no fenced code block' });
    expect(await pool.verify({ response: `${fence}rust\nfn main(){}\n${fence}`, tests: addTests })).toMatchObject({ kind: 'unparseable', reward: 0 });
    expect(await pool.verify({ code: 'x', tests: addTests })).toMatchObject({ kind: 'unparseable', reason: "unknown language ''" });
    expect(await pool.verify({ language: 'js', code: 'x', tests: { format: 'function', cases: [] } })).toMatchObject({ kind: 'error', reward: null });
    expect(await pool.verify({ language: 'js', tests: addTests })).toMatchObject({ kind: 'error', reason: 'input has neither code nor response' });
    const pyTests = { format: 'assert', language: 'python', cases: ['assert f() == 1'] };
    expect(await pool.verify({ language: 'js', code: 'function f() { return 1 }', tests: pyTests })).toMatchObject({ kind: 'wrong', firstFailure: { reason: 'compile_error' } });
    expect(await pool.verify({ language: 'python', code: 'x', tests: addTests })).toMatchObject({ kind: 'error', reason: 'no python workers configured' });
  });
});

describe('CodeVerifierPool: broken sandbox', () => {
  it('answers error (unscorable), not wrong, when the Python sandbox cannot start', async () => {
    const pool = new CodeVerifierPool({ jsWorkers: 0, pyWorkers: 1, sandboxPaths: { bwrap: '/nonexistent/bwrap' } });
    expect(await pool.warmUp()).toMatch(/^python sandbox failed to start/);
    const v = await pool.verify({ language: 'python', code: 'print(1)', tests: stdio([['', '1']]) });
    await pool.close();
    expect(v).toMatchObject({ kind: 'error', reward: null });
    expect(v.reason).toMatch(/^verifier fault: python sandbox failed to start/);
  });
});

describe('CodeVerifierPool: queue', () => {
  it('answers error when the queue is full, and error for waiting programs at close', async () => {
    const pool = new CodeVerifierPool({ jsWorkers: 1, pyWorkers: 0, queueLimit: 2, perTestMs: 200 });
    const slow = { language: 'js', code: 'while (true) {}', tests: stdio([['', '']]) };
    const all = Promise.all([pool.verify(slow), pool.verify(slow), pool.verify(slow), pool.verify(slow)]);
    const v = await all;
    expect(v.map((x) => x.kind)).toEqual(['wrong', 'wrong', 'wrong', 'error']);
    expect(v[3].reason).toBe('queue full (2 waiting)');
    const running = pool.verify(slow);
    const waiting = pool.verify(slow);
    await pool.close();
    expect((await waiting).reason).toBe('verifier closed');
    await running;
    expect(await pool.verify(slow)).toMatchObject({ kind: 'error', reason: 'verifier closed' });
  });
});

const noSandbox = sandboxProblem();
if (noSandbox) console.warn(`skipping Python pool tests: ${noSandbox}`);

describe.skipIf(noSandbox !== null)('CodeVerifierPool: Python', () => {
  const pool = new CodeVerifierPool({ jsWorkers: 0, pyWorkers: 2, perTestMs: 1000, totalMs: 3000, pyMemoryMb: 256 });
  afterAll(() => pool.close());

  it('starts its sandboxes on warmUp', async () => {
    expect(await pool.warmUp()).toBeNull();
    expect(pool.stats().sandboxLaunches).toBe(2);
  });

  it('runs the three formats', async () => {
    expect(await pool.verify({ language: 'python', code: 'a, b = map(int, input().split())\nprint(a + b)', tests: stdio([['1 2', '3'], ['10 -3\n', '7\n']]) })).toMatchObject({ kind: 'correct', passed: 2 });
    expect(await pool.verify({ language: 'py', code: 'def add(a, b):\n    return a + b', tests: addTests })).toMatchObject({ kind: 'correct', passed: 2 });
    const kw = { format: 'function', fnName: 'Solution().f', cases: [{ args: { xs: [3, 1, 2] }, expected: [1, 2, 3] }, { args: { xs: [] }, expected: [] }] };
    expect(await pool.verify({ language: 'python', code: 'class Solution:\n    def f(self, xs):\n        return tuple(sorted(xs))', tests: kw })).toMatchObject({ kind: 'correct', passed: 2 });
    const asserts = { format: 'assert', language: 'python', prelude: 'from typing import *', setup: 'candidate = Solution().f', cases: ['assert candidate([1]) == 1', 'assert candidate([1, 2]) == 3', 'assert candidate([5]) == 6'] };
    expect(await pool.verify({ language: 'python', code: 'class Solution:\n    def f(self, xs: List[int]) -> int:\n        return sum(xs)', tests: asserts })).toMatchObject({ kind: 'wrong', passed: 2, total: 3, firstFailure: { test: 2, reason: 'wrong_answer' } });
  });

  it('compares big integers exactly', async () => {
    const t = { format: 'function', fnName: 'f', cases: [{ args: [], expected: 9007199254740992 }] };
    expect(await pool.verify({ language: 'python', code: 'def f():\n    return 2**53 + 1', tests: t })).toMatchObject({ kind: 'wrong', firstFailure: { actual: '9007199254740993' } });
    expect(await pool.verify({ language: 'python', code: 'def f():\n    return 2**53', tests: t })).toMatchObject({ kind: 'correct' });
  });

  it('maps limits and errors to reasons', async () => {
    const cases: [string, string][] = [
      ['while True: pass', 'time_limit'],
      ['x = "a" * 10**10', 'memory_limit'],
      ['def f(:', 'compile_error'],
      ['raise ValueError("boom")', 'runtime_error'],
      ['import sys\nsys.exit(2)', 'runtime_error'],
    ];
    for (const [code, reason] of cases) {
      const v = await pool.verify({ language: 'python', code, tests: stdio([['', '']]) });
      expect(v, code).toMatchObject({ kind: 'wrong', reward: 0, firstFailure: { test: 0, reason } });
    }
    const v = await pool.verify({ language: 'python', code: 'import sys\nprint(1)\nsys.exit(0)', tests: stdio([['', '1']]) });
    expect(v.kind).toBe('correct');
  });

  it('provides sortedcontainers.SortedList for LeetCode-style solutions', async () => {
    const code = 'from sortedcontainers import SortedList\ndef f(xs):\n    s = SortedList(xs)\n    s.add(0)\n    s.remove(xs[0])\n    return [list(s), s.bisect_left(2), s[-1]]';
    const t = { format: 'function', fnName: 'f', cases: [{ args: [[5, 2, 9, 2]], expected: [[0, 2, 2, 9], 1, 9] }] };
    expect(await pool.verify({ language: 'python', code, tests: t })).toMatchObject({ kind: 'correct' });
  });

  it('reports a failing test prelude as error, not as the program being wrong', async () => {
    const t = { format: 'assert', prelude: 'import not_a_module', cases: ['assert True'] };
    expect(await pool.verify({ language: 'python', code: 'pass', tests: t })).toMatchObject({ kind: 'error', reward: null });
  });
});
