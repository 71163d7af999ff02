// MathVerifierPool: N worker threads running judgeMath, with a hard per-case deadline
// enforced from outside the computation: a worker that overruns is terminated and replaced,
// the case scores `timeout`, and the pool keeps serving. Outcomes are data; verify() never
// rejects. Not a scheduler across processes (the verifier actor scales by adding consumers).
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { type OutcomeKind, rewardOf } from '../../../contracts/outcome.ts';
import type { MathJudgement, MathRule, MathVerifyInput } from './judge.ts';
import type { WorkerRequest } from './worker.ts';

export const MathPoolConfig = z
  .object({
    /** Worker threads (one core each); default 1. */
    workers: z.number().int().min(1).max(64).default(1),
    /** Hard wall-clock limit per case in ms, from dispatch to answer; default 2000. */
    deadlineMs: z.number().int().min(1).max(600_000).default(2000),
    /** Pre-started idle workers that replace a terminated one at once (boot takes ~1 s); default 1. */
    spares: z.number().int().min(0).max(8).default(1),
    /** V8 old-generation heap limit per worker in MiB (a memory bomb kills only its worker); default 512. */
    maxHeapMb: z.number().int().min(32).default(512),
  })
  .strict();
export type MathPoolConfig = z.input<typeof MathPoolConfig>;

export type MathVerdict = {
  kind: OutcomeKind;
  reward: 1 | 0 | null;
  /** The cascade step that decided (`deadline` for timeouts). */
  rule: MathRule;
  /** Normalized gold answer. */
  gold: string;
  /** Normalized predicted answer ('' when none was extracted or the case timed out). */
  pred: string;
  reason: string;
  /** Wall-clock ms from dispatch to a worker until the verdict. */
  elapsedMs: number;
};

export class MathPoolError extends Error {
  readonly code = 'worker-start' as const;
}

/** Consecutive workers dying before they load: the pool stops respawning and reports why. */
const MAX_BOOT_FAILURES = 3;

type Task = { id: number; input: MathVerifyInput; resolve: (v: MathVerdict) => void; startedAt: number };
type Slot = { worker: Worker; ready: boolean; task: Task | null; timer: NodeJS.Timeout | null; retired: boolean };

// Run from the sources, a worker first registers the TypeScript loader (worker-boot.mjs). Run
// from the precompiled build (dist/, bin/dist.mjs, which defines __ACE_BUILD_URL__ as this
// file's built URL), the built worker.js starts directly: no loader, no transpiling.
declare const __ACE_BUILD_URL__: string | undefined;
const BUILT_URL = typeof __ACE_BUILD_URL__ === 'string' ? __ACE_BUILD_URL__ : null;
const BOOT_URL = BUILT_URL ? new URL('./worker.js', BUILT_URL) : new URL('./worker-boot.mjs', import.meta.url);
const ENTRY_URL = new URL('./worker.ts', import.meta.url).href;

export class MathVerifierPool {
  private readonly config: z.output<typeof MathPoolConfig>;
  private readonly slots: Slot[] = [];
  private readonly spares: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private bootFailures = 0;
  /** Set when workers cannot start at all; every case then gets an error verdict with it. */
  private broken: string | null = null;
  /** Counters since construction: verdicts, timeouts, worker restarts. */
  readonly stats = { completed: 0, timeouts: 0, restarts: 0 };

  constructor(opts: MathPoolConfig) {
    this.config = MathPoolConfig.parse(opts);
    for (let k = 0; k < this.config.workers; k++) this.slots.push(this.spawn());
    for (let k = 0; k < this.config.spares; k++) this.spares.push(this.spawn());
  }

  /** Resolves once every worker and spare has loaded; rejects with MathPoolError when they cannot. */
  async ready(): Promise<void> {
    while (!this.closed && !this.broken && [...this.slots, ...this.spares].some((s) => !s.ready)) await new Promise((r) => setTimeout(r, 5));
    if (this.broken) throw new MathPoolError(`math verifier workers cannot start: ${this.broken}`);
  }

