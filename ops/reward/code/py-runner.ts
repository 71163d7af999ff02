// Runs Python programs in a bubblewrap sandbox driven by py-zygote.py: one long-lived
// sandbox (PID 1 = the zygote) per worker, one fresh forked process per program (per test
// for stdio). The host keeps a wall-clock watchdog on every job; a sandbox that dies or
// hangs is killed and restarted. Not a general process manager: one job at a time.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { exactJsonEqual, outputsMatch, parseExactJson, toExactJson } from './compare.ts';
import { excerpt, CodeVerifierError, type CodeLimits, type CodeTests, type FailureReason, type FirstFailure, type RunResult } from './types.ts';

// The SortedList module is registered first, so forked children find `sortedcontainers`.
const ZYGOTE_SOURCE = [
  readFileSync(new URL('./py-sortedlist.py', import.meta.url), 'utf8'),
  readFileSync(new URL('./py-zygote.py', import.meta.url), 'utf8'),
].join('\n');
const MiB = 1024 * 1024;
/** Host-side grace beyond the zygote's own deadlines before the sandbox is declared hung, ms. */
const WATCHDOG_GRACE_MS = 3000;
const READY_TIMEOUT_MS = 10_000;

export type SandboxPaths = {
  /** bubblewrap binary (default /usr/bin/bwrap). */
  bwrap: string;
  /** prlimit binary (default /usr/bin/prlimit). */
  prlimit: string;
  /** Python inside the sandbox (default /usr/bin/python3, the system Python). */
  python: string;
  /** setpriv, used to drop to nobody when the host runs as root (RLIMIT_NPROC does not bind root). */
  setpriv: string;
};
export const DEFAULT_SANDBOX_PATHS: SandboxPaths = {
  bwrap: '/usr/bin/bwrap',
  prlimit: '/usr/bin/prlimit',
  python: '/usr/bin/python3',
  setpriv: '/usr/bin/setpriv',
};

/** The sandbox command line: [setpriv →] prlimit → bwrap → python3 -I -c ZYGOTE. */
export function sandboxCommand(limits: CodeLimits, paths: SandboxPaths = DEFAULT_SANDBOX_PATHS): string[] {
  const asRoot = process.getuid?.() === 0;
  return [
    ...(asRoot ? [paths.setpriv, '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : []),
    paths.prlimit,
    `--as=${limits.pyMemoryMb * MiB}`,
    `--fsize=${limits.fileBytes}`,
    '--nproc=4096', // bound of the whole uid; the per-sandbox bound is the child's RLIMIT_NPROC
    '--core=0',
    '--nofile=256',
    '--',
    paths.bwrap,
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    '--symlink', 'usr/bin', '/bin',
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', String(limits.tmpBytes), '--tmpfs', '/tmp',
    '--size', String(limits.tmpBytes), '--tmpfs', '/dev/shm',
    '--unshare-all', '--unshare-user', '--disable-userns',
    '--die-with-parent', '--new-session', '--as-pid-1',
    '--clearenv', '--setenv', 'PATH', '/usr/bin', '--setenv', 'LANG', 'C.UTF-8', '--setenv', 'HOME', '/tmp',
    // glibc reserves 64 MiB of address space per thread arena; under RLIMIT_AS that would cap threads
    '--setenv', 'MALLOC_ARENA_MAX', '2',
    '--chdir', '/tmp',
    paths.python, '-I', '-c', ZYGOTE_SOURCE,
  ];
}

/** Why the sandbox cannot work here, or null (one probe run, a few tens of ms). */
export function sandboxProblem(paths: SandboxPaths = DEFAULT_SANDBOX_PATHS): string | null {
  const limits = { pyMemoryMb: 1024, fileBytes: MiB, tmpBytes: MiB } as CodeLimits;
  const cmd = sandboxCommand(limits, paths);
  const i = cmd.indexOf('-c');
  cmd.splice(i + 1, 1, 'print(6*7)');
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 10_000, env: {} });
  if (r.error) return `${cmd[0]}: ${r.error.message}`;
  if (r.stdout.trim() !== '42') return `sandbox probe failed (exit ${r.status}): ${r.stderr.trim().slice(0, 300)}`;
  return null;
}

type Job = {
  mode: 'stdio' | 'function' | 'assert';
  code: string;
  input?: string;
  prelude?: string;
  setup?: string;
  fnName?: string;
  cases?: string[];
};
type ZygoteEvent =
  | { ev: 'ok'; i: number; json?: string }
  | { ev: 'fail'; i: number; reason: FailureReason; detail: string }
  | { ev: 'infra'; detail: string };
export type ZygoteResult = {
  id: number;
  killed: 'time_limit' | 'output_limit' | null;
  current: number;
  exit: number;
  cpuMs: number;
  wallMs: number;
  events: ZygoteEvent[];
  stderr: string;
  stdout?: string;
  fatal?: string;
};
type Exec = { ok: true; result: ZygoteResult } | { ok: false; why: 'died' | 'hung'; detail: string };

