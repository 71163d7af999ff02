// `ace bench code-verifier [--json] [--quick]`: throughput and sandbox cost of the code
// verifier. Short programs with one test each through CodeVerifierPool; Python overhead is
// the host-measured wall time of a program that does nothing; poolScale2 is the throughput
// of 2 workers over 1 on a CPU-bound program. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { CodeVerifierPool } from '../ops/reward/code/pool.ts';
import { sandboxCommand, sandboxProblem } from '../ops/reward/code/py-runner.ts';
import { CodeLimits } from '../ops/reward/code/types.ts';
import { z } from 'zod';
import { defineCommand } from '../tools/command.ts';
import { JSON_FLAG } from '../tools/session.ts';

const log = (s: string) => process.stderr.write(`${s}\n`);

async function throughput(pool: CodeVerifierPool, language: 'javascript' | 'python', n: number, program: (i: number) => string, tests: (i: number) => unknown): Promise<number> {
  // warm-up: start every worker once
  await Promise.all(Array.from({ length: 4 }, (_, i) => pool.verify({ language, code: program(i), tests: tests(i) })));
  const t0 = performance.now();
  const verdicts = await Promise.all(Array.from({ length: n }, (_, i) => pool.verify({ language, code: program(i), tests: tests(i) })));
  const s = (performance.now() - t0) / 1000;
  const bad = verdicts.filter((v) => v.kind !== 'correct');
  if (bad.length > 0) throw new Error(`${bad.length} of ${n} bench programs not correct: ${JSON.stringify(bad[0])}`);
  return n / s;
}

const addJs = (i: number) => `function add(a, b) { return a + b + ${i}; }`;
const addPy = (i: number) => `def add(a, b):\n    return a + b + ${i}\n`;
const addTests = (i: number) => ({ format: 'function', fnName: 'add', cases: [{ args: [1, 2], expected: 3 + i }] });
// ~10 ms of CPU per program, so that worker scaling is visible beside the fixed costs.
const busyJs = (i: number) => `function f(n) { let s = 0; for (let k = 0; k < 4e6; k++) s = (s + k * ${i + 1}) % 1000003; return n; }`;
const busyPy = (i: number) => `def f(n):\n    s = 0\n    for k in range(150000):\n        s = (s + k * ${i + 1}) % 1000003\n    return n\n`;
const busyTests = () => ({ format: 'function', fnName: 'f', cases: [{ args: [7], expected: 7 }] });

function coldLaunchMs(reps: number): { sandboxMs: number; bareMs: number } {
  const cmd = sandboxCommand(CodeLimits.parse({}));
  cmd.splice(cmd.indexOf('-c') + 1, 1, 'pass');
  const time = (argv: string[]) => {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) spawnSync(argv[0], argv.slice(1), { env: {} });
    return (performance.now() - t0) / reps;
  };
  return { sandboxMs: time(cmd), bareMs: time(['/usr/bin/python3', '-I', '-c', 'pass']) };
}

export const command = defineCommand({
  name: 'bench code-verifier',
  summary: 'code verifier throughput (JavaScript and Python) and sandbox overhead per run',
  flags: { ...JSON_FLAG, quick: { schema: z.boolean().default(false), help: 'fewer programs (a quick look, noisier figures)' } },
  examples: ['ace bench code-verifier --json'],
  run: (f) => benchCodeVerifier(f.json, f.quick),
});

async function benchCodeVerifier(json: boolean, quick: boolean): Promise<number> {
  const problem = sandboxProblem();
  if (problem) {
    log(`python sandbox unavailable: ${problem}\nHINT: install bubblewrap and python3 (apt-get install bubblewrap python3)`);
    return 1;
  }
  const cores = availableParallelism();
  log(`cores ${cores}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const nJs = quick ? 500 : 4000;
  const nPy = quick ? 100 : 600;

  const pool = new CodeVerifierPool({ jsWorkers: cores, pyWorkers: cores, queueLimit: 100_000 });
  await pool.warmUp();
  const jsProgramsPerSec = await throughput(pool, 'javascript', nJs, addJs, addTests);
  log(`js: ${jsProgramsPerSec.toFixed(0)} programs/s (${cores} isolates, ${nJs} programs)`);
  const pyProgramsPerSec = await throughput(pool, 'python', nPy, addPy, addTests);
  log(`py: ${pyProgramsPerSec.toFixed(0)} programs/s (${cores} sandboxes, ${nPy} programs)`);
  await pool.close();

  // Sandbox cost: one sandbox, sequential runs of a program that does nothing.
  const one = new CodeVerifierPool({ jsWorkers: 1, pyWorkers: 1 });
  const trivial = { format: 'stdio', cases: [{ input: '', output: '' }] };
  for (let i = 0; i < 5; i++) await one.verify({ language: 'python', code: 'pass', tests: trivial });
  const reps = quick ? 100 : 400;
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const v = await one.verify({ language: 'python', code: 'pass', tests: trivial });
    if (v.kind !== 'correct') throw new Error(`trivial program not correct: ${JSON.stringify(v)}`);
    samples.push(v.timings.totalMs);
  }
  samples.sort((a, b) => a - b);
  const pyOverheadMs = samples.reduce((s, x) => s + x, 0) / samples.length;
  const pyOverheadP50Ms = samples[Math.floor(samples.length / 2)];
  const pyOverheadP95Ms = samples[Math.floor(samples.length * 0.95)];
  await one.close();
  log(`py sandbox cost per run: mean ${pyOverheadMs.toFixed(2)} ms, p50 ${pyOverheadP50Ms.toFixed(2)}, p95 ${pyOverheadP95Ms.toFixed(2)} (${reps} runs)`);
  const cold = coldLaunchMs(quick ? 10 : 30);
  log(`for comparison, a fresh launch per run: bwrap+python3 -I ${cold.sandboxMs.toFixed(1)} ms, bare python3 -I ${cold.bareMs.toFixed(1)} ms`);

  // Pool scaling on CPU-bound programs: 2 workers over 1.
  const scale = async (language: 'javascript' | 'python', prog: (i: number) => string, n: number) => {
    const rate = async (workers: number) => {
      const p = new CodeVerifierPool({ jsWorkers: workers, pyWorkers: workers, queueLimit: 100_000 });
      try {
        return await throughput(p, language, n, prog, busyTests);
      } finally {
        await p.close();
      }
    };
    const r1 = await rate(1);
    const r2 = await rate(2);
    log(`${language} CPU-bound: 1 worker ${r1.toFixed(1)}/s, 2 workers ${r2.toFixed(1)}/s -> x${(r2 / r1).toFixed(2)}`);
    return r2 / r1;
  };
  const poolScale2 = await scale('python', busyPy, quick ? 20 : 80);
  const jsPoolScale2 = await scale('javascript', busyJs, quick ? 20 : 80);

  const figures = {
    jsProgramsPerSec: round(jsProgramsPerSec),
    pyProgramsPerSec: round(pyProgramsPerSec),
    pyOverheadMs: round(pyOverheadMs),
    pyOverheadP50Ms: round(pyOverheadP50Ms),
    pyOverheadP95Ms: round(pyOverheadP95Ms),
    poolScale2: round(poolScale2),
    jsPoolScale2: round(jsPoolScale2),
    coldSandboxLaunchMs: round(cold.sandboxMs),
    coldPythonLaunchMs: round(cold.bareMs),
    cores,
    loadAvg1m: round(loadavg()[0]),
  };
  if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);
  else for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(22)} ${v}\n`);
  return 0;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