  verify(input: MathVerifyInput): Promise<MathVerdict> {
    if (this.closed) return Promise.resolve(verdictOf(input, 'error', 'internal', 'pool is closed', 0));
    if (this.broken) return Promise.resolve(verdictOf(input, 'error', 'internal', `workers cannot start: ${this.broken}`, 0));
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, input, resolve, startedAt: 0 });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.resolve(verdictOf(task.input, 'error', 'internal', 'pool closed before the case ran', 0));
    await Promise.all(
      [...this.slots, ...this.spares.splice(0)].map((slot) => {
        slot.retired = true;
        if (slot.timer) clearTimeout(slot.timer);
        if (slot.task) slot.task.resolve(verdictOf(slot.task.input, 'error', 'internal', 'pool closed while the case ran', 0));
        slot.task = null;
        return slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const worker = new Worker(BOOT_URL, {
      workerData: { entry: ENTRY_URL },
      resourceLimits: { maxOldGenerationSizeMb: this.config.maxHeapMb },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = { worker, ready: false, task: null, timer: null, retired: false };
    worker.on('message', (msg: { ready?: true; id?: number; judgement?: MathJudgement }) => {
      if (msg.ready) {
        slot.ready = true;
        this.bootFailures = 0;
        this.dispatch();
        return;
      }
      const task = slot.task;
      if (!task || msg.id !== task.id || !msg.judgement) return;
      this.finish(slot, { ...msg.judgement, reward: rewardOf(msg.judgement.kind), elapsedMs: performance.now() - task.startedAt });
    });
    worker.on('error', (err) => this.fail(slot, `worker failed: ${err.message}`));
    worker.on('exit', (code) => this.fail(slot, `worker exited with code ${code}`));
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.task || slot.retired) continue;
      const task = this.queue.shift()!;
      task.startedAt = performance.now();
      slot.task = task;
      slot.timer = setTimeout(() => this.timeout(slot), this.config.deadlineMs);
      const req: WorkerRequest = { id: task.id, input: task.input };
      slot.worker.postMessage(req);
    }
  }

  private finish(slot: Slot, verdict: MathVerdict): void {
    const task = slot.task!;
    if (slot.timer) clearTimeout(slot.timer);
    slot.task = null;
    slot.timer = null;
    this.stats.completed++;
    task.resolve(verdict);
    this.dispatch();
  }

  private timeout(slot: Slot): void {
    const task = slot.task;
    if (!task || slot.retired) return;
    slot.retired = true; // before finish(): the next case must not go to this worker
    this.stats.timeouts++;
    this.finish(slot, verdictOf(task.input, 'timeout', 'deadline', `no verdict within ${this.config.deadlineMs} ms; worker terminated`, performance.now() - task.startedAt));
    this.replace(slot);
  }

  /** A worker died (crash, out of memory): its case is an error, a fresh worker takes its place. */
  private fail(slot: Slot, reason: string): void {
    if (slot.retired) return;
    slot.retired = true;
    const task = slot.task;
    if (task) this.finish(slot, verdictOf(task.input, 'error', 'internal', reason, performance.now() - task.startedAt));
    if (!slot.ready && ++this.bootFailures >= MAX_BOOT_FAILURES) {
      this.broken = reason;
      void slot.worker.terminate();
      for (const t of this.queue.splice(0)) t.resolve(verdictOf(t.input, 'error', 'internal', `workers cannot start: ${reason}`, 0));
      return;
    }
    this.replace(slot);
  }

  private replace(slot: Slot): void {
    slot.retired = true;
    void slot.worker.terminate();
    if (this.closed) return;
    this.stats.restarts++;
    const index = this.slots.indexOf(slot);
    if (index < 0) {
      const dead = this.spares.indexOf(slot);
      if (dead >= 0) this.spares.splice(dead, 1, this.spawn());
      return;
    }
    const spare = this.spares.findIndex((s) => s.ready);
    if (spare >= 0) {
      this.slots[index] = this.spares.splice(spare, 1)[0];
      this.spares.push(this.spawn());
      this.dispatch();
    } else {
      this.slots[index] = this.spawn();
    }
  }
}

function verdictOf(input: MathVerifyInput, kind: OutcomeKind, rule: MathRule, reason: string, elapsedMs: number): MathVerdict {
  return { kind, reward: rewardOf(kind), rule, gold: input.gold.slice(0, 200), pred: (input.pred ?? '').slice(0, 200), reason, elapsedMs };
}
