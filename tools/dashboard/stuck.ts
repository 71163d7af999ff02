// Stuck work: tasks, rollouts, groups and the step in progress that have waited past a
// threshold, each named by id with where it waits. Pure: the caller reads the streams (the
// dashboard's collector, or `ace status` over the uncommitted part of a run). Slow and never
// look alike from outside; the threshold is the user's line between them.
import type { StuckItem } from './api.ts';

export interface PendingTask {
  taskId: string;
  groupId: string;
  step: number;
  domain: string;
  ts: number;
}

export interface SeenRollout {
  id: string;
  step: number;
  groupId: string;
  groupSize: number;
  domain: string;
  ts: number;
}

export interface SeenVerdict {
  ts: number;
}

export interface WorkView {
  now: number;
  stuckAfterMs: number;
  /** Steps committed (the step in progress is this one). */
  committedSteps: number;
  /** The run's steps in all (no step is in progress past them); null when unknown. */
  totalSteps: number | null;
  /** When the step in progress started: the last commit, else the learner's start. */
  stepSince: number | null;
  /** Tasks still in the prompts work queue (released, not yet acked by a generator). */
  tasks: readonly PendingTask[];
  rollouts: Iterable<SeenRollout>;
  verdicts: ReadonlyMap<string, SeenVerdict>;
  /** Groups scored by the normalizer, by group id. */
  scored: ReadonlySet<string>;
  /** Scored groups that belong to the step in progress. */
  scoredInStep: number;
  groupsPerStep: number | null;
  /** Which actor judges a domain, and its running instances. */
  verifierOf: (domain: string) => { actor: string; running: number } | null;
  running: (actor: string) => number;
  /** Pending and ack-pending of the verifier's durable consumer on the rollouts stream. */
  backlogOf: (actor: string) => { pending: number; ackPending: number } | null;
}

/** Oldest first; at most `limit` items of each kind. */
export function stuckWork(v: WorkView, limit = 50): StuckItem[] {
  const late = (ts: number) => v.now - ts > v.stuckAfterMs;
  const out: StuckItem[] = [];
  const generators = v.running('generator');

  const tasks = v.tasks.filter((t) => t.step >= v.committedSteps && late(t.ts));
  for (const t of tasks) {
    out.push({ kind: 'task', id: t.taskId, step: t.step, waitedMs: v.now - t.ts, where: `prompts work queue: no generator has finished it (${generators} generator instance(s) running)` });
  }

  const groups = new Map<string, { step: number; groupSize: number; seen: number; judged: number; first: number; last: number }>();
  for (const r of v.rollouts) {
    if (r.step < v.committedSteps || v.scored.has(r.groupId)) continue;
    const g = groups.get(r.groupId) ?? { step: r.step, groupSize: r.groupSize, seen: 0, judged: 0, first: r.ts, last: 0 };
    g.seen++;
    g.first = Math.min(g.first, r.ts);
    const verdict = v.verdicts.get(r.id);
    if (verdict) {
      g.judged++;
      g.last = Math.max(g.last, verdict.ts);
    } else if (late(r.ts)) {
      const verifier = v.verifierOf(r.domain);
      const backlog = verifier ? v.backlogOf(verifier.actor) : null;
      const where = verifier
        ? `waits for a verdict from ${verifier.actor} (${verifier.running} running${backlog ? `; its consumer: ${backlog.pending} pending, ${backlog.ackPending} ack-pending` : ''})`
        : `waits for a verdict: no verifier actor judges ${r.domain}`;
      out.push({ kind: 'rollout', id: r.id, step: r.step, waitedMs: v.now - r.ts, where });
    }
    groups.set(r.groupId, g);
  }
  for (const [id, g] of groups) {
    if (g.judged === g.groupSize && late(g.last)) {
      out.push({ kind: 'group', id, step: g.step, waitedMs: v.now - g.last, where: `all ${g.groupSize} verdicts in, not scored: waits for the normalizer (${v.running('normalizer')} running)` });
    } else if (g.seen < g.groupSize && late(g.first)) {
      out.push({ kind: 'group', id, step: g.step, waitedMs: v.now - g.first, where: `incomplete: ${g.seen}/${g.groupSize} rollouts sampled, ${g.judged} judged` });
    }
  }

  const inProgress = v.totalSteps === null || v.committedSteps < v.totalSteps;
  if (inProgress && v.stepSince !== null && late(v.stepSince)) {
    const of = v.groupsPerStep === null ? '' : `/${v.groupsPerStep}`;
    out.push({ kind: 'step', id: `step ${v.committedSteps}`, step: v.committedSteps, waitedMs: v.now - v.stepSince, where: `not committed: the learner has ${v.scoredInStep}${of} scored groups (${v.running('learner')} learner running)` });
  }

  const order = ['step', 'group', 'rollout', 'task'];
  const byKind = new Map<string, StuckItem[]>();
  for (const item of out.sort((a, b) => b.waitedMs - a.waitedMs)) {
    const list = byKind.get(item.kind) ?? [];
    if (list.length < limit) list.push(item);
    byKind.set(item.kind, list);
  }
  return order.flatMap((k) => byKind.get(k) ?? []);
}

/** `ace status` lines for stuck items. */
export function renderStuck(items: readonly StuckItem[], stuckAfterMs: number): string {
  if (items.length === 0) return `nothing has waited over ${Math.round(stuckAfterMs / 1000)} s`;
  const lines = [`STUCK (waited over ${Math.round(stuckAfterMs / 1000)} s)`];
  for (const s of items) lines.push(`${s.kind.padEnd(8)}${s.id.padEnd(40)} step ${String(s.step).padEnd(5)} ${`${Math.round(s.waitedMs / 1000)}s`.padStart(6)}  ${s.where}`);
  return lines.join('\n');
}
