// CodeVerifierPool: the code reward's entry point. Extracts the program, validates the tests,
// and runs programs in parallel on JavaScript isolates and Python sandboxes behind a bounded
// queue. Every input gets a CodeVerdict (data); nothing throws for a bad program or bad input.
// JavaScript runs in child processes (js-process.ts), so that no program can abort this one.
// Not a scheduler across machines: one pool per process; scale by adding verifier actors.
import { availableParallelism } from 'node:os';
import { rewardOf, type OutcomeKind } from '../../../contracts/outcome.ts';
import { extractCode, normalizeLanguage } from './extract.ts';
import { JsProcessRunner } from './js-process.ts';
import { DEFAULT_SANDBOX_PATHS, PySandbox, type SandboxPaths } from './py-runner.ts';
import { CodeLimits, CodeTests, type CodeLimitsInput, type CodeVerdict, type FirstFailure, type Language, type RunResult } from './types.ts';

export type CodeVerifierPoolOptions = CodeLimitsInput & {
  /** Concurrent JavaScript programs (child processes, one isolate each), default: the machine's parallelism. */
  jsWorkers?: number;
  /** Concurrent Python programs (sandboxes), default: the machine's parallelism. */
  pyWorkers?: number;
  /** Programs allowed to wait for a worker; one more is answered `error` ('queue full'). Default 1024. */
  queueLimit?: number;
  /** Binaries of the Python sandbox. */
  sandboxPaths?: Partial<SandboxPaths>;
};

export type VerifyInput = {
  /** Language of `code` (or of an untagged block in `response`): javascript/js/python/py. */
  language?: string;
  /** The program itself. */
  code?: string;
  /** A full model response; the program is its last fenced block after `</think>`. */
  response?: string;
  /** Tests in one of the CodeTests formats (validated here). */
  tests: unknown;
};

type Runner = { run(code: string, tests: CodeTests): Promise<RunResult> };
type Lane = { free: Runner[]; waiting: ((r: Runner | null) => void)[]; all: Runner[] };

export class CodeVerifierPool {
  readonly limits: CodeLimits;
  private readonly lanes: Record<Language, Lane>;
  private readonly queueLimit: number;
  private closed = false;
  private readonly js: JsProcessRunner[];
  private readonly py: PySandbox[];

  constructor(opts: CodeVerifierPoolOptions = {}) {
    const { jsWorkers, pyWorkers, queueLimit, sandboxPaths, ...limits } = opts;
    this.limits = CodeLimits.parse(limits);
    const n = availableParallelism();
    this.js = Array.from({ length: jsWorkers ?? n }, () => new JsProcessRunner(this.limits));
    const paths = { ...DEFAULT_SANDBOX_PATHS, ...sandboxPaths };
    this.py = Array.from({ length: pyWorkers ?? n }, () => new PySandbox(this.limits, paths));
    this.lanes = {
      javascript: { free: [...this.js], waiting: [], all: this.js },
      python: { free: [...this.py], waiting: [], all: this.py },
    };
    this.queueLimit = queueLimit ?? 1024;
  }

  /** Programs waiting for a worker, per language. */
  queued(): Record<Language, number> {
    return { javascript: this.lanes.javascript.waiting.length, python: this.lanes.python.waiting.length };
  }

  /** Isolates created, JavaScript child processes and sandboxes launched so far (replacements after limits and crashes show here). */
  stats(): { isolatesCreated: number; jsProcessLaunches: number; jsProcessCrashes: number; sandboxLaunches: number } {
    return {
      isolatesCreated: this.js.reduce((s, r) => s + r.isolatesCreated, 0),
      jsProcessLaunches: this.js.reduce((s, r) => s + r.launches, 0),
      jsProcessCrashes: this.js.reduce((s, r) => s + r.crashes, 0),
      sandboxLaunches: this.py.reduce((s, r) => s + r.launches, 0),
    };
  }

