// `ace bench learner [--json] [--batch B] [--length T] [--threads N] [--steps K]`: model FLOP
// rate of one full learner step (forward + PG loss + backward + gradient accumulation,
// d_model 256, 4 layers, B*T = 4096 tokens) against ORT's own 1024^3 sgemm rate measured in
// the same run on the same threads, in interleaved rounds of equal wall time so both see the
// same machine load. Rates are totals over all rounds (mean step time, not best-of).
// Model FLOPs per step (transformer.ts trainFlops): tokens * (6 N + 12 L T D_attn).
// Not a profiler: per-op times are ORT's business (enable its profiler for that).
import { loadavg } from 'node:os';
import { parseLlamaConfig, initParams, paramCount } from '../ops/model/config.ts';
import { Learner } from '../ops/model/learner.ts';
import { trainFlops } from '../ops/model/transformer.ts';
import { Rng } from '../ops/rng.ts';
import { Graph } from '../ops/tensor/graph.ts';
import { createSession, tensor } from '../ops/tensor/session.ts';
import { z } from 'zod';
import { defineCommand } from '../tools/command.ts';
import { JSON_FLAG } from '../tools/session.ts';

export const command = defineCommand({
  name: 'bench learner',
  summary: "learner FLOP rate (forward + PG loss + backward) against ORT's sgemm rate on the same threads",
  flags: {
    ...JSON_FLAG,
    batch: { schema: z.int().min(1).max(4096).default(16), help: 'rows per micro-batch' },
    length: { schema: z.int().min(8).max(65_536).default(256), help: 'tokens per row' },
    threads: { schema: z.int().min(1).max(256).default(2), help: 'ORT threads' },
    steps: { schema: z.int().min(1).max(1000).default(5), help: 'timed rounds' },
  },
  examples: ['ace bench learner --json', 'ace bench learner --batch 8 --length 512 --threads 1'],
  run: (f) => benchLearner(f.json, f.batch, f.length, f.threads, f.steps),
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const log = (s: string) => process.stderr.write(`${s}\n`);

async function benchLearner(json: boolean, B: number, T: number, threads: number, steps: number): Promise<number> {
  const config = parseLlamaConfig({ hidden_size: 256, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 4, intermediate_size: 768 });

  // ORT sgemm reference: C = A B, 1024^3, same thread count.
  const n = 1024;
  const gm = new Graph('sgemm');
  gm.output(gm.matmul(gm.input('a', 'float32', [n, n]), gm.input('b', 'float32', [n, n])), 'c');
  const sgemm = await createSession(gm, { intraOpNumThreads: threads });
  const rng = new Rng(1);
  const a = Float32Array.from({ length: n * n }, () => rng.normal());
  const b = Float32Array.from({ length: n * n }, () => rng.normal());
  // Process CPU seconds spent in each kind of work (a load-robust view when threads = 1).
  const cpuSeconds = { sgemm: 0, step: 0 };
  const cpuNow = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1e6;
  };
  const sgemmOnce = async (): Promise<number> => {
    const c0 = cpuNow();
    const t0 = performance.now();
    await sgemm.run({ a: tensor(a, [n, n]), b: tensor(b, [n, n]) });
    cpuSeconds.sgemm += cpuNow() - c0;
    return (performance.now() - t0) / 1000;
  };

  const params = initParams(config, new Rng(2));
  const learner = new Learner(config, params, { buckets: [{ batch: B, length: T }], threads });
  const t0 = performance.now();
  await learner.warmup();
  log(`learner graph (${B}x${T}) built and loaded in ${(performance.now() - t0).toFixed(0)} ms; ${paramCount(config)} params`);
  const tokens = Array.from({ length: B }, () => Int32Array.from({ length: T + 1 }, () => rng.int(3, config.vocab_size - 1)));
  const batch = { tokens, responseStart: tokens.map(() => 1), advantages: tokens.map((_, i) => (i % 2 ? 1 : -1)) };
  const stepOnce = async (): Promise<number> => {
    const c0 = cpuNow();
    const s0 = performance.now();
    await learner.accumulate(batch);
    learner.takeGrads();
    cpuSeconds.step += cpuNow() - c0;
    return (performance.now() - s0) / 1000;
  };

  // Warm both, then size the sgemm burst to last about one learner step, so that each round
  // gives sgemm and learner equal wall time under whatever load the machine has.
  await sgemmOnce();
  const warmStep = await stepOnce();
  const sgemmOne = await sgemmOnce();
  const burst = Math.max(3, Math.round(warmStep / sgemmOne));
  cpuSeconds.sgemm = 0;
  cpuSeconds.step = 0;
  let sgemmTime = 0;
  let sgemmRuns = 0;
  const stepTimes: number[] = [];
  const roundMfu: number[] = [];
  for (let k = 0; k < steps; k++) {
    let t = 0;
    for (let r = 0; r < burst; r++) t += await sgemmOnce();
    sgemmTime += t;
    sgemmRuns += burst;
    const st = await stepOnce();
    stepTimes.push(st);
    roundMfu.push(trainFlops(config, B * T, T) / st / ((2 * n * n * n * burst) / t));
    log(`round ${k + 1}/${steps}: step ${(st * 1000).toFixed(1)} ms; sgemm ${((t / burst) * 1000).toFixed(2)} ms x ${burst}; mfu ${roundMfu[k].toFixed(3)}`);
  }
  await learner.close();
  await sgemm.release();

  const tokensPerStep = B * T;
  const flops = trainFlops(config, tokensPerStep, T);
  const sgemmGflops = (2 * n * n * n * sgemmRuns) / sgemmTime / 1e9;
  const stepS = stepTimes.reduce((p, q) => p + q, 0) / stepTimes.length;
  const learnerGflops = flops / stepS / 1e9;
  const result = {
    sgemmGflops: +sgemmGflops.toFixed(2),
    learnerGflops: +learnerGflops.toFixed(2),
    mfu: +(learnerGflops / sgemmGflops).toFixed(3),
    tokensPerSec: Math.round(tokensPerStep / stepS),
    stepMs: +(stepS * 1000).toFixed(1),
    modelGflopPerStep: +(flops / 1e9).toFixed(3),
    flopsFormula: 'tokens * (6 * N_matmul + 12 * L * T * H*hd), N_matmul = L*(D*Hq + 2*D*Hkv + Hq*D + 3*D*I) + V*D',
    batch: B,
    length: T,
    threads,
    steps,
    sgemmBurst: burst,
    mfuMedianRound: +median(roundMfu).toFixed(3),
    // Same ratio from process CPU seconds instead of wall time (ORT's spinning pool threads count as busy).
    mfuCpuTime: +((flops * steps) / cpuSeconds.step / ((2 * n * n * n * sgemmRuns) / cpuSeconds.sgemm)).toFixed(3),
    loadAvg1m: +loadavg()[0].toFixed(2),
    params: paramCount(config),
  };
  log(`sgemm ${result.sgemmGflops} GFLOP/s, learner ${result.learnerGflops} GFLOP/s, mfu ${result.mfu}, ${result.tokensPerSec} tokens/s`);
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else console.log(result);
  return 0;
}
