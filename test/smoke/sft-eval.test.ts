// Smoke: `ace sft` trains a (tiny) policy for a few steps and writes a loadable checkpoint;
// `ace eval` scores a checkpoint with avg@k / pass@k per suite as JSON.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../ops/model/checkpoint.ts';
import type { SuiteFigures } from '../../tools/eval.ts';
import { runAce } from '../../tools/harness/up.ts';

/** One suite of `ace eval --json`: figures in range, pass@k >= avg@k, levels that add up to the whole. */
function expectConsistent(s: SuiteFigures, problems: number, k: number) {
  expect(s.problems).toBe(problems);
  const samples = problems * k;
  // avg@k is (correct samples) / (k x problems) when every problem has k samples.
  expect(s.avgAtK * samples).toBeCloseTo(Math.round(s.avgAtK * samples), 9);
  expect(Object.values(s.outcomes).reduce((a, b) => a + b, 0)).toBe(samples);
  expect(s.outcomes.correct ?? 0).toBe(Math.round(s.avgAtK * samples));
  const levels = Object.values(s.byLevel);
  expect(levels.length).toBeGreaterThan(0);
  expect(levels.reduce((a, l) => a + l.problems, 0)).toBe(problems);
  expect(levels.reduce((a, l) => a + l.avgAtK * l.problems, 0) / problems).toBeCloseTo(s.avgAtK, 9);
  for (const x of [s, ...levels]) {
    expect(x.avgAtK).toBeGreaterThanOrEqual(0);
    expect(x.avgAtK).toBeLessThanOrEqual(1);
    expect(x.passAtK).toBeGreaterThanOrEqual(x.avgAtK);
    expect(x.passAtK).toBeLessThanOrEqual(1);
  }
  expect(s.meanResponseTokens).toBeGreaterThan(0);
  expect(s.meanResponseTokens).toBeLessThanOrEqual(s.maxNewTokens);
  expect(s.truncatedFrac).toBeGreaterThanOrEqual(0);
  expect(s.truncatedFrac).toBeLessThanOrEqual(1);
}

describe('ace sft and ace eval', () => {
  it('trains a tiny policy whose loss falls, then evaluates it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ace-sft-'));
    const cfg = join(dir, 'sft.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        seed: 3,
        steps: 12,
        batch: 16,
        trainTasks: 200,
        peakLr: 3e-3,
        warmupSteps: 2,
        microBatch: 16,
        seqLength: 128,
        model: { hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 160 },
      }),
    );
    const out = join(dir, 'base');
    const sft = await runAce(['sft', '--config', cfg, '--out', out, '--eval-every', '0', '--eval-problems', '4'], 300_000);
    expect(sft.code, sft.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'sft.json'), 'utf8'));
    expect(report.config.steps).toBe(12);
    const losses = [...sft.stderr.matchAll(/step (\d+)\/12 loss ([\d.]+)/g)].map((m) => Number(m[2]));
    expect(losses.length).toBe(2);
    expect(losses[1]).toBeLessThan(losses[0]);
    const ckpt = loadCheckpoint(out);
    expect(ckpt.config.hidden_size).toBe(32);

    const ev = await runAce(['eval', '--checkpoint', out, '--suite', 'math', '--k', '2', '--problems', '5', '--max-new-tokens', '16', '--json'], 300_000);
    expect(ev.code, ev.stderr).toBe(0);
    const r = JSON.parse(ev.stdout.trim().split('\n').at(-1)!);
    expect(r).toMatchObject({ checkpoint: out, k: 2, sampling: { temperature: 0.6, topP: 0.95, seed: 2024 } });
    expect(Object.keys(r.suites)).toEqual(['math']);
    expect(r.suites.math).toMatchObject({ problems: 5, maxNewTokens: 16 });
    expectConsistent(r.suites.math, 5, 2);
  });

  it('evaluates the shipped base on the code suite', async () => {
    const ev = await runAce(['eval', '--checkpoint', 'models/base', '--suite', 'code', '--k', '2', '--problems', '4', '--json'], 120_000);
    expect(ev.code, ev.stderr).toBe(0);
    const r = JSON.parse(ev.stdout.trim().split('\n').at(-1)!);
    expect(r).toMatchObject({ checkpoint: 'models/base', k: 2, sampling: { temperature: 0.6, topP: 0.95, seed: 2024 } });
    expect(Object.keys(r.suites)).toEqual(['code']);
    expect(r.suites.code.maxNewTokens).toBe(136);
    expectConsistent(r.suites.code, 4, 2);
    expect(ev.stderr).toMatch(/\[eval\] models\/base code: avg@2 [\d.]+%  pass@2 [\d.]+%  \(4 problems\)\n/);
  });

  it('rejects a bad sft config naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ace-sft-'));
    const cfg = join(dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ steps: 0, model: { hidden_sise: 3 } }));
    const r = await runAce(['sft', '--config', cfg, '--out', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/steps: Too small/);
    expect(r.stderr).toMatch(/model: Unrecognized key: "hidden_sise"/);
  });
});
