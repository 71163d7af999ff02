// `ace claims` end to end at a fraction of its size: every arm trains (steps scaled by 0.05),
// every checkpoint a claim compares is evaluated, the table prints; a rerun skips every
// finished arm and evaluation and prints the same table. About 5 minutes here.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAce } from '../../tools/harness/up.ts';

describe('ace claims, quick pass', () => {
  it('trains the arms, evaluates, prints the table; a rerun keeps everything', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ace-claims-'));
    const args = ['claims', '--out', out, '--steps-scale', '0.05', '--seeds', '1', '--eval-seeds', '2024,777', '--eval-problems', '4', '--eval-k', '1', '--tasks-per-step', '4', '--group-size', '4'];
    const first = await runAce(args, 900_000);
    expect(first.code, first.stderr.slice(-3000)).toBe(0);
    expect(first.stdout).toMatch(/\| math-only RL raises math \| math avg@1: after the math stages - base \| \+14\.6 AIME25 \(7B\) \| [-+]\d+\.\d \[-?\d+\.\d, -?\d+\.\d\] \|/);
    expect(first.stdout).toMatch(/\| entropy over steps, lag 2 \|/);
    const result = JSON.parse(readFileSync(join(out, 'claims.json'), 'utf8'));
    expect(result.rows.every((r: { n: number }) => r.n === 1)).toBe(true);
    const again = await runAce(args, 120_000);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(again.stderr).toMatch(/recipe seed 1: done before, kept/);
    expect(again.stderr).not.toMatch(/evaluating/);
  }, 1_200_000);
});
