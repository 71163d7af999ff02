// A CodeRunner that runs programs in child processes (runner-worker.ts), one program per
// child at a time. When a child dies mid-run the program's verdict is `error` with the
// exit code, and a fresh child takes over, so one crashing mutant costs one verdict, not
// the curation run. Not a sandbox of its own: the children use the code verifier pool.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CodeRunner, RunVerdict } from './code-checks.ts';

const WORKER = fileURLToPath(new URL('./runner-worker.ts', import.meta.url));

type Job = { id: number; input: { language: string; code: string; tests: unknown }; resolve: (v: RunVerdict) => void };
type Slot = { child: ChildProcess | null; ready: Promise<void> | null; job: Job | null };

export class ProcessCodeRunner implements CodeRunner {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;
  /** Children that died while running a program. */
  crashes = 0;

  constructor(
    processes: number,
    private readonly perTestMs = 1000,
  ) {
    this.slots = Array.from({ length: processes }, () => ({ child: null, ready: null, job: null }));
  }

  run(input: { language: string; code: string; tests: unknown }): Promise<RunVerdict> {
    if (this.closed) return Promise.resolve({ kind: 'error', passed: 0, total: 0, detail: 'runner closed' });
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, input, resolve });
      this.pump();
    });
  }

  private spawn(slot: Slot): void {
    const child = fork(WORKER, [], {
      execArgv: ['--import', import.meta.resolve('tsx')],
      env: { ...process.env, ACE_CURATE_PER_TEST_MS: String(this.perTestMs) },
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    slot.child = child;
    slot.ready = new Promise((resolve) => {
      child.on('message', (msg: { ready?: true; id?: number; verdict?: RunVerdict }) => {
        if (msg.ready) return resolve();
        const job = slot.job;
        if (job && msg.id === job.id && msg.verdict) {
          slot.job = null;
          job.resolve(msg.verdict);
          this.pump();
        }
      });
    });
    child.on('exit', (code, signal) => {
      slot.child = null;
      slot.ready = null;
      const job = slot.job;
      slot.job = null;
      if (job) {
        this.crashes++;
        job.resolve({ kind: 'error', passed: 0, total: 0, detail: `verifier process died (${signal ?? `exit ${code}`}) while running the program` });
      }
      if (!this.closed) this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0 || this.closed) continue;
      if (!slot.child) this.spawn(slot);
      const job = this.queue.shift()!;
      slot.job = job;
      const child = slot.child!;
      void slot.ready!.then(() => {
        if (slot.child === child && slot.job === job) child.send({ id: job.id, ...job.input });
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve({ kind: 'error', passed: 0, total: 0, detail: 'runner closed' });
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (!s.child) return resolve();
            s.child.once('exit', () => resolve());
            s.child.disconnect();
          }),
      ),
    );
  }
}
