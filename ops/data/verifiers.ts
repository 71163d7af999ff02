// Adapters from the project's verifiers to the small interfaces curation runs against:
// AnswerChecker (gold answers the math verifier can parse), CodeRunner (the code
// verifier pool), and Solvers for the difficulty stage that judge recorded attempts
// (candidate answers or full responses per task) with the real verifiers. The policy
// solver (generator + verifier on a checkpoint) is PolicySolver over a Sampler.
import { canParseAnswer, judgeInput, judgeMath } from '../reward/math/judge.ts';
import { extractCode } from '../reward/code/extract.ts';
import { CodeVerifierPool, type CodeVerifierPoolOptions } from '../reward/code/pool.ts';
import type { CodeRunner, RunVerdict } from './code-checks.ts';
import { mapLimit } from './code-checks.ts';
import type { Solver } from './difficulty.ts';
import type { AnswerChecker } from './filters.ts';
import type { Problem } from './task.ts';
import { CodedError } from '../errors.ts';

export const mathAnswerChecker: AnswerChecker = { canParse: (latex) => canParseAnswer(latex) };

/** CodeRunner over a CodeVerifierPool; close() releases its isolates and sandboxes. */
export class PoolCodeRunner implements CodeRunner {
  private readonly pool: CodeVerifierPool;
  constructor(opts: CodeVerifierPoolOptions = {}) {
    this.pool = new CodeVerifierPool(opts);
  }
  async run(input: { language: string; code: string; tests: unknown }): Promise<RunVerdict> {
    const v = await this.pool.verify(input);
    const detail = v.reason ?? (v.firstFailure ? `test ${v.firstFailure.test}: ${v.firstFailure.reason}${v.firstFailure.detail ? ` (${v.firstFailure.detail})` : ''}` : undefined);
    return { kind: v.kind, passed: v.passed, total: v.total, ...(detail !== undefined ? { detail } : {}) };
  }
  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Recorded attempts for one task: bare final answers (math), or full responses. */
export type Attempts = { taskId: string; answers?: string[]; responses?: string[] };

export class SolverError extends CodedError<'missing-attempts' | 'too-few-attempts'> {}

function attemptsFor(byId: ReadonlyMap<string, Attempts>, p: Problem, k: number): { kind: 'answers' | 'responses'; items: string[] } {
  const a = byId.get(p.id);
  if (!a) throw new SolverError('missing-attempts', `no recorded attempts for ${p.id}`);
  const kind = a.answers ? 'answers' : 'responses';
  const items = a.answers ?? a.responses ?? [];
  if (items.length < k) throw new SolverError('too-few-attempts', `${p.id} has ${items.length} recorded attempts, k = ${k}`);
  return { kind, items: items.slice(0, k) };
}

/**
 * Judges the first k recorded attempts of each problem with the real verifiers: math
 * answers/responses with judgeMath against the gold answer, code responses with the
 * CodeRunner against the tests. An attempt counts when its verdict is `correct`.
 */
export class RecordedSolver implements Solver {
  private readonly byId: Map<string, Attempts>;
  constructor(
    readonly name: string,
    attempts: readonly Attempts[],
    private readonly codeRunner?: CodeRunner,
  ) {
    this.byId = new Map(attempts.map((a) => [a.taskId, a]));
  }

  async solve(problems: readonly Problem[], k: number): Promise<number[]> {
    return mapLimit(problems, 4, async (p) => {
      const { kind, items } = attemptsFor(this.byId, p, k);
      let solved = 0;
      for (const item of items) {
        if (p.domain === 'math') {
          const j = kind === 'answers' ? judgeMath(p.answer!, item) : judgeInput({ gold: p.answer!, response: item });
          if (j.kind === 'correct') solved++;
        } else {
          if (!this.codeRunner) throw new SolverError('missing-attempts', 'code attempts need a CodeRunner');
          // 'answers' are bare programs; a response's program is its last fenced block after </think>.
          const x = kind === 'answers' ? { ok: true as const, code: item } : extractCode(item);
          if (!x.ok) continue;
          const v = await this.codeRunner.run({ language: p.language ?? 'javascript', code: x.code, tests: p.tests });
          if (v.kind === 'correct') solved++;
        }
      }
      return solved;
    });
  }
}

/** What the difficulty stage needs from a policy: n sampled responses per prompt. */
export interface Sampler {
  readonly name: string;
  sample(prompts: readonly string[], n: number): Promise<string[][]>;
}

/** k samples per problem from a policy, each judged by the verifiers (the paper's setup). */
export class PolicySolver implements Solver {
  readonly name: string;
  constructor(
    private readonly sampler: Sampler,
    private readonly codeRunner?: CodeRunner,
  ) {
    this.name = `policy:${sampler.name}`;
  }

  async solve(problems: readonly Problem[], k: number): Promise<number[]> {
    const samples = await this.sampler.sample(problems.map((p) => p.prompt), k);
    const recorded = new RecordedSolver(this.name, problems.map((p, i) => ({ taskId: p.id, responses: samples[i] })), this.codeRunner);
    return recorded.solve(problems, k);
  }
}
