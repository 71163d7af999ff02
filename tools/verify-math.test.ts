import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../ops/datasets.ts';
import { run } from './verify-math.ts';

const dir = mkdtempSync(join(tmpdir(), 'ace-verify-math-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = [
  { gold: '\\frac{1}{2}', pred: '0.5' },
  { gold: '3', response: '<think>hmm</think> so \\boxed{3}' },
  { gold: '3', response: 'no think tag \\boxed{3}' },
  { gold: '(1,2)', pred: '[1,2]' },
  'not json',
  { gold: 7 },
  { gold: '10,\\!080', pred: '10080' },
];
const EXPECTED = [
  { kind: 'correct', reward: 1 },
  { kind: 'correct', reward: 1 },
  { kind: 'unparseable', reward: 0 },
  { kind: 'wrong', reward: 0 },
  { kind: 'error', reward: null },
  { kind: 'error', reward: null },
  { kind: 'correct', reward: 1 },
];

function writeInput(): string {
  const file = join(dir, 'in.jsonl');
  writeFileSync(file, `${LINES.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n\n`);
  return file;
}

describe('ace verify math', () => {
  it('writes one verdict line per input line, in order', async () => {
    const input = writeInput();
    const out = join(dir, 'out.jsonl');
    expect(await run(['--jsonl', input, '--out', out, '--workers', '1'])).toBe(0);
    const verdicts = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; reward: number | null; reason: string });
    expect(verdicts.map((v) => ({ kind: v.kind, reward: v.reward }))).toEqual(EXPECTED);
    expect(verdicts[4].reason).toMatch(/^line 5: /);
    expect(verdicts[5].reason).toMatch(/^line 6: /);
  });

  it('prints usage and exits 2 without --jsonl', async () => {
    expect(await run([])).toBe(2);
    expect(await run(['--jsonl'])).toBe(2);
  });

  it('runs through node bin/ace.mjs (workers load TypeScript there too)', async () => {
    const input = writeInput();
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/ace.mjs', 'verify', 'math', '--jsonl', input, '--workers', '1'], { cwd: repoRoot() });
    const kinds = stdout.trim().split('\n').map((l) => (JSON.parse(l) as { kind: string }).kind);
    expect(kinds).toEqual(EXPECTED.map((e) => e.kind));
  });
});
