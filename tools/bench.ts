// `ace bench NAME [flags]`: runs bench/NAME.ts. Each bench prints progress and figures on
// stderr/stdout and, with --json, one JSON object as its last stdout line.
import { type GroupEntry, runGroup } from './command.ts';

export const BENCHES: Record<string, GroupEntry> = {
  backbone: { load: () => import('../bench/backbone.ts'), summary: 'message rate, latency per hop, scaling and memory of the stream backbone; --cluster: a 3-node R3 cluster against one server' },
  learner: { load: () => import('../bench/learner.ts'), summary: 'learner micro-batch throughput against the machine\'s sgemm peak' },
  generator: { load: () => import('../bench/generator.ts'), summary: 'sampling tokens/s by batch size' },
  'math-verifier': { load: () => import('../bench/math-verifier.ts'), summary: 'math verifier cases/s and latency' },
  'code-verifier': { load: () => import('../bench/code-verifier.ts'), summary: 'code verifier programs/s and sandbox overhead' },
  loop: { load: () => import('../bench/loop.ts'), summary: 'the streamed RL step against the same step run stage after stage' },
  curate: { load: () => import('../bench/curate.ts'), summary: 'decontamination throughput of the curation pipeline' },
  'rl-pool': { load: () => import('../bench/rl-pool.ts'), summary: 'level make-up of the RL math pool, SFT set and held-out suites; per-level reward of checkpoints on the pool' },
};

export const run = (argv: string[]) => runGroup('bench', 'Run a benchmark; the last stdout line is one JSON object with --json.', BENCHES, argv);
