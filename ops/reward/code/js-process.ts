// Runs JavaScript programs through a long-lived child process (js-child.ts) that owns the
// isolated-vm runner, so that an isolate which aborts its process (isolated-vm does on some
// out-of-memory paths, whatever the heap limit) costs one verdict and a restart, never the
// pool's process. The host keeps a wall-clock watchdog on every job. One job at a time; not a
// queue: the pool hands each runner one program and waits for its answer.
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { CodeLimits, CodeTests, RunResult } from './types.ts';

export type ChildJob = { id: number; code: string; tests: CodeTests };
export type ChildReply =
  | { ready: true }
  | { id: number; result: RunResult; isolatesCreated: number }
  | { id: number; fault: string; isolatesCreated: number };

const CHILD = fileURLToPath(new URL('./js-child.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
/** Host-side grace beyond the runner's own total limit before the child is declared hung, ms. */
const WATCHDOG_GRACE_MS = 3000;
/** Starting node + tsx takes ~0.5 s idle; far more on a loaded machine. */
const READY_TIMEOUT_MS = 30_000;
const STDERR_TAIL_CHARS = 4096;
/** What V8 prints when it aborts on a heap limit (`Last few GCs`, `is_heap_oom = 1`, `Fatal JavaScript out of memory`). */
const OOM_RE = /out of memory|is_heap_oom|Last few GCs|allocation failed/i;

type Pending = { id: number; total: number; resolve: (r: RunResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
type Child = { proc: ChildProcess; ready: Promise<boolean>; stderr: string; isolates: number; pending: Pending | null; hung: boolean };

export class JsProcessRunner {
  /** Child processes started so far (1 + replacements after crashes and hangs). */
  launches = 0;
  /** Children that died while running a program. */
  crashes = 0;
  private child: Child | null = null;
  private deadIsolates = 0;
  private nextId = 0;
  private closed = false;

  constructor(private readonly limits: CodeLimits) {}

  /** Isolates created so far, over every child this runner has had. */
  get isolatesCreated(): number {
    return this.deadIsolates + (this.child?.isolates ?? 0);
  }

  /** Process id of the current child, if one is running. */
  get pid(): number | undefined {
    return this.child?.proc.pid;
  }

  /** Starts the child now; throws if it cannot start. */
  async warmUp(): Promise<void> {
    const c = this.ensureChild();
    if (!(await c.ready)) throw new Error(`JavaScript verifier process did not start: ${lastLine(c.stderr)}`);
  }

  async run(code: string, tests: CodeTests): Promise<RunResult> {
    const total = tests.cases.length;
    const infra = (reason: string): RunResult => ({ passed: 0, total, firstFailure: null, infraError: { kind: 'error', reason } });
    if (this.closed) return infra('verifier closed');
    const c = this.ensureChild();
    if (!(await c.ready) || this.child !== c) return infra(`JavaScript verifier process did not start: ${lastLine(c.stderr)}`);
    return new Promise<RunResult>((resolve, reject) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        c.hung = true;
        c.proc.kill('SIGKILL');
      }, this.limits.totalMs + WATCHDOG_GRACE_MS);
      c.pending = { id, total, resolve, reject, timer };
      c.stderr = ''; // what the child prints from here on is about this program
      setRef(c.proc, true);
      c.proc.send({ id, code, tests } satisfies ChildJob, (err) => {
        if (err) c.proc.kill('SIGKILL'); // answered by the 'close' handler
      });
    });
  }

  /** Kills the child; a job in flight is answered `error`. */
  async close(): Promise<void> {
    this.closed = true;
    const c = this.child;
    if (!c) return;
    const closed = new Promise<void>((resolve) => c.proc.once('close', () => resolve()));
    setRef(c.proc, true);
    c.proc.kill('SIGKILL');
    await closed;
  }

  private ensureChild(): Child {
    if (this.child) return this.child;
    const proc = fork(CHILD, [JSON.stringify(this.limits)], {
      execArgv: ['--import', TSX],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.launches++;
    let ready!: (ok: boolean) => void;
    const c: Child = { proc, ready: new Promise((r) => (ready = r)), stderr: '', isolates: 0, pending: null, hung: false };
    const readyTimer = setTimeout(() => proc.kill('SIGKILL'), READY_TIMEOUT_MS);
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (s: string) => (c.stderr = (c.stderr + s).slice(-STDERR_TAIL_CHARS)));
    proc.on('message', (m: ChildReply) => {
      if ('ready' in m) {
        clearTimeout(readyTimer);
        if (!c.pending) setRef(proc, false); // an idle pool must not keep its process alive
        ready(true);
        return;
      }
      const p = c.pending;
      if (!p || m.id !== p.id) return;
      clearTimeout(p.timer);
      c.pending = null;
      c.isolates = m.isolatesCreated;
      setRef(proc, false);
      if ('fault' in m) p.reject(new Error(m.fault));
      else p.resolve(m.result);
    });
    proc.on('error', () => proc.kill('SIGKILL')); // a failed send or kill; 'close' follows
    // 'close', not 'exit': by then stderr is read to the end, which the verdict needs.
    proc.on('close', (code, signal) => {
      clearTimeout(readyTimer);
      ready(false);
      if (this.child === c) this.child = null;
      this.deadIsolates += c.isolates;
      c.isolates = 0;
      const p = c.pending;
      c.pending = null;
      if (!p) return;
      clearTimeout(p.timer);
      if (!c.hung && !this.closed) this.crashes++;
      p.resolve(this.crashVerdict(c, p.total, signal ?? `exit ${code}`));
    });
    this.child = c;
    return c;
  }

  /**
   * The verdict of a program whose child died under it. Which test was running is lost with
   * the child, so the failure is reported at test 0 with none passed.
   */
  private crashVerdict(c: Child, total: number, how: string): RunResult {
    if (this.closed) return { passed: 0, total, firstFailure: null, infraError: { kind: 'error', reason: 'verifier closed during the run' } };
    if (c.hung) {
      const ms = this.limits.totalMs + WATCHDOG_GRACE_MS;
      return { passed: 0, total, firstFailure: { test: 0, reason: 'time_limit', detail: `no answer in ${ms} ms; the verifier process was killed` } };
    }
    if (OOM_RE.test(c.stderr)) {
      return { passed: 0, total, firstFailure: { test: 0, reason: 'memory_limit', detail: `isolate heap limit exceeded; the verifier process aborted (${how})` } };
    }
    return { passed: 0, total, firstFailure: null, infraError: { kind: 'error', reason: `JavaScript verifier process died (${how}): ${lastLine(c.stderr)}` } };
  }
}

/** A busy child keeps the event loop alive (its answer is awaited); an idle one does not. */
function setRef(proc: ChildProcess, on: boolean): void {
  const handles = [proc, proc.channel, proc.stderr as Socket | null];
  for (const h of handles) if (h) on ? h.ref() : h.unref();
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300) || 'no output';
}
