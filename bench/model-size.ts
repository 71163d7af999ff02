// What the learner and generator benches need to run at a real model's size (--config) and
// against PyTorch (--vs-torch): named presets with the shapes of published checkpoints, fast
// seeded random weights, the process's memory (/proc/self/status), and the PyTorch child
// (bench/torch_ref.py). Not a loader of weights: every preset runs on random weights, which
// cost the same time and memory as trained ones.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LlamaConfig, initParams, numel, paramCount, paramShapes, parseLlamaConfig } from '../ops/model/config.ts';
import { readModelConfig } from '../ops/model/model-dir.ts';
import { writeSafetensors } from '../ops/model/safetensors.ts';
import { Rng } from '../ops/rng.ts';
import { Graph } from '../ops/tensor/graph.ts';
import { createSession, tensor } from '../ops/tensor/session.ts';

export const GiB = 1024 ** 3;

const qwen2 = (hidden: number, layers: number, heads: number, kvHeads: number, inter: number) => ({
  model_type: 'qwen2',
  vocab_size: 151936,
  hidden_size: hidden,
  intermediate_size: inter,
  num_hidden_layers: layers,
  num_attention_heads: heads,
  num_key_value_heads: kvHeads,
  max_position_embeddings: 32768,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000,
  tie_word_embeddings: true,
  bos_token_id: 151643,
  eos_token_id: 151645,
});

const qwen3 = (hidden: number, layers: number, heads: number, kvHeads: number, inter: number) => ({
  ...qwen2(hidden, layers, heads, kvHeads, inter),
  model_type: 'qwen3',
  head_dim: 128,
  max_position_embeddings: 40960,
});

/**
 * Model shapes by name: `tiny` is the embedded default (3.48M parameters); the others are the
 * config.json shapes of the published Qwen checkpoints of that name (Qwen/Qwen2.5-*,
 * Qwen/Qwen3-*; all tied embeddings, vocab 151936).
 */
export const PRESETS: Readonly<Record<string, Record<string, unknown>>> = {
  tiny: {},
  'qwen2.5-0.5b': qwen2(896, 24, 14, 2, 4864),
  'qwen3-0.6b': qwen3(1024, 28, 16, 8, 3072),
  'qwen2.5-1.5b': qwen2(1536, 28, 12, 2, 8960),
  'qwen3-1.7b': qwen3(2048, 28, 16, 8, 6144),
  'qwen2.5-3b': qwen2(2048, 36, 16, 2, 11008),
  'qwen3-4b': qwen3(2560, 36, 32, 8, 9728),
};

/** A preset name, a config.json file, or a model directory holding one. */
export function resolveConfig(spec: string): { name: string; config: LlamaConfig } {
  const preset = PRESETS[spec.toLowerCase()];
  if (preset) return { name: spec.toLowerCase(), config: parseLlamaConfig(preset) };
  if (existsSync(spec)) {
    if (statSync(spec).isDirectory()) return { name: spec, config: readModelConfig(spec) };
    return { name: spec, config: parseLlamaConfig(JSON.parse(readFileSync(spec, 'utf8'))) };
  }
  throw new Error(`--config ${spec}: neither a preset (${Object.keys(PRESETS).join(', ')}) nor a config.json file or model directory`);
}

/** The config's shape in one line for the logs and the JSON. */
export function describeModel(name: string, c: LlamaConfig) {
  return {
    name,
    model_type: c.model_type,
    hidden_size: c.hidden_size,
    num_hidden_layers: c.num_hidden_layers,
    num_attention_heads: c.num_attention_heads,
    num_key_value_heads: c.num_key_value_heads,
    head_dim: c.head_dim ?? c.hidden_size / c.num_attention_heads,
    intermediate_size: c.intermediate_size,
    vocab_size: c.vocab_size,
    tie_word_embeddings: c.tie_word_embeddings,
    params: paramCount(c),
  };
}

/** Up to this many parameters the benches use initParams (exact seeded init) and PyTorch gets the same weights. */
export const SHARED_WEIGHTS_MAX = 50_000_000;

/**
 * Seeded random weights. Up to SHARED_WEIGHTS_MAX parameters: initParams. Above, drawing
 * every value in JavaScript takes about 40 s at 0.5B, so one seeded block of 1,048,583
 * N(0, 0.02^2) draws is tiled over the matrices (norm gains 1, biases 0): the same kernels,
 * time and memory as any other values.
 */
export function benchParams(c: LlamaConfig, seed: number, tiledAbove = SHARED_WEIGHTS_MAX): Map<string, Float32Array> {
  if (paramCount(c) <= tiledAbove) return initParams(c, new Rng(seed));
  const rng = new Rng(seed);
  const block = Float32Array.from({ length: 1_048_583 }, () => 0.02 * rng.normal());
  const out = new Map<string, Float32Array>();
  let off = 0;
  for (const [name, shape] of paramShapes(c)) {
    const t = new Float32Array(numel(shape));
    if (name.endsWith('norm.weight')) t.fill(1);
    else if (!name.endsWith('.bias')) {
      for (let i = 0; i < t.length; ) {
        const n = Math.min(block.length - off, t.length - i);
        t.set(block.subarray(off, off + n), i);
        i += n;
        off = (off + n) % block.length;
      }
    }
    out.set(name, t);
  }
  return out;
}

