// Model directories as Hugging Face lays them out: real files in a temp dir, written by us,
// assembled byte by byte, or written from Python (stdlib, and torch where /usr/bin/python3 has it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { AdamW } from './adamw.ts';
import { loadCheckpoint, loadParams, saveCheckpoint } from './checkpoint.ts';
import { ConfigError, type LlamaConfig, initParams, paramCount, paramShapes, parseLlamaConfig } from './config.ts';
import { CheckpointError, IGNORED_TENSORS, loadModelDir, saveModelDir } from './model-dir.ts';
import { SafetensorsError, bf16BitsToF32, f32ToBf16Bits, writeSafetensors, type NamedTensor } from './safetensors.ts';

const root = mkdtempSync(join(tmpdir(), 'ace-model-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dims = { vocab_size: 40, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1 };
const untied = parseLlamaConfig({ ...dims, tie_word_embeddings: false });
const tied = parseLlamaConfig({ ...dims, tie_word_embeddings: true });

let n = 0;
const fresh = (name: string) => join(root, `${name}-${n++}`);
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const bf16 = (a: Float32Array) => Float32Array.from(a, (x) => bf16BitsToF32(f32ToBf16Bits(x)));
const indexOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8')) as { metadata: { total_size: number }; weight_map: Record<string, string> };

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

function tensorsOf(config: LlamaConfig, params: ReadonlyMap<string, Float32Array>): Map<string, NamedTensor> {
  return new Map([...paramShapes(config)].map(([name, shape]) => [name, { shape, data: params.get(name)! }]));
}

/** A safetensors file assembled byte by byte (any dtype string, any offsets). */
function assemble(entries: { name: string; dtype: string; shape: number[]; bytes: Uint8Array; offsets?: [number, number] }[]): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: e.offsets ?? [off, off + e.bytes.length] };
    off += e.bytes.length;
  }
  const h = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  let p = 8 + h.length;
  for (const e of entries) {
    out.set(e.bytes, p);
    p += e.bytes.length;
  }
  return out;
}

const f32Bytes = (a: Float32Array) => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

/** A single-file model directory from entries: the config's parameters (F32) plus `extra`, minus `drop`. */
function singleDir(config: LlamaConfig, opts: { extra?: Parameters<typeof assemble>[0]; drop?: string[]; replace?: Parameters<typeof assemble>[0] } = {}): { dir: string; file: string; params: Map<string, Float32Array> } {
  const dir = fresh('single');
  mkdirSync(dir);
  const params = initParams(config, new Rng(3));
  const entries = [...paramShapes(config)]
    .filter(([name]) => !opts.drop?.includes(name))
    .map(([name, shape]) => opts.replace?.find((r) => r.name === name) ?? { name, dtype: 'F32', shape, bytes: f32Bytes(params.get(name)!) });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const file = join(dir, 'model.safetensors');
  writeFileSync(file, assemble([...entries, ...(opts.extra ?? [])]));
  return { dir, file, params };
}

