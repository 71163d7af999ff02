// `ace bench learner [--json] [--batch B] [--length T] [--threads N] [--steps K]`: model FLOP
// rate of one full learner step (forward + PG loss + backward + gradient accumulation,
// d_model 256, 4 layers, B*T = 4096 tokens) against ORT's own 1024^3 sgemm rate measured in
// the same run on the same threads, in interleaved rounds of equal wall time so both see the
// same machine load. Rates are totals over all rounds (mean step time, not best-of).
// Model FLOPs per step (transformer.ts trainFlops): tokens * (6 N + 12 L T D_attn).
// Not a profiler: per-op times are ORT's business (enable its profiler for that).
//
// `--config NAME|PATH` (size mode): a model of real size (a preset of bench/model-size.ts, e.g.
// qwen2.5-0.5b, or a config.json) on random weights: tokens/s of one training micro-batch of
// B x T tokens, timed in phases: forward + PG loss + backward (ORT), the gradients' 1/N
// scaling (takeGrads) and the AdamW step with global-norm clipping (adamw.ts); the process's
// peak RSS (VmHWM), over the run and over the timed steps, against the arithmetic of the
// state: parameters + gradients + AdamW m and v = 16 bytes per parameter in float32. Defaults
// B 2, T 128, 2 timed steps (5 up to 50M parameters; medians reported) after one warm-up step (which allocates the optimizer state), ORT's
// CPU memory arena off above 50M parameters (a lower peak: freed blocks go back to the
// allocator; --arena on|off).
// `--vs-torch`: the same config, micro-batch and thread count through PyTorch
// (bench/torch_ref.py, Debian's python3-torch) first, then ours, in one run; prints the
// tokens/s ratio ours / torch for the micro-batch's forward + backward and for the whole step,
// with both libraries' 1024^3 sgemm rates (torch's BLAS decides its GEMM speed: Debian's
// default libblas.so.3 is the reference BLAS; --torch-blas DIR puts another, e.g. OpenBLAS's,
// first on the child's LD_LIBRARY_PATH). Up to 50M parameters both sides use the same
// weights and tokens and the first step's loss is compared. Without torch the comparison is
// skipped with the reason.
import { loadavg } from 'node:os';
import { parseLlamaConfig, initParams, paramCount } from '../ops/model/config.ts';
import { AdamW } from '../ops/model/adamw.ts';
import { Learner } from '../ops/model/learner.ts';
import { trainFlops } from '../ops/model/transformer.ts';
import { Rng } from '../ops/rng.ts';
import { Graph } from '../ops/tensor/graph.ts';
import { ExecutionProvider, createSession, tensor } from '../ops/tensor/session.ts';
import { z } from 'zod';
import { defineCommand } from '../tools/command.ts';
import { JSON_FLAG } from '../tools/session.ts';
import {
  type TorchCommon,
  SHARED_WEIGHTS_MAX,
  benchParams,
  describeModel,
  gib,
  memory,
  resetPeak,
  resolveConfig,
  torchHalf,
} from './model-size.ts';