  /**
   * Starts every JavaScript process and Python sandbox now, so that the first programs do not
   * pay for it. Returns null, or why one cannot run here (its programs would then get `error`).
   */
  async warmUp(): Promise<string | null> {
    try {
      await Promise.all([...this.js.map((r) => r.warmUp()), ...this.py.map((s) => s.warmUp())]);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  async verify(input: VerifyInput): Promise<CodeVerdict> {
    const t0 = performance.now();
    const verdict = (kind: OutcomeKind, rest: Partial<CodeVerdict>, queueMs = 0): CodeVerdict => {
      const totalMs = performance.now() - t0;
      return {
        kind,
        reward: rewardOf(kind),
        language: null,
        passed: 0,
        total: 0,
        firstFailure: null,
        ...rest,
        timings: { queueMs: round(queueMs), runMs: round(totalMs - queueMs), totalMs: round(totalMs) },
      };
    };
    const parsed = CodeTests.safeParse(input.tests);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return verdict('error', { reason: `${['tests', ...issue.path].join('.')}: ${issue.message}` });
    }
    const tests = parsed.data;
    const total = tests.cases.length;
    let code: string;
    let language: Language | null = normalizeLanguage(input.language);
    if (typeof input.code === 'string') {
      code = input.code;
    } else if (typeof input.response === 'string') {
      const x = extractCode(input.response);
      if (!x.ok) return verdict('unparseable', { total, reason: x.reason });
      code = x.code;
      language = x.language ?? language;
    } else {
      return verdict('error', { total, reason: 'input has neither code nor response' });
    }
    if (tests.format === 'assert' && tests.language) language ??= tests.language;
    if (language === null) return verdict('unparseable', { total, reason: `unknown language '${input.language ?? ''}'` });
    if (tests.format === 'assert' && tests.language && tests.language !== language) {
      const firstFailure: FirstFailure = { test: 0, reason: 'compile_error', detail: `tests are ${tests.language}, the program is ${language}` };
      return verdict('wrong', { language, total, firstFailure });
    }
    if (this.closed) return verdict('error', { language, total, reason: 'verifier closed' });
    const lane = this.lanes[language];
    if (lane.all.length === 0) return verdict('error', { language, total, reason: `no ${language} workers configured` });
    let runner = lane.free.pop() ?? null;
    if (!runner) {
      if (this.queued().javascript + this.queued().python >= this.queueLimit) {
        return verdict('error', { language, total, reason: `queue full (${this.queueLimit} waiting)` });
      }
      runner = await new Promise<Runner | null>((resolve) => lane.waiting.push(resolve));
      if (!runner) return verdict('error', { language, total, reason: 'verifier closed' });
    }
    const queueMs = performance.now() - t0;
    let r: RunResult;
    try {
      r = await runner.run(code, tests);
    } catch (e) {
      return verdict('error', { language, total, reason: `verifier fault: ${(e as Error).message}` }, queueMs);
    } finally {
      this.release(lane, runner);
    }
    if (this.closed) return verdict('error', { language, total, reason: 'verifier closed during the run' }, queueMs);
    if (r.infraError) return verdict(r.infraError.kind, { language, total, passed: r.passed, reason: r.infraError.reason }, queueMs);
    const kind: OutcomeKind = r.firstFailure === null && r.passed === r.total ? 'correct' : 'wrong';
    // A program that needs a built-in the sandbox lacks is still wrong here (reward 0: it did
    // not pass), but says so: the reason names the module, apart from its own errors.
    const f = r.firstFailure;
    const reason = f?.reason === 'unsupported_module' ? `test ${f.test}: unsupported module '${f.module ?? '?'}': ${f.detail ?? ''}` : undefined;
    return verdict(kind, { language, total: r.total, passed: r.passed, firstFailure: r.firstFailure, ...(reason !== undefined ? { reason } : {}) }, queueMs);
  }

  private release(lane: Lane, runner: Runner): void {
    const next = lane.waiting.shift();
    if (next && !this.closed) next(runner);
    else lane.free.push(runner);
  }

  /** Stops taking work, answers waiting programs with `error`, kills the JavaScript processes and sandboxes. */
  async close(): Promise<void> {
    this.closed = true;
    for (const lane of Object.values(this.lanes)) for (const w of lane.waiting.splice(0)) w(null);
    for (const s of this.py) s.close();
    await Promise.all(this.js.map((r) => r.close()));
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
