// Smoke: `ace sft` trains a (tiny) policy for a few steps and writes a loadable checkpoint;
// `ace eval` scores a checkpoint with avg@k / pass@k as JSON.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../ops/model/checkpoint.ts';
import { runAce } from '../../tools/harness/up.ts';

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
    expect(r).toMatchObject({ suite: 'math', k: 2, problems: 5, sampling: { temperature: 0.6, topP: 0.95 } });
    // avg@k is (correct samples) / (k x problems): a whole number of the 10 samples drawn.
    expect(Number.isFinite(r.avgAtK)).toBe(true);
    expect(r.avgAtK).toBeGreaterThanOrEqual(0);
    expect(r.avgAtK * 10).toBeCloseTo(Math.round(r.avgAtK * 10), 9);
    expect(r.avgAtK).toBeLessThanOrEqual(1);
    expect(r.passAtK).toBeGreaterThanOrEqual(r.avgAtK);
    expect(Object.keys(r.byLevel).length).toBeGreaterThan(0);
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