export const command = defineCommand({
  name: 'bench learner',
  summary: "learner FLOP rate (forward + PG loss + backward) against ORT's sgemm rate on the same threads",
  flags: {
    ...JSON_FLAG,
    batch: { schema: z.int().min(1).max(4096).optional(), help: 'rows per micro-batch (default 16; 2 with --config)' },
    length: { schema: z.int().min(8).max(65_536).optional(), help: 'tokens per row (default 256; 128 with --config)' },
    threads: { schema: z.int().min(1).max(256).default(2), help: 'ORT threads (and torch threads with --vs-torch)' },
    steps: { schema: z.int().min(1).max(1000).optional(), help: 'timed rounds (default 5; with --config or --vs-torch: 5 up to 50M parameters, else 2)' },
    config: { schema: z.string().optional(), value: 'NAME|PATH', help: 'size mode: a preset (tiny, qwen2.5-0.5b, qwen3-0.6b, qwen2.5-1.5b, ...) or a config.json file / model directory' },
    'vs-torch': { schema: z.boolean().default(false), help: 'also run the same micro-batch through PyTorch (bench/torch_ref.py) and print ours / torch' },
    'torch-blas': { schema: z.string().optional(), value: 'DIR', help: "a directory with a libblas.so.3 (e.g. OpenBLAS's) first on the torch child's LD_LIBRARY_PATH" },
    'execution-provider': { schema: ExecutionProvider.default('cpu'), help: 'size mode: the ORT execution provider of the learner (cuda needs the CUDA build: ops/tensor/session.ts)' },
    arena: { schema: z.enum(['on', 'off']).optional(), help: "size mode: ORT's CPU memory arena (default off above 50M parameters: lower peak; on below, the Learner's default)" },
  },
  examples: [
    'ace bench learner --json',
    'ace bench learner --batch 8 --length 512 --threads 1',
    'ace bench learner --config qwen2.5-0.5b --json',
    'ace bench learner --vs-torch --torch-blas /usr/lib/x86_64-linux-gnu/openblas-pthread',
  ],
  run: (f) =>
    f.config || f['vs-torch']
      ? benchSize(f.json, f.config ?? 'tiny', f.batch ?? (f.config ? 2 : 16), f.length ?? (f.config ? 128 : 256), f.threads, f.steps, f['vs-torch'], f['torch-blas'], f.arena, f['execution-provider'])
      : benchLearner(f.json, f.batch ?? 16, f.length ?? 256, f.threads, f.steps ?? 5),
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

// ---- size mode and --vs-torch -------------------------------------------------------------

interface TorchLearner extends TorchCommon {
  learner: {
    tokens: number;
    fwdBwdMs: number;
    optimizerMs: number;
    stepMs: number;
    tokensPerSecFwdBwd: number;
    tokensPerSec: number;
    firstLossSum: number;
    fwdBwdMsEach: number[];
    optimizerMsEach: number[];
  };
}

const r1 = (x: number) => Math.round(x * 10) / 10;

async function benchSize(
  json: boolean,
  configSpec: string,
  B: number,
  T: number,
  threads: number,
  stepsFlag: number | undefined,
  vsTorch: boolean,
  torchBlas: string | undefined,
  arenaFlag: 'on' | 'off' | undefined,
  executionProvider: ExecutionProvider,
): Promise<number> {
  const { name, config } = resolveConfig(configSpec);
  const N = paramCount(config);
  const arena = arenaFlag ? arenaFlag === 'on' : N <= SHARED_WEIGHTS_MAX;
  const steps = stepsFlag ?? (N <= SHARED_WEIGHTS_MAX ? 5 : 2);
  const model = describeModel(name, config);
  log(`model ${name}: ${config.model_type}, d_model ${config.hidden_size}, ${config.num_hidden_layers} layers, ${N} params; micro-batch ${B}x${T}, ${threads} threads, ${steps} timed steps`);
  const rng = new Rng(1);
  const tokens = Array.from({ length: B }, () => Int32Array.from({ length: T + 1 }, () => rng.int(3, config.vocab_size - 1)));
  const advantages = tokens.map((_, i) => (i % 2 ? 1 : -1));
  const baseline = memory().rss;

  // PyTorch first, while this process holds no model (at 0.5B the two would not fit side by
  // side under the memory we allow ourselves); small models share the weights.
  let torch: TorchLearner | null = null;
  let torchSkipped: string | null = null;
  let params: Map<string, Float32Array> | null = null;
  let ortSgemm: number | null = null;
  if (vsTorch) {
    ({ torch, skipped: torchSkipped, params, ortSgemm } = await torchHalf<TorchLearner>({
      config,
      seed: 2,
      shared: N <= SHARED_WEIGHTS_MAX,
      threads,
      blasDir: torchBlas,
      log,
      spec: (weights) => ({ mode: 'learner', config, threads, seed: 2, weights, steps, tokens: tokens.map((t) => Array.from(t)), advantages }),
      describe: (t) => `${t.learner.tokensPerSec} tokens/s per step, ${t.learner.tokensPerSecFwdBwd} forward+backward`,
    }));
  }

  params ??= benchParams(config, 2);
  const afterParams = memory().rss;
  const learner = new Learner(config, params, { buckets: [{ batch: B, length: T }], threads, cpuMemArena: arena, executionProvider });
  const t0 = performance.now();
  await learner.warmup();
  log(`learner graph (${B}x${T}) built and loaded in ${(performance.now() - t0).toFixed(0)} ms`);
  const opt = new AdamW({});
  const batch = { tokens, responseStart: tokens.map(() => 1), advantages };
  const phases = { fwdBwd: [] as number[], scale: [] as number[], optimizer: [] as number[] };
  let firstLossSum = 0;
  let steadyPeak = 0;
  let peakReset = false;
  for (let k = 0; k <= steps; k++) {
    if (k === 1) peakReset = resetPeak(); // the warm-up step allocated the gradients and m, v
    const a = performance.now();
    const res = await learner.accumulate(batch);
    const b = performance.now();
    const grads = learner.takeGrads();
    const c = performance.now();
    opt.step(params, grads, 1e-5);
    const d = performance.now();
    learner.recycle(grads);
    if (k === 0) firstLossSum = res.lossSum;
    else {
      phases.fwdBwd.push(b - a);
      phases.scale.push(c - b);
      phases.optimizer.push(d - c);
    }
    log(`step ${k}${k === 0 ? ' (warm-up)' : ''}: forward+backward ${(b - a).toFixed(0)} ms, grad scale ${(c - b).toFixed(0)} ms, AdamW ${(d - c).toFixed(0)} ms; rss ${gib(memory().rss)} GiB, peak ${gib(memory().peak)} GiB`);
  }
  steadyPeak = memory().peak;
  await learner.close();

  const tokensPerStep = B * T;
  // Medians of the timed steps (the machine is shared: one step can take three times another).
  const fb = median(phases.fwdBwd) / 1000;
  const step = fb + (median(phases.scale) + median(phases.optimizer)) / 1000;
  const state = { params: 4 * N, grads: 4 * N, adam: 8 * N };
  const stateBytes = state.params + state.grads + state.adam;
  const result: Record<string, unknown> = {
    bench: 'learner',
    mode: 'size',
    model,
    batch: B,
    length: T,
    tokensPerStep,
    threads,
    steps,
    ortCpuMemArena: arena,
    executionProvider,
    included: 'fwdBwd: forward + PG loss + entropy + backward (one ORT run); step: fwdBwd + gradient 1/N scaling (takeGrads) + AdamW with global-norm clipping (adamw.ts, JS, one thread)',
    fwdBwdMs: r1(fb * 1000),
    gradScaleMs: r1(median(phases.scale)),
    optimizerMs: r1(median(phases.optimizer)),
    fwdBwdMsEach: phases.fwdBwd.map(r1),
    optimizerMsEach: phases.optimizer.map(r1),
    stepMs: r1(step * 1000),
    tokensPerSecFwdBwd: r1(tokensPerStep / fb),
    tokensPerSec: r1(tokensPerStep / step),
    modelGflopsFwdBwd: r1(trainFlops(config, tokensPerStep, T) / fb / 1e9),
    memoryGiB: {
      params: gib(state.params),
      grads: gib(state.grads),
      adamMoments: gib(state.adam),
      state: gib(stateBytes),
      stateBytesPerParam: 16,
      processBaselineRss: gib(baseline),
      rssAfterParams: gib(afterParams),
      peakRss: gib(memory().peak),
      peakRssTimedSteps: peakReset ? gib(steadyPeak) : null,
      // Peak of the timed steps above the process baseline and the 16 bytes/param of state:
      // ORT's activations and backward temporaries for this micro-batch.
      aboveState: peakReset ? gib(steadyPeak - baseline - stateBytes) : null,
    },
    loadAvg1m: +loadavg()[0].toFixed(2),
  };
  if (vsTorch) {
    result.vsTorch = torch
      ? {
          torch: torch.torch,
          torchBlas: torch.blas,
          threads,
          sgemmGflops: { ours: ortSgemm, torch: torch.sgemmGflops },
          torchFwdBwdMs: torch.learner.fwdBwdMs,
          torchFwdBwdMsEach: torch.learner.fwdBwdMsEach,
          torchOptimizerMs: torch.learner.optimizerMs,
          torchTokensPerSecFwdBwd: torch.learner.tokensPerSecFwdBwd,
          torchTokensPerSec: torch.learner.tokensPerSec,
          torchPeakRssGiB: gib(torch.peakRssBytes),
          ratioFwdBwd: +(tokensPerStep / fb / torch.learner.tokensPerSecFwdBwd).toFixed(3),
          ratioStep: +(tokensPerStep / step / torch.learner.tokensPerSec).toFixed(3),
          ratioSgemm: ortSgemm ? +(ortSgemm / torch.sgemmGflops).toFixed(3) : null,
          sharedWeights: torch.sharedWeights,
          firstLossSum: torch.sharedWeights ? { ours: firstLossSum, torch: torch.learner.firstLossSum, relDiff: Math.abs(firstLossSum - torch.learner.firstLossSum) / Math.abs(torch.learner.firstLossSum) } : null,
        }
      : { skipped: torchSkipped };
  }
  log(
    `${name}: ${result.tokensPerSecFwdBwd} tokens/s forward+backward, ${result.tokensPerSec} tokens/s with the AdamW step; peak RSS ${gib(memory().peak)} GiB` +
      (torch ? `; ours/torch ${(result.vsTorch as { ratioFwdBwd: number }).ratioFwdBwd} (fwd+bwd), ${(result.vsTorch as { ratioStep: number }).ratioStep} (step)` : ''),
  );
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else console.log(JSON.stringify(result, null, 2));
  return 0;
}
