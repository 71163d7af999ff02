// `ace bench generator [--json]`: sampling throughput of the ONNX-Loop generator and its
// speedup over the per-token JavaScript loop (./generator-js-loop.ts) on the same model, same
// prompts, same uniforms.
// Model: the default LlamaConfig (d_model 256, 4 layers, 4 heads, SwiGLU 768, vocab 272,
// 3.48M parameters) with seeded random weights; prompts of --prompt random byte tokens.
// - tokensPerSec[B]: B rows x decode steps / seconds of Generator.sample (prefill included;
//   rows that met <eos> early still occupy their slot, so this is the compute throughput),
//   responseTokensPerSec[B] counts only the tokens actually returned.
// - loopSpeedup: JS-loop seconds / ONNX-Loop seconds at the first batch size (64 by default);
//   loopSpeedupByBatch gives every batch size. Goal: >= 2.
// Each figure is the best of --reps interleaved runs (the machine is shared; the load average
// is printed with the result). Not a test: nothing is asserted.
//
// `--config NAME|PATH` (size mode): a model of real size (a preset of bench/model-size.ts, e.g.
// qwen2.5-0.5b, or a config.json) on random weights, ONNX-Loop generator only: tokens/s of
// sampling with the KV cache (prefill included) at each batch size, the process's peak RSS
// against the weights (4 bytes/param) and the KV cache (2 L KVH hd 4 bytes per token).
// Defaults: batches 4,16, prompt 32, 64 new tokens, 1 rep.
// `--vs-torch`: the same config, prompts, batch sizes, sampling (--temperature, --top-p) and
// thread count through PyTorch (bench/torch_ref.py: prefill + KV-cached decode, the engine's
// sampling rule) first, then ours, in one run; prints ours / torch tokens/s per batch size,
// with both libraries' sgemm rates (--torch-blas: see bench/learner.ts). Up to 50M parameters
// both sides use the same weights and uniforms, and the share of identical sampled tokens is
// printed. Without torch the comparison is skipped with the reason.
import { loadavg } from 'node:os';
import { Rng } from '../ops/rng.ts';
import { type LlamaConfig, initParams, paramCount, parseLlamaConfig } from '../ops/model/config.ts';
import { Generator, type SampleResult } from '../ops/model/generator.ts';
import { ExecutionProvider } from '../ops/tensor/session.ts';
import { JsLoopSampler } from './generator-js-loop.ts';
import {
  type TorchCommon,
  SHARED_WEIGHTS_MAX,
  benchParams,
  describeModel,
  gib,
  memory,
  resolveConfig,
  torchHalf,
} from './model-size.ts';
import { z } from 'zod';
import { defineCommand } from '../tools/command.ts';
import { JSON_FLAG } from '../tools/session.ts';

const log = (m: string) => process.stderr.write(`[bench generator] ${m}\n`);

const batchList = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'comma-separated batch sizes')
  .transform((s) => s.split(',').map(Number))
  .refine((xs) => xs.every((x) => x >= 1 && x <= 4096), 'batch sizes from 1 to 4096');

export const command = defineCommand({
  name: 'bench generator',
  summary: 'sampling tokens/s of the ONNX-Loop generator and its speedup over a per-token JavaScript loop',
  flags: {
    ...JSON_FLAG,
    batches: { schema: batchList.optional(), help: 'batch sizes (default 64,256; 4,16 with --config)', value: 'B,B', range: 'comma-separated integers from 1 to 4096' },
    new: { schema: z.int().min(1).max(65_536).optional(), help: 'new tokens per row (default 128; 64 with --config)' },
    prompt: { schema: z.int().min(1).max(65_536).default(32), help: 'prompt tokens per row' },
    reps: { schema: z.int().min(1).max(100).optional(), help: 'interleaved runs, best reported (default 2; 1 with --config)' },
    threads: { schema: z.int().min(1).max(256).default(2), help: 'ORT threads (and torch threads with --vs-torch)' },
    seed: { schema: z.int().default(1), help: 'seed of the random weights and prompts' },
    config: { schema: z.string().optional(), value: 'NAME|PATH', help: 'size mode: a preset (tiny, qwen2.5-0.5b, qwen3-0.6b, qwen2.5-1.5b, ...) or a config.json file / model directory' },
    temperature: { schema: z.number().min(0).default(1), help: 'sampling temperature (size mode and --vs-torch)' },
    'top-p': { schema: z.number().gt(0).max(1).default(1), help: 'nucleus mass (size mode and --vs-torch; < 1 sorts the vocabulary every step)' },
    'vs-torch': { schema: z.boolean().default(false), help: 'also sample the same prompts with PyTorch (bench/torch_ref.py) and print ours / torch' },
    'torch-blas': { schema: z.string().optional(), value: 'DIR', help: "a directory with a libblas.so.3 (e.g. OpenBLAS's) first on the torch child's LD_LIBRARY_PATH" },
    'execution-provider': { schema: ExecutionProvider.default('cpu'), help: 'size mode: the ORT execution provider of the generator (cuda needs the CUDA build: ops/tensor/session.ts)' },
  },
  examples: [
    'ace bench generator --json',
    'ace bench generator --batches 16,64 --new 64 --threads 1',
    'ace bench generator --config qwen2.5-0.5b --json',
    'ace bench generator --vs-torch --top-p 0.9 --torch-blas /usr/lib/x86_64-linux-gnu/openblas-pthread',
  ],
  run: (f) =>
    f.config || f['vs-torch']
      ? benchSize(f.json, f.config ?? 'tiny', f.batches ?? (f.config ? [4, 16] : [64, 256]), f.new ?? (f.config ? 64 : 128), f.prompt, f.reps ?? 1, f.threads, f.seed, f.temperature, f['top-p'], f['vs-torch'], f['torch-blas'], f['execution-provider'])
      : benchGenerator(f.json, f.batches ?? [64, 256], f.new ?? 128, f.prompt, f.reps ?? 2, f.threads, f.seed),
});