/** One sandbox: a bwrap'ed zygote process and its line protocol. */
export class PySandbox {
  private proc: ChildProcessWithoutNullStreams | null = null;
  private ready: Promise<void> | null = null;
  private lineBuf = '';
  private waiter: ((line: string | null) => void) | null = null;
  private nextId = 1;
  private closed = false;
  /** Sandboxes launched so far (1 + restarts). */
  launches = 0;

  constructor(
    private readonly limits: CodeLimits,
    private readonly paths: SandboxPaths = DEFAULT_SANDBOX_PATHS,
  ) {}

  private start(): Promise<void> {
    const cmd = sandboxCommand(this.limits, this.paths);
    const proc = spawn(cmd[0], cmd.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
    this.proc = proc;
    this.launches++;
    this.lineBuf = '';
    proc.stdout.setEncoding('utf8');
    // Events of a sandbox already replaced (killed after a hang) are ignored.
    proc.stdout.on('data', (chunk: string) => {
      if (this.proc !== proc) return;
      this.lineBuf += chunk;
      let nl: number;
      while ((nl = this.lineBuf.indexOf('\n')) >= 0) {
        const line = this.lineBuf.slice(0, nl);
        this.lineBuf = this.lineBuf.slice(nl + 1);
        const w = this.waiter;
        this.waiter = null;
        w?.(line);
      }
    });
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
    proc.stdin.on('error', () => {}); // EPIPE when the sandbox died; the exit handler reports it
    proc.on('exit', () => {
      if (this.proc !== proc) return;
      this.proc = null;
      this.ready = null;
      const w = this.waiter;
      this.waiter = null;
      w?.(null);
    });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new CodeVerifierError('sandbox_unavailable', `python sandbox not ready in ${READY_TIMEOUT_MS} ms: ${stderr}`));
      }, READY_TIMEOUT_MS);
      this.waiter = (line) => {
        clearTimeout(timer);
        if (line !== null && line.includes('"ready"')) resolve();
        else reject(new CodeVerifierError('sandbox_unavailable', `python sandbox failed to start: ${stderr.trim() || line}`));
      };
    });
  }

  private kill(): void {
    const p = this.proc;
    this.proc = null;
    this.ready = null;
    if (p && p.exitCode === null) p.kill('SIGKILL');
  }

  /** Starts the sandbox now instead of at the first program (tens of ms). Throws CodeVerifierError when it cannot start. */
  async warmUp(): Promise<void> {
    if (this.closed) throw new CodeVerifierError('closed', 'python sandbox closed');
    if (!this.proc || !this.ready) this.ready = this.start();
    try {
      await this.ready;
    } catch (e) {
      this.ready = null;
      throw e;
    }
  }

  /** Runs one job; a dead or hung sandbox is killed (and restarted on the next call). */
  private async exec(job: Job, budgetMs: number): Promise<Exec> {
    await this.warmUp();
    const proc = this.proc as ChildProcessWithoutNullStreams;
    const id = this.nextId++;
    const l = this.limits;
    const msg = { id, ...job, perTestMs: l.perTestMs, totalMs: Math.max(1, Math.floor(budgetMs)), memoryMb: l.pyMemoryMb, outputBytes: l.outputBytes, maxProcs: l.maxProcs, fileBytes: l.fileBytes };
    return new Promise<Exec>((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        this.kill();
        resolve({ ok: false, why: 'hung', detail: 'sandbox did not answer in time' });
      }, budgetMs + WATCHDOG_GRACE_MS);
      this.waiter = (line) => {
        clearTimeout(timer);
        if (line === null) {
          this.kill();
          resolve({ ok: false, why: 'died', detail: 'sandbox exited during the run' });
          return;
        }
        const result = JSON.parse(line) as ZygoteResult;
        if (result.fatal) {
          this.kill();
          resolve({ ok: false, why: 'died', detail: `zygote: ${result.fatal}` });
        } else resolve({ ok: true, result });
      };
      proc.stdin.write(JSON.stringify(msg) + '\n');
    });
  }

  /** Runs a job, retrying once in a fresh sandbox when the sandbox dies (to tell program from infrastructure). */
  private async execRetry(job: Job, budgetMs: number): Promise<Exec> {
    const first = await this.exec(job, budgetMs);
    if (first.ok) return first;
    return this.exec(job, budgetMs);
  }

  async run(code: string, tests: CodeTests): Promise<RunResult> {
    const total = tests.cases.length;
    const start = performance.now();
    const remaining = () => this.limits.totalMs - (performance.now() - start);
    if (tests.format === 'stdio') {
      for (let i = 0; i < total; i++) {
        const budget = remaining();
        if (budget <= 0) return fail(total, i, { reason: 'time_limit', detail: 'total time limit exceeded' });
        const x = await this.execRetry({ mode: 'stdio', code, input: tests.cases[i].input }, budget);
        if (!x.ok) return deadSandbox(total, i, x);
        const r = x.result;
        const expected = excerpt(tests.cases[i].output);
        const f = processFailure(r, budget);
        if (f) return fail(total, i, { ...f, expected });
        if (r.exit !== 0) return fail(total, i, { reason: 'runtime_error', detail: `exit code ${r.exit}: ${lastLine(r.stderr)}`, expected });
        const out = r.stdout ?? '';
        if (!outputsMatch(tests.cases[i].output, out)) return fail(total, i, { reason: 'wrong_answer', expected, actual: excerpt(out) });
      }
      return { passed: total, total, firstFailure: null };
    }
    const job: Job =
      tests.format === 'assert'
        ? { mode: 'assert', code, prelude: tests.prelude, setup: tests.setup, cases: tests.cases }
        : { mode: 'function', code, prelude: tests.prelude, fnName: tests.fnName, cases: tests.cases.map((c) => JSON.stringify(c.args)) };
    const x = await this.execRetry(job, this.limits.totalMs);
    if (!x.ok) return deadSandbox(total, 0, x);
    const r = x.result;
    let passed = 0;
    for (const ev of r.events) {
      if (ev.ev === 'infra') return { passed: 0, total, firstFailure: null, infraError: { kind: 'error', reason: ev.detail } };
      if (ev.ev === 'fail') return fail(total, ev.i, { reason: ev.reason, detail: ev.detail, expected: expectedOf(tests, ev.i) }, passed);
      if (tests.format === 'function') {
        const c = tests.cases[ev.i];
        const actual = ev.json as string;
        if (!exactJsonEqual(parseExactJson(actual), toExactJson(c.expected))) {
          return fail(total, ev.i, { reason: 'wrong_answer', expected: expectedOf(tests, ev.i), actual: excerpt(actual) }, passed);
        }
      }
      passed++;
    }
    if (passed === total && r.exit === 0 && !r.killed) return { passed, total, firstFailure: null };
    const f = processFailure(r, this.limits.totalMs) ?? { reason: 'runtime_error' as const, detail: `harness exited with ${r.exit}: ${lastLine(r.stderr)}` };
    return fail(total, Math.min(r.current, total - 1), { ...f, expected: expectedOf(tests, r.current) }, passed);
  }

  close(): void {
    this.closed = true;
    this.kill();
  }
}