/** Resident set now and its peak (VmRSS, VmHWM) in bytes; zeros where /proc is missing. */
export function memory(): { rss: number; peak: number } {
  try {
    const s = readFileSync('/proc/self/status', 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    const rss = process.memoryUsage().rss;
    return { rss, peak: Math.max(rss, process.resourceUsage().maxRSS * 1024) };
  }
}

/** Resets VmHWM to the current RSS (Linux: `5` into /proc/self/clear_refs); false where it cannot. */
export function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export const gib = (bytes: number) => Math.round((bytes / GiB) * 1000) / 1000;

/** ORT's 1024^3 sgemm rate on `threads` threads over about `seconds` (the reference beside torch's own). */
export async function ortSgemmGflops(threads: number, seconds = 2): Promise<number> {
  const n = 1024;
  const g = new Graph('sgemm');
  g.output(g.matmul(g.input('a', 'float32', [n, n]), g.input('b', 'float32', [n, n])), 'c');
  const s = await createSession(g, { intraOpNumThreads: threads });
  const rng = new Rng(1);
  const feeds = { a: tensor(Float32Array.from({ length: n * n }, () => rng.normal()), [n, n]), b: tensor(Float32Array.from({ length: n * n }, () => rng.normal()), [n, n]) };
  await s.run(feeds);
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await s.run(feeds);
    runs++;
  }
  const rate = (2 * n ** 3 * runs) / ((performance.now() - t0) / 1000) / 1e9;
  await s.release();
  return Math.round(rate * 100) / 100;
}

// ---- the PyTorch child -------------------------------------------------------------------

/** The Python that runs bench/torch_ref.py: ACE_TORCH_PYTHON, else Debian's (python3-torch). */
export const TORCH_PYTHON = process.env.ACE_TORCH_PYTHON || '/usr/bin/python3';
const TORCH_SCRIPT = join(import.meta.dirname, 'torch_ref.py');

export interface TorchOptions {
  threads: number;
  /** A directory put first on the child's LD_LIBRARY_PATH (a libblas.so.3 such as OpenBLAS's). */
  blasDir?: string;
  timeoutMs: number;
}

/** Null when PyTorch can be run, else why not (the bench prints it and skips its torch half). */
export function torchUnavailable(): string | null {
  const hint = 'HINT: apt-get install python3-torch, or set ACE_TORCH_PYTHON to a Python that has torch';
  if (!existsSync(TORCH_PYTHON)) return `${TORCH_PYTHON} not found (${hint})`;
  const r = spawnSync(TORCH_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    const last = (r.stderr || r.error?.message || '').trim().split('\n').pop() || `exit status ${r.status}`;
    return `${TORCH_PYTHON} cannot import torch: ${last} (${hint})`;
  }
  return null;
}

function childEnv(o: TorchOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(o.threads), OPENBLAS_NUM_THREADS: String(o.threads), MKL_NUM_THREADS: String(o.threads) };
  if (o.blasDir) env.LD_LIBRARY_PATH = [o.blasDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return env;
}

/** Runs bench/torch_ref.py with `spec` on stdin (its progress goes to our stderr); its last stdout line, parsed. */
export function runTorch<T>(spec: Record<string, unknown>, o: TorchOptions): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(TORCH_PYTHON, [TORCH_SCRIPT], { env: childEnv(o), stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`torch_ref.py ran past ${o.timeoutMs / 1000} s`));
    }, o.timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => (out += s));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`torch_ref.py exited with ${code}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`torch_ref.py printed no JSON: ${last.slice(0, 200)}`));
      }
    });
    child.stdin.end(JSON.stringify(spec));
  });
}

/** What every torch_ref.py run reports besides its mode's figures. */
export interface TorchCommon {
  torch: string;
  threads: number;
  blas: string[];
  sgemmGflops: number;
  sharedWeights: boolean;
  peakRssBytes: number;
}

/**
 * The PyTorch half of a --vs-torch bench, run first, while this process holds no model (at
 * 0.5B the two would not fit side by side under the memory we allow ourselves). With `shared`,
 * the weights are made here and handed to torch in a temporary safetensors file, and returned
 * for our half; `spec(weightsFile)` is the run's input for bench/torch_ref.py. Skipped, with the
 * reason logged and returned, where torch cannot be run.
 */
export async function torchHalf<T extends TorchCommon>(o: {
  config: LlamaConfig;
  seed: number;
  shared: boolean;
  threads: number;
  blasDir?: string;
  spec: (weights: string | null) => Record<string, unknown>;
  log: (s: string) => void;
  describe: (t: T) => string;
}): Promise<{ torch: T | null; skipped: string | null; params: Map<string, Float32Array> | null; ortSgemm: number | null }> {
  const skipped = torchUnavailable();
  if (skipped) {
    o.log(`--vs-torch skipped: ${skipped}`);
    return { torch: null, skipped, params: null, ortSgemm: null };
  }
  let params: Map<string, Float32Array> | null = null;
  let dir: string | null = null;
  let weights: string | null = null;
  if (o.shared) {
    params = benchParams(o.config, o.seed);
    dir = mkdtempSync(join(tmpdir(), 'ace-bench-torch-'));
    weights = join(dir, 'weights.safetensors');
    const shapes = paramShapes(o.config);
    writeFileSync(weights, writeSafetensors(new Map([...params].map(([k, v]) => [k, { shape: shapes.get(k)!, data: v }]))));
  }
  let torch: T;
  try {
    torch = await runTorch<T>(o.spec(weights), { threads: o.threads, blasDir: o.blasDir, timeoutMs: 590_000 });
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  o.log(`torch ${torch.torch} (${torch.blas.join(', ') || 'BLAS unknown'}): sgemm ${torch.sgemmGflops} GFLOP/s, ${o.describe(torch)}`);
  const ortSgemm = await ortSgemmGflops(o.threads);
  o.log(`ORT sgemm ${ortSgemm} GFLOP/s on ${o.threads} threads`);
  return { torch, skipped: null, params, ortSgemm };
}
