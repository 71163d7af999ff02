// Programs that need a Node built-in the JavaScript sandbox does not provide get the
// unsupported_module failure naming the module (verdict wrong, reward 0, the reason says
// which module), apart from wrong answers and their own runtime errors; the deterministic
// built-ins benchmark programs use (crypto hashes, util, events, assert) just work.
import { afterAll, describe, expect, it } from 'vitest';
import { CodeVerifierPool } from '../../ops/reward/code/pool.ts';

const stdio = (input: string, output: string) => ({ format: 'stdio', cases: [{ input, output }] });
const fn = (fnName: string, args: unknown[], expected: unknown) => ({ format: 'function', fnName, cases: [{ args, expected }] });

describe('unsupported Node built-ins', () => {
  const pool = new CodeVerifierPool({ jsWorkers: 2, pyWorkers: 0, perTestMs: 4000, totalMs: 8000 });
  afterAll(() => pool.close());

  it('names the module in every test format, and is neither a wrong answer nor a runtime error', async () => {
    const cases: [string, string, unknown, string][] = [
      ['crypto.randomBytes in stdio', 'console.log(require("crypto").randomBytes(4).toString("hex"));', stdio('', 'x'), 'crypto'],
      ['child_process in stdio', 'require("child_process").execSync("ls");', stdio('', ''), 'child_process'],
      ['os via node: in a function', 'function f() { return require("node:os").cpus().length; }', fn('f', [], 1), 'os'],
      ['path in a function', 'const path = require("path");\nfunction f(a) { return path.join(a, "x"); }', fn('f', ['a'], 'a/x'), 'path'],
      ['fs.writeFileSync in an assert test', 'function f() { require("fs").writeFileSync("/tmp/x", "y"); return 1; }', { format: 'assert', setup: 'const assert = require("assert");', cases: ['assert.strictEqual(f(), 1);'] }, 'fs'],
      ['an async rejection', 'async function f() { return require("crypto").randomUUID(); }', fn('f', [], 'x'), 'crypto'],
      ['a timer callback', 'setTimeout(() => console.log(require("perf_hooks").performance.now()), 10);', stdio('', '0'), 'perf_hooks'],
      ['sha3 (Node has it, the sandbox does not)', 'console.log(require("crypto").createHash("sha3-256").update("a").digest("hex"));', stdio('', 'x'), 'crypto'],
    ];
    const verdicts = await Promise.all(cases.map(([, code, tests]) => pool.verify({ language: 'javascript', code, tests })));
    verdicts.forEach((v, i) => {
      const [name, , , module] = cases[i];
      expect(v, name).toMatchObject({ kind: 'wrong', reward: 0, firstFailure: { test: 0, reason: 'unsupported_module', module } });
      expect(v.reason, name).toContain(`unsupported module '${module}'`);
      expect(v.firstFailure?.detail, name).toContain('is not available in the sandbox');
    });
  });

  it('keeps the program\'s own errors, missing packages and caught fallbacks as they were', async () => {
    const own = await pool.verify({ language: 'js', code: 'throw new Error("crypto.randomBytes() is not available in the sandbox (Node built-in module \'crypto\')");', tests: stdio('', '') });
    expect(own.firstFailure?.reason).toBe('runtime_error');
    const pkg = await pool.verify({ language: 'js', code: 'require("left-pad");', tests: stdio('', '') });
    expect(pkg.firstFailure).toMatchObject({ reason: 'runtime_error', detail: expect.stringContaining("Cannot find module 'left-pad'") });
    const caught = 'let id; try { id = require("crypto").randomUUID(); } catch (e) { id = "fallback"; }\nconsole.log(id);';
    expect(await pool.verify({ language: 'js', code: caught, tests: stdio('', 'fallback') })).toMatchObject({ kind: 'correct' });
    const unused = 'const os = require("os"), { Worker } = require("worker_threads");\nconsole.log(2 + 2);';
    expect(await pool.verify({ language: 'js', code: unused, tests: stdio('', '4') })).toMatchObject({ kind: 'correct' });
    const wrong = await pool.verify({ language: 'js', code: 'require("os"); console.log(5);', tests: stdio('', '4') });
    expect(wrong.firstFailure?.reason).toBe('wrong_answer');
  });

  it('runs programs that use the provided built-ins', async () => {
    const md5 = 'const { createHash } = require("crypto");\nconst s = require("fs").readFileSync(0, "utf8").trim();\nconsole.log(createHash("md5").update(s).digest("hex"));';
    expect(await pool.verify({ language: 'js', code: md5, tests: stdio('hello\n', '5d41402abc4b2a76b9719d911017c592') })).toMatchObject({ kind: 'correct' });
    const events = 'const EventEmitter = require("events");\nfunction f(n) { const e = new EventEmitter(); let s = 0; e.on("add", (x) => (s += x)); for (let i = 1; i <= n; i++) e.emit("add", i); return s; }';
    expect(await pool.verify({ language: 'js', code: events, tests: fn('f', [10], 55) })).toMatchObject({ kind: 'correct' });
    const util = 'const util = require("util");\nconsole.log(util.format("%s=%d", "x", 42), util.inspect({ a: [1, 2] }));';
    expect(await pool.verify({ language: 'js', code: util, tests: stdio('', 'x=42 { a: [ 1, 2 ] }') })).toMatchObject({ kind: 'correct' });
    const sleep = 'const { promisify } = require("util");\nconst sleep = promisify(setTimeout);\nasync function f(x) { await sleep(1000); return x * 2; }';
    expect(await pool.verify({ language: 'js', code: sleep, tests: fn('f', [21], 42) })).toMatchObject({ kind: 'correct' });
    const loose = { format: 'assert', setup: 'const assert = require("node:assert");', cases: ['assert.deepEqual(f(), [1, 2]);', 'assert.notDeepEqual(f(), [1, 3]);', 'assert.throws(() => assert.deepStrictEqual(f(), [1, 2]));'] };
    expect(await pool.verify({ language: 'js', code: 'function f() { return ["1", "2"]; }', tests: loose })).toMatchObject({ kind: 'correct', passed: 3 });
  });
});
