import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../ops/datasets.ts';
import { CASES_PER_WORKER, run } from './verify-math.ts';

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

  it('--prose-fallback reads "the answer is" and a response without </think>; off, those are unparseable', async () => {
    const file = join(dir, 'prose.jsonl');
    writeFileSync(file, `${JSON.stringify({ gold: '3.5', response: 'We add them. The answer is 3.5.' })}\n${JSON.stringify({ gold: '7', response: '<think>t</think> so $y = 7$' })}\n`);
    const kinds = async (extra: string[]) => {
      const out = join(dir, `prose-${extra.length}.jsonl`);
      expect(await run(['--jsonl', file, '--out', out, ...extra])).toBe(0);
      return readFileSync(out, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { kind: string }).kind);
    };
    expect(await kinds([])).toEqual(['unparseable', 'unparseable']);
    expect(await kinds(['--prose-fallback'])).toEqual(['correct', 'correct']);
  });

  // Regression: a missing field read `line 3: : Invalid input` (the union's issue, no field name).
  it('never loses the good lines for a bad one: each bad line is an error verdict naming the line and the field', async () => {
    const input = join(dir, 'bad-lines.jsonl');
    const lines = ['{"gold":"3","pred":"3"}', 'null', '42', '[1]', '"3"', '{"pred":"3"}', '{"gold":"3"}', '', '{"gold":3,"response":4}', '{"gold":"3","pred":"3"}'];
    writeFileSync(input, `${lines.join('\n')}\n`);
    const out = join(dir, 'bad-lines.out.jsonl');
    expect(await run(['--jsonl', input, '--out', out, '--workers', '1'])).toBe(0);
    const verdicts = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; reason: string });
    // One verdict per non-blank line, in order; the blank line 8 gets none.
    expect(verdicts.map((v) => v.kind)).toEqual(['correct', 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'correct']);
    expect(verdicts.slice(1, 8).map((v) => v.reason)).toEqual([
      'line 2: expected an object with gold and pred or response, got null',
      'line 3: expected an object with gold and pred or response, got a number',
      'line 4: expected an object with gold and pred or response, got an array',
      'line 5: expected an object with gold and pred or response, got a string',
      'line 6: gold: required',
      'line 7: pred or response: required',
      'line 9: gold: expected a string, got a number; response: expected a string, got a number',
    ]);
  });

  it('a full disk under --out (/dev/full) is one line and a HINT, exit 2', async () => {
    const input = join(dir, 'one-line.jsonl');
    writeFileSync(input, '{"gold":"1","pred":"1"}\n');
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      expect(await run(['--jsonl', input, '--out', '/dev/full', '--workers', '1'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(err.join('')).toMatch(/^ace verify math: cannot write --out \/dev\/full: disk full \(ENOSPC\)\nHINT: /m);
  });

  it('a missing input file is one line and a HINT, exit 2, and --help says what becomes of blank lines', async () => {
    const missing = join(dir, 'no-such.jsonl');
    const r = await promisify(execFile)(process.execPath, ['bin/ace.mjs', 'verify', 'math', '--jsonl', missing], { cwd: repoRoot() }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect('code' in r ? r.code : 0).toBe(2);
    expect(r.stderr).toBe(`ace verify math: cannot read --jsonl ${missing}: no such file or directory (ENOENT)\nHINT: pass a readable JSONL file (one JSON object per line); relative paths start at ${repoRoot()}\n`);
    expect(r.stdout).toBe('');
    const help = await promisify(execFile)(process.execPath, ['bin/ace.mjs', 'verify', 'math', '--help'], { cwd: repoRoot() });
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/Blank lines are skipped: no verdict/);
  });

  it('prints usage and exits 2 without --jsonl', async () => {
    expect(await run([])).toBe(2);
    expect(await run(['--jsonl'])).toBe(2);
  });

  // The first lines size the pool (one worker per CASES_PER_WORKER lines of a short input); an
  // input longer than that goes on streaming past the lines read for the sizing.
  it('keeps order and count past the lines read to size the pool; an empty file gets no verdict and no worker', async () => {
    const n = 2 * CASES_PER_WORKER + 40;
    const input = join(dir, 'long.jsonl');
    writeFileSync(input, `${Array.from({ length: n }, (_, k) => JSON.stringify({ gold: `${k}`, pred: k % 3 === 0 ? `${k + 1}` : `${k}` })).join('\n')}\n`);
    const out = join(dir, 'long.out.jsonl');
    expect(await run(['--jsonl', input, '--out', out, '--workers', '2'])).toBe(0);
    const verdicts = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; gold: string });
    expect(verdicts.map((v) => v.gold)).toEqual(Array.from({ length: n }, (_, k) => `${k}`));
    expect(verdicts.map((v) => v.kind)).toEqual(Array.from({ length: n }, (_, k) => (k % 3 === 0 ? 'wrong' : 'correct')));

    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n\n');
    const emptyOut = join(dir, 'empty.out.jsonl');
    expect(await run(['--jsonl', empty, '--out', emptyOut])).toBe(0);
    expect(readFileSync(emptyOut, 'utf8')).toBe('');
  });

  it('runs through node bin/ace.mjs (workers load TypeScript there too)', async () => {
    const input = writeInput();
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/ace.mjs', 'verify', 'math', '--jsonl', input, '--workers', '1'], { cwd: repoRoot() });
    const kinds = stdout.trim().split('\n').map((l) => (JSON.parse(l) as { kind: string }).kind);
    expect(kinds).toEqual(EXPECTED.map((e) => e.kind));
  });
});
