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
import { loadavg } from 'node:os';
import { Rng } from '../ops/rng.ts';
import { initParams, paramCount, parseLlamaConfig } from '../ops/model/config.ts';
import { Generator, type SampleResult } from '../ops/model/generator.ts';
import { JsLoopSampler } from './generator-js-loop.ts';
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
    batches: { schema: batchList.default([64, 256]), help: 'batch sizes', value: 'B,B', range: 'comma-separated integers from 1 to 4096' },
    new: { schema: z.int().min(1).max(65_536).default(128), help: 'new tokens per row' },
    prompt: { schema: z.int().min(1).max(65_536).default(32), help: 'prompt tokens per row' },
    reps: { schema: z.int().min(1).max(100).default(2), help: 'interleaved runs (best reported)' },
    threads: { schema: z.int().min(1).max(256).default(2), help: 'ORT threads' },
    seed: { schema: z.int().default(1), help: 'seed of the random weights and prompts' },
  },
  examples: ['ace bench generator --json', 'ace bench generator --batches 16,64 --new 64 --threads 1'],
  run: (f) => benchGenerator(f.json, f.batches, f.new, f.prompt, f.reps, f.threads, f.seed),
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
