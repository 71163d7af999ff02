// `ace verify code --jsonl`: order, one line per input, reward/kind on every line, bad lines as error.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../ops/datasets.ts';
import { run } from './verify-code.ts';
import { sandboxProblem } from '../ops/reward/code/py-runner.ts';

const dir = mkdtempSync(join(tmpdir(), 'ace-verify-code-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const noSandbox = sandboxProblem();
if (noSandbox) console.warn(`skipping Python lines of the CLI test: ${noSandbox}`);

describe('ace verify code --jsonl', () => {
  it('writes one line per input, in order, with reward and kind', async () => {
    const fence = '```';
    const stdio = { format: 'stdio', cases: [{ input: '2 3\n', output: '5\n' }] };
    const lines = [
      { id: 'a', language: 'javascript', code: 'const [a, b] = require("fs").readFileSync(0, "utf8").split(" ").map(Number); console.log(a + b);', tests: stdio },
      { id: 'b', response: `<think>...</think>\n${fence}js\nwhile (true) {}\n${fence}`, tests: stdio },
      { id: 'c', response: 'I cannot solve this.', tests: stdio },
      ...(noSandbox ? [] : [{ id: 'd', language: 'python', code: 'a, b = map(int, input().split())\nprint(a * b)', tests: stdio }]),
    ];
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, [...lines.map((l) => JSON.stringify(l)), '{not json'].join('\n') + '\n');
    const out = join(dir, 'out.jsonl');
    expect(await run(['--jsonl', input, '--out', out, '--per-test-ms', '300'])).toBe(0);
    const got = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(got.map((o) => [o.id, o.kind, o.reward])).toEqual([
      ['a', 'correct', 1],
      ['b', 'wrong', 0],
      ['c', 'unparseable', 0],
      ...(noSandbox ? [] : [['d', 'wrong', 0]]),
      [undefined, 'error', null],
    ]);
    expect(got[1].firstFailure.reason).toBe('time_limit');
  });

  // Regression: a `null` line (or a number, an array, a string) threw a TypeError: exit 1 and
  // no verdict for any line.
  it('never loses the good lines for a bad one: each bad line is an error verdict naming the line and the field', async () => {
    const tests = { format: 'stdio', cases: [{ input: '', output: '5\n' }] };
    const good = (id: string) => JSON.stringify({ id, language: 'javascript', code: 'console.log(5)', tests });
    const lines = [good('a'), 'null', '7', '[1]', '"x"', '', JSON.stringify({ id: 'b', code: 'x' }), JSON.stringify({ id: 'c', tests }), JSON.stringify({ id: 'd', code: 5, tests }), JSON.stringify({ id: 'e', code: 'x', tests: { format: 'stdio' } }), good('f')];
    const input = join(dir, 'bad-lines.jsonl');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const out = join(dir, 'bad-lines.out.jsonl');
    expect(await run(['--jsonl', input, '--out', out, '--js-workers', '1', '--py-workers', '1'])).toBe(0);
    const got = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id?: string; kind: string; reason?: string });
    // One verdict per non-blank line, in order; the blank line 6 gets none.
    expect(got.map((o) => [o.id, o.kind])).toEqual([
      ['a', 'correct'],
      [undefined, 'error'],
      [undefined, 'error'],
      [undefined, 'error'],
      [undefined, 'error'],
      ['b', 'error'],
      ['c', 'error'],
      ['d', 'error'],
      ['e', 'error'],
      ['f', 'correct'],
    ]);
    expect(got.slice(1, 9).map((o) => o.reason)).toEqual([
      'line 2: expected an object with tests and code or response, got null',
      'line 3: expected an object with tests and code or response, got a number',
      'line 4: expected an object with tests and code or response, got an array',
      'line 5: expected an object with tests and code or response, got a string',
      'line 7: tests: required',
      'line 8: code or response: required',
      'line 9: code: expected a string, got a number',
      'line 10: tests.cases: Invalid input: expected array, received undefined',
    ]);
  });

  it('a full disk under --out (/dev/full) is one line and a HINT, exit 2', async () => {
    const input = join(dir, 'one-line.jsonl');
    writeFileSync(input, '{"id":"a","code":"x"}\n');
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      expect(await run(['--jsonl', input, '--out', '/dev/full', '--js-workers', '1', '--py-workers', '1'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(err.join('')).toMatch(/^ace verify code: cannot write --out \/dev\/full: disk full \(ENOSPC\)\nHINT: /m);
  });

  it('a missing input file is one line and a HINT, exit 2, and --help says what becomes of blank lines', async () => {
    const missing = join(dir, 'no-such.jsonl');
    const r = await promisify(execFile)(process.execPath, ['bin/ace.mjs', 'verify', 'code', '--jsonl', missing], { cwd: repoRoot() }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect('code' in r ? r.code : 0).toBe(2);
    expect(r.stderr).toBe(`ace verify code: cannot read --jsonl ${missing}: no such file or directory (ENOENT)\nHINT: pass a readable JSONL file (one JSON object per line); relative paths start at ${repoRoot()}\n`);
    expect(r.stdout).toBe('');
    const help = await promisify(execFile)(process.execPath, ['bin/ace.mjs', 'verify', 'code', '--help'], { cwd: repoRoot() });
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/Blank lines are skipped: no verdict/);
  });

  it('exits 2 with usage when --jsonl is missing', async () => {
    expect(await run([])).toBe(2);
  });
});
