// Runs one JavaScript program against its tests in an isolated-vm isolate: a fresh context
// per program (per test for stdio), the shim from js-shim.ts, per-test and total wall-clock
// limits, a heap limit. An isolate that hit a limit is disposed and replaced on next use.
// The pool runs it in a child process (js-process.ts): isolated-vm aborts the whole process
// on some out-of-memory paths (a huge array fill, Map/Set growth) instead of throwing.
// Not a Node emulator: only the in-isolate modules of js-shim.ts exist, nothing of the host; a
// failure that is the shim's "not available in the sandbox" error is reported as
// unsupported_module with the module's name, not as the program's runtime error.
import ivm from 'isolated-vm';
import { exactJsonEqual, outputsMatch, parseExactJson, toExactJson } from './compare.ts';
import { jsShimSource } from './js-shim.ts';
import { excerpt, type CodeLimits, type CodeTests, type FailureReason, type FirstFailure, type RunResult } from './types.ts';

const TIMED_OUT = 'Script execution timed out.';

type Step = { ok: true; value: unknown } | { ok: false; reason: FailureReason; detail: string };

/** Accessor source for a validated entry name: `f`, `a.b`, or `C().m` (new C, bound m). */
export function jsEntryGetter(fnName: string): string {
  const m = /^([A-Za-z_$][\w$]*)\(\)\.(.+)$/.exec(fnName);
  if (m) return `() => { const o = new ${m[1]}(); return o.${m[2]}.bind(o); }`;
  const dot = fnName.lastIndexOf('.');
  if (dot < 0) return `() => ${fnName}`;
  return `() => ${fnName}.bind(${fnName.slice(0, dot)})`;
}

export class JsRunner {
  private isolate: ivm.Isolate | null = null;
  private shim: ivm.Script | null = null;
  /** Isolates created so far (1 + replacements after a limit was hit). */
  isolatesCreated = 0;

  constructor(private readonly limits: CodeLimits) {}

  private ensureIsolate(): ivm.Isolate {
    if (this.isolate && !this.isolate.isDisposed) return this.isolate;
    this.isolate = new ivm.Isolate({ memoryLimit: this.limits.jsMemoryMb });
    this.shim = this.isolate.compileScriptSync(jsShimSource(this.limits.outputBytes), { filename: 'ace-shim.js' });
    this.isolatesCreated++;
    return this.isolate;
  }

  /** Disposes the isolate (after a limit, or at close); the next run creates a new one. */
  reset(): void {
    if (this.isolate && !this.isolate.isDisposed) this.isolate.dispose();
    this.isolate = null;
    this.shim = null;
  }

  private async newContext(): Promise<ivm.Context> {
    const isolate = this.ensureIsolate();
    const ctx = await isolate.createContext();
    await (this.shim as ivm.Script).run(ctx);
    return ctx;
  }

  /**
   * Evaluates `src` (or runs a compiled script) with the time left until `deadline`; failures
   * become data. With `watchdog`, the call carries no timeout of its own: the caller's watchdog
   * disposes the isolate at the deadline and sets `expired`.
   */
  private async step(ctx: ivm.Context, what: string | ivm.Script, deadline: number, watchdog?: { expired: boolean }): Promise<Step> {
    const isolate = this.isolate as ivm.Isolate;
    const budgetMs = Math.floor(deadline - performance.now());
    if (budgetMs <= 0) return { ok: false, reason: 'time_limit', detail: 'time limit exceeded' };
    const t0 = performance.now();
    const timeout = watchdog ? undefined : budgetMs;
    try {
      // No `copy`: the harness returns primitives, and a test's own completion value (maybe a
      // function or a symbol, which cannot be copied) is not looked at.
      const value = typeof what === 'string' ? await ctx.eval(what, { timeout }) : await what.run(ctx, { timeout });
      return { ok: true, value };
    } catch (e) {
      const elapsed = performance.now() - t0;
      if (watchdog?.expired) return { ok: false, reason: 'time_limit', detail: 'time limit exceeded' };
      if (isolate.isDisposed) return { ok: false, reason: 'memory_limit', detail: 'isolate heap limit exceeded' };
      const message = errorMessage(e);
      if (message === TIMED_OUT && elapsed >= budgetMs * 0.9) return { ok: false, reason: 'time_limit', detail: `time limit exceeded (${budgetMs} ms)` };
      const exit = await this.exitCode(ctx);
      if (exit === 0) return { ok: true, value: undefined };
      if (exit > 0) return { ok: false, reason: 'runtime_error', detail: `process.exit(${exit})` };
      return { ok: false, reason: classify(e), detail: message };
    }
  }

  private async exitCode(ctx: ivm.Context): Promise<number> {
    try {
      return (await ctx.eval('__ace.exitCode()', { timeout: 1000, copy: true })) as number;
    } catch {
      return -1;
    }
  }