function expectedOf(tests: CodeTests, i: number): string | undefined {
  if (i >= tests.cases.length) return undefined;
  if (tests.format === 'assert') return excerpt(tests.cases[i]);
  if (tests.format === 'function') return excerpt(JSON.stringify(tests.cases[i].expected) ?? 'undefined');
  return excerpt(tests.cases[i].output);
}

function fail(total: number, test: number, f: Omit<FirstFailure, 'test'>, passed = test): RunResult {
  return { passed, total, firstFailure: { test, ...f } };
}

const EXIT_MEMORY = 120;
const EXIT_COMPILE = 121;
const SIGNALS: Record<number, string> = { 6: 'SIGABRT', 7: 'SIGBUS', 9: 'SIGKILL', 11: 'SIGSEGV', 24: 'SIGXCPU', 25: 'SIGXFSZ' };

/** Limits and crashes seen by the zygote (null when the process ended on its own). */
function processFailure(r: ZygoteResult, budgetMs: number): Omit<FirstFailure, 'test'> | null {
  if (r.killed === 'time_limit') return { reason: 'time_limit', detail: `wall-clock limit (${Math.round(Math.min(budgetMs, r.wallMs))} ms)` };
  if (r.killed === 'output_limit') return { reason: 'runtime_error', detail: 'output limit exceeded' };
  if (r.exit === -24) return { reason: 'time_limit', detail: `CPU time limit (${Math.round(r.cpuMs)} ms CPU)` };
  if (r.exit === EXIT_MEMORY) return { reason: 'memory_limit', detail: 'MemoryError (address-space limit)' };
  if (r.exit === EXIT_COMPILE) return { reason: 'compile_error', detail: lastLine(r.stderr) };
  if (r.exit < 0) return { reason: 'runtime_error', detail: `killed by ${SIGNALS[-r.exit] ?? `signal ${-r.exit}`}` };
  return null;
}

function deadSandbox(total: number, test: number, x: { why: 'died' | 'hung'; detail: string }): RunResult {
  // A zygote that misses its own deadlines twice is starved or broken: the run is unscorable.
  if (x.why === 'hung') return { passed: test, total, firstFailure: null, infraError: { kind: 'timeout', reason: x.detail } };
  // Died twice in a row, on fresh sandboxes: the program takes its sandbox down.
  return fail(total, test, { reason: 'runtime_error', detail: x.detail });
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