async function benchGenerator(json: boolean, batches: number[], maxNewTokens: number, promptTokens: number, reps: number, threads: number, seed: number): Promise<number> {

  const config = parseLlamaConfig({});
  const params = initParams(config, new Rng(seed));
  const maxBatch = Math.max(...batches);
  const gen = await Generator.create(config, params, { threads, maxBatch, maxSeqLen: promptTokens + maxNewTokens });
  const jsLoop = await JsLoopSampler.create(gen);
  log(
    `model d_model ${config.hidden_size}, ${config.num_hidden_layers} layers, ${config.num_attention_heads} heads, ` +
      `ffn ${config.intermediate_size}, vocab ${config.vocab_size}, ${paramCount(config)} params; ` +
      `prompt ${promptTokens}, new ${maxNewTokens}, threads ${threads}, reps ${reps}`,
  );
  const rng = new Rng(seed + 1);
  const opts = { maxNewTokens, temperature: 1, topP: 1, seed };
  const results: {
    batch: number;
    loopSeconds: number;
    jsLoopSeconds: number;
    steps: number;
    responseTokens: number;
    tokensPerSec: number;
    responseTokensPerSec: number;
    jsLoopTokensPerSec: number;
    loopSpeedup: number;
    /** Process CPU seconds (all threads) of the best run: how much of the 2 cores we got. */
    loopCpuSeconds: number;
    jsLoopCpuSeconds: number;
    identical: boolean;
  }[] = [];
  for (const B of batches) {
    const prompts = Array.from({ length: B }, () => {
      const p = Int32Array.from({ length: promptTokens }, () => rng.int(16, config.vocab_size - 1));
      p[0] = config.bos_token_id;
      return p;
    });
    // Warm-up: session arenas and the JS-loop graphs, outside the timed runs.
    await gen.sample(prompts, { ...opts, maxNewTokens: 4 });
    await jsLoop.sample(prompts, { ...opts, maxNewTokens: 4 });
    let loopBest = Infinity;
    let jsBest = Infinity;
    let loopCpu = 0;
    let jsCpu = 0;
    let loopOut: SampleResult | null = null;
    let jsOut: SampleResult | null = null;
    for (let r = 0; r < reps; r++) {
      let t0 = performance.now();
      let c0 = process.cpuUsage();
      loopOut = await gen.sample(prompts, opts);
      const loopS = (performance.now() - t0) / 1000;
      const loopC = cpuSeconds(process.cpuUsage(c0));
      t0 = performance.now();
      c0 = process.cpuUsage();
      jsOut = await jsLoop.sample(prompts, opts);
      const jsS = (performance.now() - t0) / 1000;
      const jsC = cpuSeconds(process.cpuUsage(c0));
      log(
        `batch ${B} rep ${r}: loop ${loopS.toFixed(2)} s (cpu ${loopC.toFixed(2)} s), ` +
          `js loop ${jsS.toFixed(2)} s (cpu ${jsC.toFixed(2)} s), load ${loadavg()[0].toFixed(1)}`,
      );
      if (loopS < loopBest) [loopBest, loopCpu] = [loopS, loopC];
      if (jsS < jsBest) [jsBest, jsCpu] = [jsS, jsC];
    }
    const steps = Math.max(...loopOut!.tokens.map((t) => t.length));
    const responseTokens = loopOut!.tokens.reduce((a, t) => a + t.length, 0);
    const identical = JSON.stringify(loopOut!.tokens.map((t) => Array.from(t))) === JSON.stringify(jsOut!.tokens.map((t) => Array.from(t)));
    const row = {
      batch: B,
      loopSeconds: round(loopBest, 3),
      jsLoopSeconds: round(jsBest, 3),
      steps,
      responseTokens,
      tokensPerSec: round((B * steps) / loopBest, 1),
      responseTokensPerSec: round(responseTokens / loopBest, 1),
      jsLoopTokensPerSec: round((B * steps) / jsBest, 1),
      loopSpeedup: round(jsBest / loopBest, 3),
      loopCpuSeconds: round(loopCpu, 3),
      jsLoopCpuSeconds: round(jsCpu, 3),
      identical,
    };
    results.push(row);
    log(
      `batch ${B}: ${row.tokensPerSec} tok/s (loop), ${row.jsLoopTokensPerSec} tok/s (js loop), ` +
        `speedup ${row.loopSpeedup}x, same tokens: ${identical}`,
    );
  }
  await jsLoop.dispose();
  await gen.dispose();
  const out = {
    bench: 'generator',
    model: {
      hidden_size: config.hidden_size,
      num_hidden_layers: config.num_hidden_layers,
      num_attention_heads: config.num_attention_heads,
      intermediate_size: config.intermediate_size,
      vocab_size: config.vocab_size,
      params: paramCount(config),
    },
    promptTokens,
    maxNewTokens,
    threads,
    reps,
    tokensPerSec: Object.fromEntries(results.map((r) => [String(r.batch), r.tokensPerSec])),
    responseTokensPerSec: Object.fromEntries(results.map((r) => [String(r.batch), r.responseTokensPerSec])),
    loopSpeedup: results[0].loopSpeedup,
    loopSpeedupBatch: results[0].batch,
    loopSpeedupByBatch: Object.fromEntries(results.map((r) => [String(r.batch), r.loopSpeedup])),
    goal: { loopSpeedup: 2 },
    results,
    loadAverage1m: round(loadavg()[0], 2),
  };
  if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}