  /**
   * Runs timers until none is left; returns a failure or null. One tick per call, so that the
   * microtasks a callback queues run before the next timer fires, as in Node. The calls carry no
   * timeouts: isolated-vm arms a timer per timed call that lives until its due time, and the tens
   * of thousands a never-ending setInterval makes, all due at the deadline, crashed the process
   * (SIGSEGV, as in laverdet/isolated-vm#572). One watchdog disposes the isolate instead.
   */
  private async drainTimers(ctx: ivm.Context, deadline: number): Promise<Step | null> {
    const isolate = this.isolate as ivm.Isolate;
    const watchdog = { expired: false };
    const timer = setTimeout(() => {
      watchdog.expired = true;
      if (!isolate.isDisposed) isolate.dispose();
    }, Math.max(0, deadline - performance.now()));
    try {
      for (;;) {
        const s = await this.step(ctx, '__ace.tick()', deadline, watchdog);
        if (!s.ok) return s;
        if (s.value === 'idle') return null;
        if (s.value !== '') return errorStep(s.value as string);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async run(code: string, tests: CodeTests): Promise<RunResult> {
    const total = tests.cases.length;
    const start = performance.now();
    const programDeadline = start + this.limits.totalMs;
    const testDeadline = () => Math.min(performance.now() + this.limits.perTestMs, programDeadline);
    const isolate = this.ensureIsolate();
    let script: ivm.Script;
    try {
      script = await isolate.compileScript(code, { filename: 'solution.js' });
    } catch (e) {
      if (isolate.isDisposed) return this.fail(total, 0, 0, { reason: 'memory_limit', detail: 'heap limit while compiling' });
      return this.fail(total, 0, 0, { reason: 'compile_error', detail: errorMessage(e) });
    }
    try {
      if (tests.format === 'stdio') return await this.runStdio(script, tests.cases, testDeadline);
      return await this.runInContext(script, tests, testDeadline);
    } finally {
      script.release();
    }
  }

  private fail(total: number, passed: number, test: number, f: Omit<FirstFailure, 'test'>): RunResult {
    if (f.reason === 'time_limit' || f.reason === 'memory_limit') this.reset();
    return { passed, total, firstFailure: { test, ...f } };
  }

  /** fail(), after asking the context whether a runtime error is the shim's unsupported-module error. */
  private async failIn(ctx: ivm.Context, total: number, passed: number, test: number, f: Omit<FirstFailure, 'test'>): Promise<RunResult> {
    if (f.reason !== 'runtime_error' || f.detail === undefined || (this.isolate?.isDisposed ?? true)) return this.fail(total, passed, test, f);
    let hit: unknown = '';
    try {
      hit = await ctx.evalClosure('return __ace.unsupportedFor($0)', [f.detail], { arguments: { copy: true }, result: { copy: true }, timeout: 1000 });
    } catch {
      hit = '';
    }
    if (typeof hit !== 'string' || hit === '') return this.fail(total, passed, test, f);
    const nl = hit.indexOf('\n');
    const module = hit.slice(0, nl), what = hit.slice(nl + 1);
    return this.fail(total, passed, test, { ...f, reason: 'unsupported_module', module, detail: `${what} is not available in the sandbox (Node built-in module '${module}')` });
  }

  private async runStdio(script: ivm.Script, cases: { input: string; output: string }[], testDeadline: () => number): Promise<RunResult> {
    const total = cases.length;
    for (let i = 0; i < total; i++) {
      const deadline = testDeadline();
      const ctx = await this.newContext();
      try {
        await ctx.evalClosure('__ace.setInput($0)', [cases[i].input], { arguments: { copy: true } });
        let s = await this.step(ctx, script, deadline);
        if (s.ok) {
          const fed = await this.step(ctx, '__ace.feedStdin()', deadline);
          s = !fed.ok ? fed : fed.value !== '' ? errorStep(fed.value as string) : s;
        }
        if (s.ok) s = (await this.drainTimers(ctx, deadline)) ?? s;
        if (!s.ok && s.reason !== 'memory_limit' && (await this.overflowed(ctx))) s = { ok: false, reason: 'runtime_error', detail: 'output limit exceeded' };
        if (!s.ok) return await this.failIn(ctx, total, i, i, { reason: s.reason, detail: s.detail, expected: excerpt(cases[i].output) });
        const out = (await ctx.eval('__ace.output()', { copy: true })) as string;
        if (!outputsMatch(cases[i].output, out)) return this.fail(total, i, i, { reason: 'wrong_answer', expected: excerpt(cases[i].output), actual: excerpt(out) });
      } finally {
        if (!(this.isolate?.isDisposed ?? true)) ctx.release();
      }
    }
    return { passed: total, total, firstFailure: null };
  }

  private async overflowed(ctx: ivm.Context): Promise<boolean> {
    try {
      return (await ctx.eval('__ace.overflowed()', { timeout: 1000, copy: true })) as boolean;
    } catch {
      return false;
    }
  }

  private async runInContext(script: ivm.Script, tests: Exclude<CodeTests, { format: 'stdio' }>, testDeadline: () => number): Promise<RunResult> {
    const total = tests.cases.length;
    const ctx = await this.newContext();
    try {
      if (tests.prelude) {
        const p = await this.step(ctx, tests.prelude, testDeadline());
        if (!p.ok) return { passed: 0, total, firstFailure: null, infraError: { kind: 'error', reason: `test prelude failed: ${p.detail}` } };
      }
      const top = await this.step(ctx, script, testDeadline());
      if (!top.ok) return await this.failIn(ctx, total, 0, 0, { reason: top.reason, detail: top.detail });
      if (tests.format === 'assert') {
        if (tests.setup) {
          const s = await this.step(ctx, tests.setup, testDeadline());
          if (!s.ok) return await this.failIn(ctx, total, 0, 0, { reason: s.reason, detail: `test setup: ${s.detail}` });
        }
        for (let i = 0; i < total; i++) {
          const deadline = testDeadline();
          let s = await this.step(ctx, tests.cases[i], deadline);
          if (s.ok) s = (await this.drainTimers(ctx, deadline)) ?? s;
          if (!s.ok) return await this.failIn(ctx, total, i, i, { reason: s.reason, detail: s.detail, expected: excerpt(tests.cases[i]) });
        }
        return { passed: total, total, firstFailure: null };
      }
      const getter = jsEntryGetter(tests.fnName);
      for (let i = 0; i < total; i++) {
        const c = tests.cases[i];
        if (!Array.isArray(c.args)) return { passed: i, total, firstFailure: null, infraError: { kind: 'error', reason: 'keyword arguments are supported for Python only' } };
        const deadline = testDeadline();
        const expected = excerpt(JSON.stringify(c.expected) ?? 'undefined');
        let s = await this.step(ctx, `__ace.call(${getter}, ${JSON.stringify(JSON.stringify(c.args))})`, deadline);
        let res: { pending?: true; error?: { name: string; message: string }; json?: string } = { pending: true };
        while (s.ok) {
          const r = await this.step(ctx, '__ace.result()', deadline);
          if (!r.ok) { s = r; break; }
          res = JSON.parse(r.value as string);
          if (!res.pending) break;
          const t = await this.step(ctx, '__ace.tick()', deadline);
          if (!t.ok) { s = t; break; }
          if (t.value === 'idle') { s = { ok: false, reason: 'time_limit', detail: 'promise never settled' }; break; }
        }
        if (!s.ok) return await this.failIn(ctx, total, i, i, { reason: s.reason, detail: s.detail, expected });
        if (res.error) return await this.failIn(ctx, total, i, i, { reason: classifyInfo(res.error), detail: `${res.error.name}: ${res.error.message}`, expected });
        const actual = res.json as string;
        if (!exactJsonEqual(parseExactJson(actual), toExactJson(c.expected))) return this.fail(total, i, i, { reason: 'wrong_answer', expected, actual: excerpt(actual) });
      }
      return { passed: total, total, firstFailure: null };
    } finally {
      if (!(this.isolate?.isDisposed ?? true)) ctx.release();
    }
  }
}

function errorStep(infoJson: string): Step {
  const info = JSON.parse(infoJson) as { name: string; message: string };
  return { ok: false, reason: classifyInfo(info), detail: `${info.name}: ${info.message}` };
}

/** Thrown non-errors (HumanEval-style `throw 'msg'`) and AssertionError are wrong answers. */
function classifyInfo(info: { name: string }): FailureReason {
  return info.name === 'AssertionError' || info.name === 'Thrown' ? 'wrong_answer' : 'runtime_error';
}

/** Isolate errors arrive as copies; read them structurally, never with instanceof. */
function classify(e: unknown): FailureReason {
  if (e === null || typeof e !== 'object') return 'wrong_answer';
  const name = (e as { name?: unknown }).name;
  return name === 'AssertionError' ? 'wrong_answer' : 'runtime_error';
}

function errorMessage(e: unknown): string {
  try {
    if (e !== null && typeof e === 'object') {
      const { name, message } = e as { name?: unknown; message?: unknown };
      return `${typeof name === 'string' ? name : 'Error'}: ${String(message)}`.slice(0, 500).replace(/^Error: Script execution timed out\.$/, TIMED_OUT);
    }
    return String(e).slice(0, 500);
  } catch {
    return 'unprintable exception';
  }
}
