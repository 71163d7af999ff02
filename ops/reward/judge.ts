// RolloutJudge: the one place that judges a rollout, used by the verifier actor and by
// `ace reverify`, so that with the same settings both reach the same verdict. Math goes to the
// worker-thread pool (started up front when the judge is for math, else at the first math
// rollout), code to the sandbox pool (started at the first code rollout); the result is the verdict's outcome and reward. Not the verifier's wiring (consuming,
// publishing), and no test or bench knobs: those wrap judge() from outside (actors/fault.ts).
import { z } from 'zod';
import type { Domain } from '../../contracts/common.ts';
import type { Outcome, Reward } from '../../contracts/verdict.ts';
import { CodeVerifierPool } from './code/pool.ts';
import { MathVerifierPool } from './math/pool.ts';

export const JudgeSettings = z.strictObject({
  /** Math worker threads in this process (each one core). Default 1. */
  mathWorkers: z.int().min(1).max(64).default(1),
  /** Hard deadline per math case, ms, enforced by terminating the worker. Default 2000. */
  mathDeadlineMs: z.int().min(10).default(2000),
  /** JavaScript isolates for code rollouts. Default 1. */
  codeJsWorkers: z.int().min(1).max(64).default(1),
  /** Python sandboxes for code rollouts. Default 1. */
  codePyWorkers: z.int().min(1).max(64).default(1),
});
export type JudgeSettings = z.infer<typeof JudgeSettings>;

/** The settings each domain's pool is built from (the rest do not touch that domain's verdicts). */
export const JUDGE_SETTINGS_OF = {
  math: ['mathWorkers', 'mathDeadlineMs'],
  code: ['codeJsWorkers', 'codePyWorkers'],
} as const satisfies Record<Domain, readonly (keyof JudgeSettings)[]>;

/** What judging needs from a rollout. */
export interface JudgeInput {
  domain: Domain;
  /** Math: the gold answer. */
  gold?: string;
  /** Code: the tests, in one of the CodeTests formats (validated by the code pool). */
  tests?: unknown;
  response: string;
}

export interface Judgement {
  outcome: Outcome;
  reward: Reward;
}

export class RolloutJudge {
  private math: MathVerifierPool | null = null;
  private code: CodeVerifierPool | null = null;

  /** `domains`: what this judge is for; a code-only judge starts no math workers. */
  constructor(
    private readonly settings: JudgeSettings,
    domains: readonly Domain[] = ['math', 'code'],
  ) {
    if (domains.includes('math')) this.math = this.mathPool();
  }

  /** Resolves once the math workers (if started) have loaded; rejects when they cannot start. */
  async ready(): Promise<void> {
    await this.math?.ready();
  }

  /** The domains whose pools run now (logged by the verifier at start). */
  started(): Domain[] {
    return [...(this.math ? (['math'] as const) : []), ...(this.code ? (['code'] as const) : [])];
  }

  private mathPool(): MathVerifierPool {
    return new MathVerifierPool({ workers: this.settings.mathWorkers, deadlineMs: this.settings.mathDeadlineMs });
  }

  /** Never rejects: a bad response, bad tests or a broken sandbox are outcomes. */
  async judge(r: JudgeInput): Promise<Judgement> {
    if (r.domain === 'math') {
      this.math ??= this.mathPool();
      const v = await this.math.verify({ gold: r.gold ?? '', response: r.response });
      return { outcome: { kind: v.kind, reason: v.reason, rule: v.rule, detail: { gold: v.gold, pred: v.pred } }, reward: v.reward };
    }
    this.code ??= new CodeVerifierPool({ jsWorkers: this.settings.codeJsWorkers, pyWorkers: this.settings.codePyWorkers });
    const v = await this.code.verify({ response: r.response, tests: r.tests });
    const reason = v.reason ?? (v.firstFailure ? `test ${v.firstFailure.test}: ${v.firstFailure.reason}` : `passed ${v.passed}/${v.total}`);
    return { outcome: { kind: v.kind, reason, detail: { passed: v.passed, total: v.total, firstFailure: v.firstFailure } }, reward: v.reward };
  }

  async close(): Promise<void> {
    await this.math?.close();
    await this.code?.close();
  }
}