function cpuSeconds(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// ---- size mode and --vs-torch -------------------------------------------------------------

interface TorchGenerator extends TorchCommon {
  generator: { batch: number; seconds: number; steps: number; tokensPerSec: number; tokens: number[][] | null }[];
}

/** The uniforms Generator.sample draws for `rows` rows and `seed` (generator.ts: row b uses Rng(b-th nextU32() of Rng(seed))), (N, B) row-major by step. */
function generatorUniforms(rows: number, steps: number, seed: number): number[] {
  const seeds = new Rng(seed);
  const rowRngs = Array.from({ length: rows }, () => new Rng(seeds.nextU32()));
  const u = new Array<number>(steps * rows);
  for (let b = 0; b < rows; b++) for (let t = 0; t < steps; t++) u[t * rows + b] = Math.fround(rowRngs[b].next());
  return u;
}

async function benchSize(
  json: boolean,
  configSpec: string,
  batches: number[],
  maxNewTokens: number,
  promptTokens: number,
  reps: number,
  threads: number,
  seed: number,
  temperature: number,
  topP: number,
  vsTorch: boolean,
  torchBlas: string | undefined,
  executionProvider: ExecutionProvider,
): Promise<number> {
  const { name, config } = resolveConfig(configSpec);
  const N = paramCount(config);
  const model = describeModel(name, config);
  const maxBatch = Math.max(...batches);
  const maxSeqLen = promptTokens + maxNewTokens;
  log(`model ${name}: ${config.model_type}, d_model ${config.hidden_size}, ${config.num_hidden_layers} layers, ${N} params; prompt ${promptTokens}, new ${maxNewTokens}, batches ${batches.join(',')}, temperature ${temperature}, top-p ${topP}, threads ${threads}, reps ${reps}`);
  const rng = new Rng(seed + 1);
  const runs = batches.map((B) => ({
    prompts: Array.from({ length: B }, () => {
      const p = Int32Array.from({ length: promptTokens }, () => rng.int(16, config.vocab_size - 1));
      p[0] = config.bos_token_id;
      return p;
    }),
    seed: seed + B,
  }));
  const baseline = memory().rss;
  const shared = N <= SHARED_WEIGHTS_MAX;

  // PyTorch first, while this process holds no model; small models share weights and uniforms.
  let torch: TorchGenerator | null = null;
  let torchSkipped: string | null = null;
  let params: Map<string, Float32Array> | null = null;
  let ortSgemm: number | null = null;
  if (vsTorch) {
    ({ torch, skipped: torchSkipped, params, ortSgemm } = await torchHalf<TorchGenerator>({
      config,
      seed,
      shared,
      threads,
      blasDir: torchBlas,
      log,
      spec: (weights) => ({
        mode: 'generator',
        config,
        threads,
        seed,
        weights,
        reps,
        maxNew: maxNewTokens,
        temperature,
        topP,
        runs: runs.map((r) => ({ prompts: r.prompts.map((p) => Array.from(p)), uniforms: shared ? generatorUniforms(r.prompts.length, maxNewTokens, r.seed) : null })),
      }),
      describe: (t) => t.generator.map((g) => `batch ${g.batch}: ${g.tokensPerSec} tok/s`).join(', '),
    }));
  }

  params ??= benchParams(config, seed);
  const afterParams = memory().rss;
  const t0 = performance.now();
  const gen = await Generator.create(config, params, { threads, maxBatch, maxSeqLen, executionProvider });
  log(`loop graph built and loaded in ${(performance.now() - t0).toFixed(0)} ms`);
  const rows: Record<string, unknown>[] = [];
  for (const [i, run] of runs.entries()) {
    const B = run.prompts.length;
    const opts = { maxNewTokens, temperature, topP, seed: run.seed };
    await gen.sample(run.prompts, { ...opts, maxNewTokens: Math.min(4, maxNewTokens) });
    let best = Infinity;
    let out: SampleResult | null = null;
    for (let r = 0; r < reps; r++) {
      const s0 = performance.now();
      const res = await gen.sample(run.prompts, opts);
      const sec = (performance.now() - s0) / 1000;
      log(`batch ${B} rep ${r}: ${sec.toFixed(2)} s; rss ${gib(memory().rss)} GiB, peak ${gib(memory().peak)} GiB`);
      if (sec < best) [best, out] = [sec, res];
    }
    const steps = Math.max(...out!.tokens.map((t) => t.length));
    const tps = (B * steps) / best;
    const row: Record<string, unknown> = { batch: B, seconds: round(best, 3), steps, tokensPerSec: round(tps, 1), kvCacheGiB: gib(kvBytesPerToken(config) * B * (promptTokens + steps)) };
    const t = torch?.generator[i];
    if (t) {
      row.torchSeconds = t.seconds;
      row.torchSteps = t.steps;
      row.torchTokensPerSec = t.tokensPerSec;
      row.ratio = round(tps / t.tokensPerSec, 3);
      if (t.tokens) {
        let same = 0;
        let total = 0;
        out!.tokens.forEach((toks, b) => {
          const theirs = t.tokens![b];
          for (let k = 0; k < toks.length; k++) {
            total++;
            if (theirs[k] === toks[k]) same++;
            else break; // after the first difference the two continuations are unrelated
          }
        });
        row.identicalPrefixShare = round(same / Math.max(1, total), 4);
      }
    }
    rows.push(row);
    log(`batch ${B}: ${row.tokensPerSec} tok/s${t ? `, torch ${t.tokensPerSec} tok/s, ours/torch ${row.ratio}` : ''}`);
  }
  await gen.dispose();
  const result: Record<string, unknown> = {
    bench: 'generator',
    mode: 'size',
    model,
    promptTokens,
    maxNewTokens,
    temperature,
    topP,
    threads,
    executionProvider,
    reps,
    included: 'Generator.sample: prefill + KV-cached decode + sampling in one ONNX-Loop run, plus its host side; tokens/s = rows x steps / seconds (finished rows still occupy their slot)',
    tokensPerSec: Object.fromEntries(rows.map((r) => [String(r.batch), r.tokensPerSec])),
    results: rows,
    memoryGiB: {
      weights: gib(4 * N),
      kvCacheBytesPerToken: kvBytesPerToken(config),
      processBaselineRss: gib(baseline),
      rssAfterParams: gib(afterParams),
      peakRss: gib(memory().peak),
      aboveWeights: gib(memory().peak - baseline - 4 * N),
    },
    loadAverage1m: round(loadavg()[0], 2),
  };
  if (vsTorch) {
    result.vsTorch = torch
      ? {
          torch: torch.torch,
          torchBlas: torch.blas,
          threads,
          sgemmGflops: { ours: ortSgemm, torch: torch.sgemmGflops },
          ratioSgemm: ortSgemm ? round(ortSgemm / torch.sgemmGflops, 3) : null,
          ratio: Object.fromEntries(rows.map((r) => [String(r.batch), r.ratio])),
          torchTokensPerSec: Object.fromEntries(rows.map((r) => [String(r.batch), r.torchTokensPerSec])),
          torchPeakRssGiB: gib(torch.peakRssBytes),
          sharedWeights: torch.sharedWeights,
        }
      : { skipped: torchSkipped };
  }
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

/** KV-cache bytes per token of context (float32 keys and values, every layer). */
function kvBytesPerToken(c: LlamaConfig): number {
  const hd = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  return 2 * c.num_hidden_layers * c.num_key_value_heads * hd * 4;
}
