import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { AdamW } from './adamw.ts';
import { ConfigError, initParams, parseLlamaConfig } from './config.ts';
import { CheckpointError, captureRng, loadCheckpoint, pruneCheckpoints, restoreRng, saveCheckpoint, stepCheckpointDir, TrainerState, trainerState } from './checkpoint.ts';
import { SafetensorsError } from './safetensors.ts';

const root = mkdtempSync(join(tmpdir(), 'ace-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = parseLlamaConfig({
  vocab_size: 40,
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  tie_word_embeddings: false,
});

function trained() {
  const rng = new Rng(5);
  const params = initParams(config, rng);
  const opt = new AdamW();
  for (let s = 0; s < 2; s++) {
    const grads = new Map([...params].map(([k, v]) => [k, Float32Array.from(v, () => rng.normal())]));
    opt.step(params, grads, 1e-3);
  }
  return { params, opt, rng };
}

function bytesEqual(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('checkpoint', () => {
  it('save -> load is bit-exact for weights, optimizer state and rng', () => {
    const { params, opt, rng } = trained();
    const dir = join(root, 'a');
    saveCheckpoint(dir, {
      config,
      params,
      optimizer: opt.state,
      state: { step: 7, policyVersion: 8, rngState: captureRng(rng), extra: { lr: 0.5 } },
    });
    const c = loadCheckpoint(dir);
    expect(c.config).toEqual(config);
    expect(c.state).toEqual({ formatVersion: 1, step: 7, policyVersion: 8, optimizerStep: 2, rngState: captureRng(rng), extra: { lr: 0.5 } });
    expect([...c.params.keys()]).toEqual([...params.keys()]);
    for (const [k, v] of params) {
      expect(bytesEqual(c.params.get(k)!, v)).toBe(true);
      expect(bytesEqual(c.optimizer!.m.get(k)!, opt.state.m.get(k)!)).toBe(true);
      expect(bytesEqual(c.optimizer!.v.get(k)!, opt.state.v.get(k)!)).toBe(true);
    }
    expect(c.optimizer!.step).toBe(2);
    const r2 = restoreRng(c.state.rngState!);
    expect([r2.nextU32(), r2.nextU32()]).toEqual([rng.nextU32(), rng.nextU32()]);
    // A restored optimizer continues identically.
    const g = new Map([...params].map(([k, v]) => [k, Float32Array.from(v, (_, i) => Math.sin(i))]));
    const g2 = new Map([...g].map(([k, v]) => [k, v.slice()]));
    new AdamW({}, opt.state).step(params, g, 1e-3);
    new AdamW({}, c.optimizer!).step(c.params, g2, 1e-3);
    for (const [k, v] of params) expect(bytesEqual(c.params.get(k)!, v)).toBe(true);
    // config.json is plain HF-style JSON.
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).num_key_value_heads).toBe(1);
  });

  it('bf16 weights-only checkpoint loads within bf16 precision', () => {
    const { params } = trained();
    const dir = join(root, 'b');
    saveCheckpoint(
      dir,
      { config, params, optimizer: null, state: { step: 0, policyVersion: 0 } },
      { dtype: 'BF16' },
    );
    const c = loadCheckpoint(dir);
    expect(c.optimizer).toBeNull();
    const w = params.get('lm_head.weight')!;
    const w2 = c.params.get('lm_head.weight')!;
    for (let i = 0; i < w.length; i++) expect(Math.abs(w[i] - w2[i])).toBeLessThanOrEqual(Math.abs(w[i]) / 256);
  });

  it('errors name the file, field or tensor', () => {
    const { params } = trained();
    const dir = join(root, 'c');
    const state = { step: 1, policyVersion: 1 };
    saveCheckpoint(dir, { config, params, optimizer: null, state });
    // Wrong config: a field that disagrees with the stored tensors.
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, intermediate_size: 30 }));
    expect(() => loadCheckpoint(dir)).toThrow(`${join(dir, 'model.safetensors')}: tensor model.layers.0.mlp.gate_proj.weight has shape [32, 16], expected [30, 16] for this config\nHINT: `);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, num_key_value_heads: 3 }));
    expect(() => loadCheckpoint(dir)).toThrow(ConfigError);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    // Corrupted weights.
    const st = readFileSync(join(dir, 'model.safetensors'));
    st[st.length - 1] ^= 1;
    writeFileSync(join(dir, 'model.safetensors'), st);
    let e: unknown = null;
    try {
      loadCheckpoint(dir);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(SafetensorsError);
    expect((e as SafetensorsError).field).toBe('lm_head.weight');
    // Bad trainer state.
    writeFileSync(join(dir, 'trainer_state.json'), JSON.stringify({ formatVersion: 1, optimizerStep: null, rngState: null, ...state, step: -1 }));
    expect(() => loadCheckpoint(dir)).toThrow(/trainer_state\.json: step/);
    expect(() => loadCheckpoint(join(root, 'nope'))).toThrow(CheckpointError);
    // Missing parameter on save.
    params.delete('model.norm.weight');
    expect(() => saveCheckpoint(join(root, 'd'), { config, params, optimizer: null, state })).toThrow(/model\.norm\.weight missing/);
  });
});

describe('run checkpoint layout', () => {
  it('names step checkpoints step-NNNNN under <runDir>/checkpoints', () => {
    expect(stepCheckpointDir('runs/x', 7)).toBe(join('runs/x', 'checkpoints', 'step-00007'));
    expect(stepCheckpointDir('/r', 123456)).toBe(join('/r', 'checkpoints', 'step-123456'));
  });

  it('prunes the checkpoints before the latest beyond the newest `keep`, leaving other entries', () => {
    const runDir = join(root, 'run');
    for (const s of [1, 2, 3, 4, 5, 6]) mkdirSync(stepCheckpointDir(runDir, s), { recursive: true });
    mkdirSync(join(runDir, 'checkpoints', 'final'));
    pruneCheckpoints(runDir, 5, 2);
    expect(readdirSync(join(runDir, 'checkpoints')).sort()).toEqual(['final', 'step-00003', 'step-00004', 'step-00005', 'step-00006']);
    pruneCheckpoints(runDir, 6, 0);
    expect(readdirSync(join(runDir, 'checkpoints')).sort()).toEqual(['final', 'step-00006']);
    pruneCheckpoints(join(root, 'no-run'), 3, 1); // no checkpoints folder yet: nothing to do
  });

  it('keeps the steps the `kept` predicate names (stage ends, probed steps) whatever `keep` says', () => {
    const runDir = join(root, 'run-kept');
    for (const s of [1, 2, 3, 4, 5, 6]) mkdirSync(stepCheckpointDir(runDir, s), { recursive: true });
    pruneCheckpoints(runDir, 6, 0, (s) => s === 2 || s % 4 === 0);
    expect(readdirSync(join(runDir, 'checkpoints')).sort()).toEqual(['step-00002', 'step-00004', 'step-00006']);
  });

  it('fills a trainer state with the usual blanks', () => {
    expect(trainerState()).toEqual({ formatVersion: 1, step: 0, policyVersion: 0, optimizerStep: null, rngState: null, extra: {} });
    expect(trainerState({ step: 4, optimizerStep: 4, extra: { a: 1 } })).toEqual({ formatVersion: 1, step: 4, policyVersion: 4, optimizerStep: 4, rngState: null, extra: { a: 1 } });
    expect(trainerState({ step: 4, policyVersion: 2 }).policyVersion).toBe(2);
    expect(TrainerState.parse(trainerState({ step: 3 }))).toEqual(trainerState({ step: 3 }));
  });
});