describe('model directory round trips', () => {
  it('sharded BF16: index, shard names and sizes as HF writes them; loads back bit for bit (BF16-rounded)', () => {
    const dir = fresh('sharded');
    const params = initParams(untied, new Rng(1));
    expect(saveModelDir(dir, untied, params, { dtype: 'BF16', shardBytes: 2048 })).toBeUndefined();
    const index = indexOf(dir);
    expect(Object.keys(index.weight_map)).toEqual([...paramShapes(untied).keys()]);
    expect(index.metadata.total_size).toBe(2 * paramCount(untied));
    const shards = [...new Set(Object.values(index.weight_map))];
    expect(shards.length).toBeGreaterThan(3);
    expect(shards).toEqual(shards.map((_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`));
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors.index.json', ...shards].sort());
    for (const s of shards) {
      const b = readFileSync(join(dir, s));
      const headerLen = Number(b.readBigUInt64LE(0));
      expect(b.length - 8 - headerLen, s).toBeLessThanOrEqual(2048);
    }
    const m = loadModelDir(dir);
    expect(m.config).toEqual(untied);
    expect([...m.params.keys()]).toEqual([...paramShapes(untied).keys()]);
    for (const [name, v] of params) expect(bits(m.params.get(name)!).equals(bits(bf16(v))), name).toBe(true);
    expect(new Set(m.dtypes.values())).toEqual(new Set(['BF16']));
    expect(m.files).toEqual([join(dir, 'model.safetensors.index.json'), ...shards.map((s) => join(dir, s))]);

    // Saving again unsharded replaces the layout (no stale index or shards), and back.
    const bytes = saveModelDir(dir, untied, params, { dtype: 'F32' });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(readFileSync(join(dir, 'model.safetensors')).equals(Buffer.from(bytes!))).toBe(true);
    for (const [name, v] of loadModelDir(dir).params) expect(bits(v).equals(bits(params.get(name)!))).toBe(true);
    saveModelDir(dir, untied, params, { dtype: 'F16', shardBytes: 4096 });
    expect(readdirSync(dir)).not.toContain('model.safetensors');
    expect(new Set(loadModelDir(dir).dtypes.values())).toEqual(new Set(['F16']));
  });

  it('a step checkpoint sharded with optimizer state loads back exactly through loadCheckpoint', () => {
    const dir = fresh('ckpt');
    const rng = new Rng(2);
    const params = initParams(untied, rng);
    const opt = new AdamW();
    opt.step(params, new Map([...params].map(([k, v]) => [k, Float32Array.from(v, () => rng.normal())])), 1e-3);
    saveCheckpoint(dir, { config: untied, params, optimizer: opt.state, state: { step: 3, policyVersion: 3 } }, { shardBytes: 4096 });
    expect(existsSync(join(dir, 'model.safetensors.index.json'))).toBe(true);
    expect(existsSync(join(dir, 'model.safetensors'))).toBe(false);
    const c = loadCheckpoint(dir);
    expect(c.state.step).toBe(3);
    for (const [name, v] of params) {
      expect(bits(c.params.get(name)!).equals(bits(v))).toBe(true);
      expect(bits(c.optimizer!.m.get(name)!).equals(bits(opt.state.m.get(name)!))).toBe(true);
      expect(bits(c.optimizer!.v.get(name)!).equals(bits(opt.state.v.get(name)!))).toBe(true);
    }
    // Without trainer_state.json it is a bare model directory: loadCheckpoint only on request.
    rmSync(join(dir, 'trainer_state.json'));
    expect(() => loadCheckpoint(dir)).toThrow(`checkpoint ${dir} has no trainer_state.json`);
    const bare = loadCheckpoint(dir, { allowModelDir: true });
    expect([bare.state.step, bare.optimizer]).toEqual([0, null]);
    expect(bits(bare.params.get('lm_head.weight')!).equals(bits(params.get('lm_head.weight')!))).toBe(true);
  });

  it.skipIf(!existsSync('/dev/full'))('a full disk while a shard streams out: DISK_FULL naming the shard, nothing of the save left', () => {
    const params = initParams(untied, new Rng(1));
    const probe = fresh('probe');
    saveModelDir(probe, untied, params, { dtype: 'BF16', shardBytes: 2048 });
    const second = Object.values(indexOf(probe).weight_map).find((f) => f.startsWith('model-00002-'))!;
    const dir = fresh('full');
    mkdirSync(dir);
    // The second shard's temp file is /dev/full: every write to it fails with ENOSPC.
    const shard = join(dir, second);
    symlinkSync('/dev/full', `${shard}.tmp-${process.pid}`);
    const e = caught(() => saveModelDir(dir, untied, params, { dtype: 'BF16', shardBytes: 2048 })) as CheckpointError;
    expect([e.code, e.field]).toEqual(['DISK_FULL', shard]);
    expect(e.message).toBe(`cannot write ${shard}: disk full (ENOSPC)\nHINT: free space on that file system, or write elsewhere (another --run-dir or --out)`);
    expect(readdirSync(dir)).toEqual([]); // config.json and the first shard removed, the temp file too
  });

  it('the embedded base checkpoint (models/base, one F16 model.safetensors) still loads, and the same through loadParams', () => {
    const c = loadCheckpoint('models/base');
    const m = loadModelDir('models/base');
    expect(m.config).toEqual(c.config);
    const whole = loadParams(c.config, readFileSync('models/base/model.safetensors'));
    for (const [name, v] of c.params) {
      expect(bits(m.params.get(name)!).equals(bits(v))).toBe(true);
      expect(bits(whole.get(name)!).equals(bits(v))).toBe(true);
    }
  });

  it('follows paramShapes for every family: qwen2 biases and qwen3 q/k norms load; under a llama config they are named', () => {
    for (const family of [{ model_type: 'qwen2' }, { model_type: 'qwen3', head_dim: 8 }]) {
      const config = parseLlamaConfig({ ...dims, max_position_embeddings: 64, rms_norm_eps: 1e-6, rope_theta: 1e6, tie_word_embeddings: true, ...family });
      const extra = [...paramShapes(config).keys()].filter((k) => !paramShapes(tied).has(k));
      expect(extra.length, family.model_type).toBeGreaterThan(0);
      const dir = fresh(family.model_type);
      const params = initParams(config, new Rng(7));
      saveModelDir(dir, config, params, { dtype: 'BF16', shardBytes: 1024 });
      const m = loadModelDir(dir);
      for (const [name, v] of params) expect(bits(m.params.get(name)!).equals(bits(bf16(v))), name).toBe(true);
      if (family.model_type === 'qwen2') {
        // The same weights under a llama config.json: the first bias is an unexpected tensor.
        writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...tied, model_type: 'llama' }));
        const e = caught(() => loadModelDir(dir)) as CheckpointError;
        expect([e.code, e.field]).toEqual(['UNEXPECTED_TENSOR', extra[0]]);
      }
    }
  });

  it('tied embeddings: lm_head.weight may be absent, or present and equal to the embedding, and is then dropped', () => {
    const absent = singleDir(tied);
    expect(loadModelDir(absent.dir).params.has('lm_head.weight')).toBe(false);
    const params = initParams(tied, new Rng(3));
    const emb = params.get('model.embed_tokens.weight')!;
    // Equal, even in another dtype when the values are the same: BF16 head of a BF16-exact embedding.
    const exact = bf16(emb);
    const head16 = new Uint16Array(exact.length).map((_, i) => f32ToBf16Bits(exact[i]));
    const same = singleDir(tied, {
      replace: [{ name: 'model.embed_tokens.weight', dtype: 'F32', shape: [40, 16], bytes: f32Bytes(exact) }],
      extra: [{ name: 'lm_head.weight', dtype: 'BF16', shape: [40, 16], bytes: new Uint8Array(head16.buffer) }],
    });
    const m = loadModelDir(same.dir);
    expect(m.params.has('lm_head.weight')).toBe(false);
    expect(bits(m.params.get('model.embed_tokens.weight')!).equals(bits(exact))).toBe(true);
  });
});

describe('a corrupt or incomplete model directory fails at load naming the file, the tensor and the expected shape', () => {
  const HINT_MISMATCH = 'HINT: config.json does not describe these weights (hidden_size, intermediate_size, num_attention_heads, num_key_value_heads, head_dim, vocab_size?)';

  function sharded(config = untied): { dir: string; index: string; shardOf: (t: string) => string } {
    const dir = fresh('corrupt');
    saveModelDir(dir, config, initParams(config, new Rng(4)), { dtype: 'BF16', shardBytes: 2048 });
    const index = join(dir, 'model.safetensors.index.json');
    return { dir, index, shardOf: (t) => join(dir, indexOf(dir).weight_map[t]) };
  }

  it('a missing shard', () => {
    const { dir, index, shardOf } = sharded();
    const shard = shardOf('model.norm.weight');
    const count = Object.values(indexOf(dir).weight_map).filter((f) => join(dir, f) === shard).length;
    const first = Object.keys(indexOf(dir).weight_map).find((t) => shardOf(t) === shard)!;
    rmSync(shard);
    const e = caught(() => loadModelDir(dir)) as CheckpointError;
    expect([e.code, e.field, e.file]).toEqual(['MISSING_FILE', first, shard]);
    expect(e.message).toBe(
      `shard ${shard} is missing: ${index} maps ${count} tensor${count === 1 ? '' : 's'} to it, e.g. tensor ${first} (expected shape [${paramShapes(untied).get(first)!.join(', ')}])\nHINT: the download or copy is incomplete; fetch ${shard.split('/').pop()} again`,
    );
  });

  it('a shard listed in the index but absent, even one holding only an ignored tensor', () => {
    const { dir, index } = sharded();
    const idx = indexOf(dir);
    idx.weight_map['model.rotary_emb.inv_freq'] = 'model-00099-of-00099.safetensors';
    writeFileSync(index, JSON.stringify(idx));
    const e = caught(() => loadModelDir(dir)) as CheckpointError;
    expect(e.message).toBe(
      `shard ${join(dir, 'model-00099-of-00099.safetensors')} is missing: ${index} maps 1 tensor to it, e.g. tensor model.rotary_emb.inv_freq\nHINT: the download or copy is incomplete; fetch model-00099-of-00099.safetensors again`,
    );
  });

  it('a tensor the index maps to a shard that does not hold it', () => {
    const { dir, index, shardOf } = sharded();
    const idx = indexOf(dir);
    const wrong = Object.values(idx.weight_map)[0];
    idx.weight_map['model.norm.weight'] = wrong;
    writeFileSync(index, JSON.stringify(idx));
    const e = caught(() => loadModelDir(dir)) as CheckpointError;
    expect([e.code, e.field]).toEqual(['MISSING_TENSOR', 'model.norm.weight']);
    expect(e.message).toBe(`${shardOf('model.norm.weight')}: tensor model.norm.weight is missing although ${index} maps it to this shard (expected shape [16])\nHINT: the shard and the index do not belong together; fetch both again`);
  });

  it('a tensor the config needs that the index does not list', () => {
    const { dir, index } = sharded();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...untied, num_hidden_layers: 3 }));
    const e = caught(() => loadModelDir(dir)) as CheckpointError;
    expect([e.code, e.field, e.file]).toEqual(['MISSING_TENSOR', 'model.layers.2.input_layernorm.weight', index]);
    expect(e.message).toBe(`${index}: tensor model.layers.2.input_layernorm.weight is missing (expected shape [16])\nHINT: these weights do not match config.json (model_type, num_hidden_layers, tie_word_embeddings?) or the directory is incomplete`);
  });

  it('a missing tensor in a single file; a missing untied lm_head says how to tie', () => {
    const { dir, file } = singleDir(untied, { drop: ['model.layers.1.mlp.up_proj.weight'] });
    expect(caught(() => loadModelDir(dir)).message).toBe(
      `${file}: tensor model.layers.1.mlp.up_proj.weight is missing (expected shape [32, 16])\nHINT: these weights do not match config.json (model_type, num_hidden_layers, tie_word_embeddings?) or the directory is incomplete`,
    );
    const head = singleDir(untied, { drop: ['lm_head.weight'] });
    expect(caught(() => loadModelDir(head.dir)).message).toBe(
      `${head.file}: tensor lm_head.weight is missing (expected shape [40, 16])\nHINT: config.json has tie_word_embeddings: false; if this model shares its output layer with model.embed_tokens.weight, set it to true`,
    );
  });

  it('a tensor with the wrong shape (sharded)', () => {
    const { dir, shardOf } = sharded();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...untied, intermediate_size: 30 }));
    const e = caught(() => loadModelDir(dir)) as CheckpointError;
    const shard = shardOf('model.layers.0.mlp.gate_proj.weight');
    expect([e.code, e.field, e.file]).toEqual(['BAD_SHAPE', 'model.layers.0.mlp.gate_proj.weight', shard]);
    expect(e.message).toBe(`${shard}: tensor model.layers.0.mlp.gate_proj.weight has shape [32, 16], expected [30, 16] for this config\n${HINT_MISMATCH}`);
  });

  it('an unsupported dtype', () => {
    const { dir, file } = singleDir(untied, { replace: [{ name: 'model.norm.weight', dtype: 'F64', shape: [16], bytes: new Uint8Array(128) }] });
    const e = caught(() => loadModelDir(dir)) as CheckpointError;
    expect([e.code, e.field]).toEqual(['BAD_DTYPE', 'model.norm.weight']);
    expect(e.message).toBe(`${file}: tensor model.norm.weight has dtype F64; expected F32, F16 or BF16 (shape [16])\nHINT: convert the checkpoint to one of those dtypes (e.g. save it in bfloat16)`);
  });

  it('extra tensors: the documented ones are skipped unread, any other is named', () => {
    expect(IGNORED_TENSORS.map((t) => t.pattern.source)).toEqual(['(^|\\.)rotary_emb\\.inv_freq$']);
    const ok = singleDir(untied, {
      extra: [
        { name: 'model.layers.0.self_attn.rotary_emb.inv_freq', dtype: 'F32', shape: [4], bytes: new Uint8Array(16) },
        { name: 'model.rotary_emb.inv_freq', dtype: 'F64', shape: [4], bytes: new Uint8Array(32) },
      ],
    });
    const m = loadModelDir(ok.dir);
    expect([...m.params.keys()]).toEqual([...paramShapes(untied).keys()]);
    for (const [name, v] of ok.params) expect(bits(m.params.get(name)!).equals(bits(v))).toBe(true);
    const bad = singleDir(untied, { extra: [{ name: 'model.layers.0.self_attn.q_proj.bias', dtype: 'F32', shape: [16], bytes: new Uint8Array(64) }] });
    const e = caught(() => loadModelDir(bad.dir)) as CheckpointError;
    expect([e.code, e.field]).toEqual(['UNEXPECTED_TENSOR', 'model.layers.0.self_attn.q_proj.bias']);
    expect(e.message).toBe(
      `${bad.file}: unexpected tensor model.layers.0.self_attn.q_proj.bias [16] F32: this config has no such parameter\nHINT: config.json may not describe these weights (model_type, num_hidden_layers, tie_word_embeddings?); tensors ignored by name: (^|\\.)rotary_emb\\.inv_freq$`,
    );
  });

  it('only the needed tensors are read: a corrupt ignored tensor does not matter', () => {
    const { dir, index } = sharded();
    const extra = writeSafetensors(new Map([['model.rotary_emb.inv_freq', { shape: [4], data: Float32Array.from([1, 2, 3, 4]) }]]));
    extra[extra.length - 1] ^= 0xff; // fails its CRC if read
    writeFileSync(join(dir, 'extra.safetensors'), extra);
    const idx = indexOf(dir);
    idx.weight_map['model.rotary_emb.inv_freq'] = 'extra.safetensors';
    writeFileSync(index, JSON.stringify(idx));
    expect(loadModelDir(dir).params.size).toBe(paramShapes(untied).size);
  });

  it('a tied lm_head.weight that differs from the embedding, or has the wrong shape', () => {
    const params = initParams(tied, new Rng(3));
    const head = params.get('model.embed_tokens.weight')!.slice();
    head[17] += 1;
    const diff = singleDir(tied, { extra: [{ name: 'lm_head.weight', dtype: 'F32', shape: [40, 16], bytes: f32Bytes(head) }] });
    const e = caught(() => loadModelDir(diff.dir)) as CheckpointError;
    expect([e.code, e.field]).toEqual(['TIED_MISMATCH', 'lm_head.weight']);
    expect(e.message).toBe(
      `${diff.file}: tensor lm_head.weight (shape [40, 16]) differs from model.embed_tokens.weight (first at flat index 17: ${head[17]} vs ${params.get('model.embed_tokens.weight')![17]}), but config.json has tie_word_embeddings: true\nHINT: set tie_word_embeddings to false if this model trains its output layer separately`,
    );
    const shape = singleDir(tied, { extra: [{ name: 'lm_head.weight', dtype: 'F32', shape: [16, 40], bytes: f32Bytes(head) }] });
    expect(caught(() => loadModelDir(shape.dir)).message).toBe(`${shape.file}: tensor lm_head.weight has shape [16, 40], expected [40, 16] for this config\n${HINT_MISMATCH}`);
  });

  it('a truncated shard, a header that lies about offsets, flipped data bytes', () => {
    const { dir, shardOf } = sharded();
    const shard = shardOf('lm_head.weight');
    const good = readFileSync(shard); // lm_head.weight is its last tensor
    writeFileSync(shard, good.subarray(0, good.length - 4));
    const e1 = caught(() => loadModelDir(dir)) as SafetensorsError;
    expect(e1).toBeInstanceOf(SafetensorsError);
    expect([e1.code, e1.field, e1.file]).toEqual(['TRUNCATED', 'lm_head.weight', shard]);
    expect(e1.message).toMatch(new RegExp(`^safetensors ${shard}: lm_head\\.weight: data_offsets end \\d+ is beyond the \\d+ data bytes \\(file truncated\\?\\)\\nHINT: ${shard} is damaged or was not completely written, copied or downloaded; fetch or save it again$`));

    const flipped = Buffer.from(good);
    flipped[flipped.length - 1] ^= 0x40;
    writeFileSync(shard, flipped);
    const e2 = caught(() => loadModelDir(dir)) as SafetensorsError;
    expect([e2.code, e2.field, e2.file]).toEqual(['CHECKSUM_MISMATCH', 'lm_head.weight', shard]);

    // Two tensors claiming the same bytes (sizes consistent, so only the layout check sees it).
    const { dir: d2, file } = singleDir(untied);
    const params = initParams(untied, new Rng(3));
    const norm = f32Bytes(params.get('model.norm.weight')!);
    writeFileSync(file, assemble([
      ...[...paramShapes(untied)].filter(([k]) => k !== 'model.norm.weight').map(([name, s]) => ({ name, dtype: 'F32', shape: s, bytes: f32Bytes(params.get(name)!) })),
      { name: 'model.norm.weight', dtype: 'F32', shape: [16], bytes: norm, offsets: [0, 64] },
    ]));
    const e3 = caught(() => loadModelDir(d2)) as SafetensorsError;
    expect([e3.code, e3.file]).toEqual(['BAD_OFFSETS', file]);
    expect(e3.message).toContain('(hole or overlap)');
  });

  it('an unknown model_type, a broken config.json or index, no weights, both layouts', () => {
    const { dir, index } = sharded();
    const cfg = join(dir, 'config.json');
    writeFileSync(cfg, JSON.stringify({ ...untied, model_type: 'gpt2' }));
    const e = caught(() => loadModelDir(dir));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message.startsWith(`${cfg}: `)).toBe(true);
    expect(e.message).toContain('model_type');
    expect(e.message).toContain('HINT:');
    writeFileSync(cfg, '{"hidden_size": 16,');
    expect(caught(() => loadModelDir(dir)).message).toMatch(new RegExp(`^${cfg}: not valid JSON \\(.+\\)\\nHINT: `));
    rmSync(cfg);
    expect(caught(() => loadModelDir(dir)).message).toBe(`model directory ${dir} has no config.json\nHINT: a model directory holds config.json beside model.safetensors (or model.safetensors.index.json and its shards)`);
    writeFileSync(cfg, JSON.stringify(untied));
    writeFileSync(index, '{"weight_map": ');
    expect(caught(() => loadModelDir(dir)).message).toMatch(new RegExp(`^${index}: not valid JSON \\(.+\\)\\nHINT: `));
    writeFileSync(index, '{"metadata": {}}');
    expect(caught(() => loadModelDir(dir)).message).toBe(`${index}: has no "weight_map" object ({tensor name: shard file})\nHINT: the index is damaged or was not written by a Hugging Face-compatible tool; fetch or save it again`);
    writeFileSync(index, JSON.stringify({ weight_map: { 'model.norm.weight': '../elsewhere.safetensors' } }));
    expect(caught(() => loadModelDir(dir)).message).toContain(`${index}: weight_map["model.norm.weight"] = "../elsewhere.safetensors" is not a file name in this directory`);
    writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(tensorsOf(untied, initParams(untied, new Rng(1)))));
    expect(caught(() => loadModelDir(dir)).message).toBe(`${dir} has both model.safetensors and model.safetensors.index.json: which holds the weights is ambiguous\nHINT: remove the stale one (a save here writes only one of them)`);
    rmSync(index);
    expect(loadModelDir(dir).params.size).toBe(paramShapes(untied).size);
    rmSync(join(dir, 'model.safetensors'));
    expect(caught(() => loadModelDir(dir)).message).toBe(`model directory ${dir} has neither model.safetensors nor model.safetensors.index.json\nHINT: the weights were not saved or copied there; a Hugging Face model directory has one of them`);
  });
});

// --- other tools -------------------------------------------------------------------------

const PYTHON = '/usr/bin/python3';

function python(script: string, args: string[]): string {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${PYTHON} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Why a Python probe cannot run, or null. */
function pythonLacks(imports: string): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} does not exist`;
  const r = spawnSync(PYTHON, ['-c', imports], { encoding: 'utf8' });
  if (r.status === 0) return null;
  return `${PYTHON} cannot \`${imports}\`: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
}

// Reads a model directory (index or single file) with the standard library only; prints
// {name: [fp32 bits]} (BF16 widened by shifting, F16 through struct's 'e').
const PY_STDLIB_READ = `
import json, os, struct, sys
d = sys.argv[1]
def read(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8 + n])
    h.pop('__metadata__', None)
    out = {}
    for k, v in h.items():
        s, e = v['data_offsets']
        raw = b[8 + n + s:8 + n + e]
        if v['dtype'] == 'BF16':
            out[k] = [x << 16 for x in struct.unpack('<%dH' % (len(raw) // 2), raw)]
        elif v['dtype'] == 'F16':
            out[k] = [struct.unpack('<I', struct.pack('<f', x))[0] for x in struct.unpack('<%de' % (len(raw) // 2), raw)]
        else:
            out[k] = list(struct.unpack('<%dI' % (len(raw) // 4), raw))
    return out
idx = os.path.join(d, 'model.safetensors.index.json')
out = {}
if os.path.exists(idx):
    wm = json.load(open(idx))['weight_map']
    for f in sorted(set(wm.values())):
        out.update(read(os.path.join(d, f)))
    assert sorted(out) == sorted(wm), 'index and shards disagree'
else:
    out = read(os.path.join(d, 'model.safetensors'))
cfg = json.load(open(os.path.join(d, 'config.json')))
print(json.dumps({'tensors': out, 'hidden_size': cfg['hidden_size']}))
`;

// Writes a sharded model directory with the standard library only: F16 through struct's 'e'
// (CPython's own round-to-nearest-even), F32, BF16 of values exact in BF16; an inv_freq
// extra; prints the fp32 bits each tensor should load as.
const PY_STDLIB_WRITE = `
import json, math, os, struct, sys
d, cfg, shapes = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
os.makedirs(d, exist_ok=True)
def f32bits(x): return struct.unpack('<I', struct.pack('<f', x))[0]
tensors, expect = {}, {}
for i, (k, shape) in enumerate(shapes.items()):
    n = math.prod(shape)
    vals = [math.sin(i * 7.1 + j * 0.37) * (10.0 ** ((j % 9) - 6)) for j in range(n)]
    kind = ['F16', 'F32', 'BF16'][i % 3]
    if kind == 'F16':
        raw = struct.pack('<%de' % n, *vals)
        expect[k] = [f32bits(x) for x in struct.unpack('<%de' % n, raw)]
    elif kind == 'F32':
        raw = struct.pack('<%df' % n, *vals)
        expect[k] = list(struct.unpack('<%dI' % n, raw))
    else:
        top = [f32bits(x) >> 16 for x in vals]
        raw = struct.pack('<%dH' % n, *top)
        expect[k] = [t << 16 for t in top]
    tensors[k] = (kind, shape, raw)
tensors['model.layers.0.self_attn.rotary_emb.inv_freq'] = ('F32', [2], struct.pack('<2f', 1.0, 0.5))
names = list(tensors)
half = len(names) // 2
groups = [names[:half], names[half:]]
wm = {}
for gi, group in enumerate(groups):
    fname = 'model-%05d-of-%05d.safetensors' % (gi + 1, len(groups))
    header, off, blobs = {}, 0, []
    for k in group:
        kind, shape, raw = tensors[k]
        header[k] = {'dtype': kind, 'shape': shape, 'data_offsets': [off, off + len(raw)]}
        off += len(raw)
        blobs.append(raw)
        wm[k] = fname
    header['__metadata__'] = {'format': 'pt'}
    h = json.dumps(header).encode()
    with open(os.path.join(d, fname), 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
json.dump({'metadata': {'total_size': sum(len(t[2]) for t in tensors.values())}, 'weight_map': wm}, open(os.path.join(d, 'model.safetensors.index.json'), 'w'))
json.dump(cfg, open(os.path.join(d, 'config.json'), 'w'))
print(json.dumps(expect))
`;

const stdlibLacks = pythonLacks('import json, struct, math; math.prod');
if (stdlibLacks) console.warn(`skipping the Python stdlib interop tests: ${stdlibLacks}`);

describe.skipIf(stdlibLacks !== null)(`Python (standard library) reads ours and writes one we read${stdlibLacks ? ` — SKIPPED: ${stdlibLacks}` : ''}`, () => {
  it('reads a sharded BF16 directory we wrote', () => {
    const dir = fresh('py-read');
    saveModelDir(dir, untied, initParams(untied, new Rng(5)), { dtype: 'BF16', shardBytes: 2048 });
    const got = JSON.parse(python(PY_STDLIB_READ, [dir])) as { tensors: Record<string, number[]>; hidden_size: number };
    expect(got.hidden_size).toBe(16);
    const ours = loadModelDir(dir).params;
    expect(Object.keys(got.tensors).sort()).toEqual([...ours.keys()].sort());
    for (const [name, v] of ours) expect(got.tensors[name], name).toEqual(Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length)));
  });

  it('we read a sharded F16/F32/BF16 directory written from Python, inv_freq extra included', () => {
    const dir = fresh('py-write');
    const shapes = Object.fromEntries(paramShapes(untied));
    const expected = JSON.parse(python(PY_STDLIB_WRITE, [dir, JSON.stringify(untied), JSON.stringify(shapes)])) as Record<string, number[]>;
    const m = loadModelDir(dir);
    expect(new Set(m.dtypes.values())).toEqual(new Set(['F16', 'F32', 'BF16']));
    for (const [name, v] of m.params) expect(Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length)), name).toEqual(expected[name]);
  });
});

// torch: reads our shards with torch.frombuffer on our parsed header (and safetensors'
// load_file when installed), comparing against torch's own F32 -> BF16/F16 rounding of the
// originals; writes a tied, sharded directory (with safetensors' save_file when installed,
// else header + torch bytes) that we read bit for bit.
const PY_TORCH_READ = `
import json, os, struct, sys, torch
try:
    from safetensors.torch import load_file
except ImportError:
    load_file = None
DT = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16}
def read(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8 + n])
    h.pop('__metadata__', None)
    out = {}
    for k, v in h.items():
        s, e = v['data_offsets']
        out[k] = torch.frombuffer(bytearray(b[8 + n + s:8 + n + e]), dtype=DT[v['dtype']]).reshape(v['shape'])
    return out
def read_dir(d):
    idx = os.path.join(d, 'model.safetensors.index.json')
    if not os.path.exists(idx):
        return read(os.path.join(d, 'model.safetensors')), ['model.safetensors']
    wm = json.load(open(idx))['weight_map']
    files = sorted(set(wm.values()))
    out = {}
    for f in files:
        out.update(read(os.path.join(d, f)))
    assert sorted(out) == sorted(wm)
    return out, files
orig, _ = read(sys.argv[1]), None
res = {'safetensors': load_file is not None}
for key, d, dt in (('bf16', sys.argv[2], torch.bfloat16), ('f16', sys.argv[3], torch.float16)):
    got, files = read_dir(d)
    bad = [k for k in orig if got[k].dtype != dt or list(got[k].shape) != list(orig[k].shape) or not torch.equal(got[k].view(torch.int16), orig[k].to(dt).view(torch.int16))]
    if load_file is not None:
        for f in files:
            for k, t in load_file(os.path.join(d, f)).items():
                if not torch.equal(t.view(torch.int16), got[k].view(torch.int16)):
                    bad.append('load_file ' + k)
    res[key] = {'n': len(got), 'bad': bad}
print(json.dumps(res))
`;

const PY_TORCH_WRITE = `
import json, os, struct, sys, torch
try:
    from safetensors.torch import save_file
except ImportError:
    save_file = None
CODE = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}
def save(path, ts):
    if save_file is not None:
        return save_file(ts, path, metadata={'format': 'pt'})
    header, off, blobs = {}, 0, []
    for k, t in ts.items():
        t = t.contiguous().flatten()
        raw = struct.pack('<%df' % t.numel(), *t.tolist()) if t.dtype == torch.float32 else struct.pack('<%dh' % t.numel(), *t.view(torch.int16).tolist())
        header[k] = {'dtype': CODE[t.dtype], 'shape': list(ts[k].shape), 'data_offsets': [off, off + len(raw)]}
        off += len(raw)
        blobs.append(raw)
    header['__metadata__'] = {'format': 'pt'}
    h = json.dumps(header).encode()
    open(path, 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
d, cfg, shapes = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
os.makedirs(d, exist_ok=True)
torch.manual_seed(0)
ts = {}
for i, (k, shape) in enumerate(shapes.items()):
    ts[k] = (torch.randn(shape) * 10.0 ** (i % 7 - 4)).to([torch.bfloat16, torch.float16, torch.float32][i % 3])
emb = ts['model.embed_tokens.weight']
emb.view(-1)[:5] = torch.tensor([0.0, -0.0, 1e-7, 6e-8, 65504.0]).to(emb.dtype)
ts['lm_head.weight'] = emb.clone()
ts['model.rotary_emb.inv_freq'] = torch.arange(4, dtype=torch.float32)
names = list(ts)
groups = [names[:len(names) // 2], names[len(names) // 2:]]
wm = {}
for gi, g in enumerate(groups):
    f = 'model-%05d-of-%05d.safetensors' % (gi + 1, len(groups))
    save(os.path.join(d, f), {k: ts[k] for k in g})
    wm.update({k: f for k in g})
json.dump({'metadata': {'total_size': 0}, 'weight_map': wm}, open(os.path.join(d, 'model.safetensors.index.json'), 'w'))
json.dump(cfg, open(os.path.join(d, 'config.json'), 'w'))
print(json.dumps({k: [x & 0xffffffff for x in ts[k].float().flatten().view(torch.int32).tolist()] for k in shapes}))
`;

const torchLacks = pythonLacks('import torch; torch.frombuffer');
if (torchLacks) console.warn(`skipping the torch interop tests: ${torchLacks}`);

describe.skipIf(torchLacks !== null)(`torch reads ours and writes one we read${torchLacks ? ` — SKIPPED: ${torchLacks}` : ''}`, () => {
  it('torch reads our BF16 shards and F16 file; our rounding equals torch .to(bfloat16) / .to(float16), edge values included', () => {
    const params = initParams(untied, new Rng(6));
    const norm = params.get('model.norm.weight')!;
    norm.set([-0, 65520, 65519, 1e-7, 2 ** -25, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3e38, -Infinity, 2 ** -133, 1e-40]);
    const orig = join(fresh('torch-orig'), 'orig.safetensors');
    mkdirSync(join(orig, '..'));
    writeFileSync(orig, writeSafetensors(tensorsOf(untied, params)));
    const bf16Dir = fresh('torch-bf16');
    saveModelDir(bf16Dir, untied, params, { dtype: 'BF16', shardBytes: 2048 });
    const f16Dir = fresh('torch-f16');
    saveModelDir(f16Dir, untied, params, { dtype: 'F16' });
    const res = JSON.parse(python(PY_TORCH_READ, [orig, bf16Dir, f16Dir]));
    if (!res.safetensors) console.warn(`${PYTHON} has torch but not safetensors: checked with torch.frombuffer on our parsed header only`);
    expect(res.bf16).toEqual({ n: paramShapes(untied).size, bad: [] });
    expect(res.f16).toEqual({ n: paramShapes(untied).size, bad: [] });
  });

  it('we read a tied, sharded directory torch wrote (BF16/F16/F32, lm_head equal to the embedding, inv_freq)', () => {
    const dir = fresh('torch-write');
    const expected = JSON.parse(python(PY_TORCH_WRITE, [dir, JSON.stringify(tied), JSON.stringify(Object.fromEntries(paramShapes(tied)))])) as Record<string, number[]>;
    const c = loadCheckpoint(dir, { allowModelDir: true });
    expect(c.params.has('lm_head.weight')).toBe(false);
    for (const [name, v] of c.params) expect(Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length)), name).toEqual(expected[name]);
    expect(statSync(join(dir, 'model-00001-of-00002.safetensors')).size).toBeGreaterThan(0);
  });
});
