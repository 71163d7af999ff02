// `ace curate CONFIG [--out DIR]`: run the curation pipeline (ops/data) on a config file and
// write the curated JSONL, the report JSON and the readable summary. The verifiers are
// loaded only when the config needs them.
import { readFileSync } from 'node:fs';
import { CurateConfig } from '../ops/data/config.ts';
import type { Deps } from '../ops/data/pipeline.ts';
import { resolve } from 'node:path';
import { z } from 'zod';
import { defineCommand, runCommand } from './command.ts';

export const command = defineCommand({
  name: 'curate',
  summary: 'build curated RL data from raw problem sets',
  description: 'Writes the curated JSONL, the report JSON and a readable summary.',
  args: [{ name: 'CONFIG', help: 'a JSON config (see configs/curate/ and ops/data/config.ts)', required: true }],
  flags: { out: { schema: z.string().optional(), help: "output directory (default: the config's outDir)", value: 'DIR' } },
  examples: ['ace curate configs/curate/math.json', 'ace curate configs/curate/math.json --out /tmp/curated'],
  run: (flags, args) => curateRun(args[0], flags.out),
});

export const run = (argv: string[]) => runCommand(command, argv);

async function curateRun(file: string, outDir: string | undefined): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    process.stderr.write(`ace curate: cannot read ${file}: ${(err as Error).message}\nHINT: pass a JSON config such as configs/curate/math.json\n`);
    return 2;
  }
  const parsed = CurateConfig.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) process.stderr.write(`ace curate: ${file}: ${i.path.join('.') || '(root)'}: ${i.message}\n`);
    process.stderr.write('HINT: see ops/data/config.ts for every field and its default\n');
    return 2;
  }
  const config = parsed.data;
  process.stderr.write(`ace curate: resolved config ${JSON.stringify(config)}\n`);

  const { curate } = await import('../ops/data/pipeline.ts');
  const { summarize, writeOutputs } = await import('../ops/data/report.ts');
  const deps: Deps = {};
  const closers: (() => Promise<void>)[] = [];
  const needsCode = (config.domain === 'code' && config.codeChecks !== undefined) || (config.difficulty !== undefined && config.domain === 'code');
  if ((config.domain === 'math' && config.answerCheck === 'math-verifier') || config.difficulty !== undefined || needsCode) {
    const v = await import('../ops/data/verifiers.ts');
    if (config.domain === 'math' && config.answerCheck === 'math-verifier') deps.answerChecker = v.mathAnswerChecker;
    if (needsCode) {
      // Programs run in child processes: a mutant that exhausts memory can kill its host.
      const { ProcessCodeRunner } = await import('../ops/data/process-runner.ts');
      const runner = new ProcessCodeRunner(config.codeChecks?.concurrency ?? 2, config.codeChecks?.perTestMs ?? 1000);
      deps.codeRunner = runner;
      closers.push(() => runner.close());
    }
    if (config.difficulty) {
      const s = config.difficulty.solver;
      if (s.kind === 'policy') {
        const { GeneratorSampler } = await import('../ops/data/policy-sampler.ts');
        const sampler = await GeneratorSampler.open(resolve(s.checkpoint));
        closers.push(() => sampler.close());
        deps.solver = new v.PolicySolver(sampler, deps.codeRunner);
      } else {
        const { readRawRows } = await import('../ops/data/read.ts');
        const attempts = readRawRows(resolve(s.file)).flatMap((r) => (r.value ? [r.value as import('../ops/data/verifiers.ts').Attempts] : []));
        deps.solver = new v.RecordedSolver(`recorded:${s.file}`, attempts, deps.codeRunner);
      }
    }
  }
  try {
    const result = await curate(config, deps);
    const paths = writeOutputs(result, outDir ?? config.outDir);
    process.stdout.write(summarize(result.report));
    process.stdout.write(`\nwrote ${paths.tasks}\n      ${paths.report}\n      ${paths.summary}\n`);
    return 0;
  } finally {
    for (const close of closers) await close();
  }
}
