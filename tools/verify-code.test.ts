// `ace verify code --jsonl`: order, one line per input, reward/kind on every line, bad lines as error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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

  it('exits 2 with usage when --jsonl is missing', async () => {
    expect(await run([])).toBe(2);
  });
});
