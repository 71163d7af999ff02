import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from './curate.ts';

const dir = mkdtempSync(join(tmpdir(), 'ace-curate-cli-'));

describe('ace curate', () => {
  afterEach(() => vi.restoreAllMocks());
  const capture = () => {
    const err: string[] = [];
    const out: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    return { err, out };
  };

  it('prints usage without a config', async () => {
    const { err } = capture();
    expect(await run([])).toBe(2);
    expect(err.join('')).toMatch(/usage: ace curate \[options\] <CONFIG>/);
  });

  it('rejects unknown keys with the path and a HINT', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'x', domain: 'math', sources: [], colour: 1 }));
    const { err } = capture();
    expect(await run([file])).toBe(2);
    const text = err.join('');
    expect(text).toContain('sources');
    expect(text).toContain('Unrecognized key');
    expect(text).toContain('HINT:');
  });

  it('runs a config and writes the tasks, the report and the summary', async () => {
    const pool = join(dir, 'pool.jsonl');
    writeFileSync(pool, [JSON.stringify({ q: 'What is the greatest common divisor of 84 and 120?', a: '12' }), JSON.stringify({ q: 'Prove that the square root of 2 is irrational.', a: '0' })].join('\n') + '\n');
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ name: 'tiny', domain: 'math', answerCheck: 'none', sources: [{ name: 'p', file: pool, domain: 'math', fields: { prompt: 'q', answer: 'a' } }] }));
    const { out } = capture();
    expect(await run([file, '--out', join(dir, 'out')])).toBe(0);
    expect(out.join('')).toContain('curate tiny (math): 1 tasks');
    const tasks = readFileSync(join(dir, 'out', 'tiny.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(tasks).toEqual([{ taskId: 'p:0', domain: 'math', prompt: 'What is the greatest common divisor of 84 and 120?', gold: '12', meta: {}, source: 'p' }]);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'tiny.report.json'), 'utf8')).filters.proof.matched).toBe(1);
  });
});
