// What the dashboard knows of a run, read the way any other consumer reads it: ordered
// (ephemeral, ack-less) consumers on the steps, rollouts, verdicts, scored and dead-letter
// streams, KV watches on the actors and run buckets, and a poll of stream and consumer state.
// It keeps an index (ids, steps, outcomes, advantages, stream sequences), never the texts: an
// inspected rollout is fetched by its sequence. Nothing here acks, publishes or takes work, so
// the loop does not wait on it. Not the HTTP side (server.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DeliverPolicy, type JetStreamManager, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { scaleOf } from '../../actors/control.ts';
import { LearnerConfig } from '../../actors/learner/config.ts';
import { DONE_KEY, STEP_KEY } from '../../actors/learner/learner.ts';
import { Heartbeat, STALE_MS } from '../../contracts/metrics.ts';
import type { Rollout } from '../../contracts/rollout.ts';
import type { ScoredGroup } from '../../contracts/scored.ts';
import type { StepRecord } from '../../contracts/step.ts';
import type { Task } from '../../contracts/task.ts';
import type { Topology } from '../../contracts/topology.ts';
import type { Verdict } from '../../contracts/verdict.ts';
import { loadTokenizer, TOKENIZER_FILE } from '../../ops/model/hf-tokenizer.ts';
import { byteTokenizer, type Tokenizer } from '../../ops/model/tokenizer.ts';
import { placeStages } from '../../ops/recipe/curriculum.ts';
import { openKv, readTopologyState, type StreamState } from '../../streams/manager.ts';
import type { TopologyNames } from '../../streams/topology.ts';
import type { ActorRow, DeadLetterRow, GroupView, LiveState, RolloutDetail, RolloutPage, RolloutRow, RoleRow, StageRow, StepPoint, StreamRow } from './api.ts';
import { stuckWork } from './stuck.ts';

export interface CollectorOptions {
  nc: NatsConnection;
  names: TopologyNames;
  /** The run's topology (roles, stages, window bound), when known. */
  topology: Topology | null;
  mode: LiveState['mode'];
  readOnly: string | null;
  /** Poll period of stream and consumer state, ms; 0: read once at start. */
  pollMs: number;
  stuckAfterMs: number;
  /** Read rollouts, verdicts and scored groups stored from this time on only (`ace status`: the uncommitted part). */
  workSince?: number;
}

interface RolloutIndex extends Omit<RolloutRow, 'outcome' | 'reward' | 'advantage'> {
  taskId: string;
}

interface VerdictIndex {
  seq: number;
  kind: string;
  reward: 0 | 1 | null;
  ts: number;
}

interface GroupIndex {
  seq: number;
  step: number;
  advantages: Map<string, number>;
  rewardMean: number;
  rewardStd: number;
  completion: 'complete' | 'partial';
  dropped: boolean;
}

const DLQ_KEEP = 20;

export class RunCollector {
  private readonly steps = new Map<number, StepPoint>();
  private readonly rollouts = new Map<string, RolloutIndex>();
  private readonly rolloutOrder: string[] = [];
  private readonly byGroup = new Map<string, string[]>();
  private readonly verdicts = new Map<string, VerdictIndex>();
  private readonly groups = new Map<string, GroupIndex>();
  private readonly deadLetters: DeadLetterRow[] = [];
  private deadLetterCount = 0;
  private readonly heartbeats = new Map<string, Heartbeat>();
  private readonly cpuPct = new Map<string, number>();
  private readonly desired = new Map<string, number>();
  private committed = 0;
  private done = false;
  private runId: string | null = null;
  private stage: string | null = null;
  private streams: StreamState[] = [];
  private rates = new Map<string, number>();
  private polledAt = 0;
  private tasks: Task[] = [];
  private tokenizer: Tokenizer | null = null;
  private readonly stages: StageRow[];
  private readonly groupsPerStep: number | null;
  private readonly totalSteps: number | null;
  private readonly stops: (() => unknown)[] = [];
  private readonly caughtUp: Promise<void>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private jsm!: JetStreamManager;
  private closed = false;
  private readonly stepListeners = new Set<(s: StepPoint[]) => void>();
  private readonly liveListeners = new Set<(s: LiveState) => void>();

  constructor(private readonly o: CollectorOptions) {
    const learner = Object.values(o.topology?.actors ?? {}).find((a) => a.kind === 'learner');
    const cfg = learner ? LearnerConfig.safeParse(learner.config ?? {}) : null;
    if (cfg?.success) {
      this.stages = placeStages(cfg.data.stages).map((p) => ({
        name: p.name,
        domain: p.stage.domain,
        fromStep: p.fromStep,
        toStep: p.endStep - 1,
        cap: p.stage.maxResponseTokens,
        source: p.stage.source.kind === 'curated' ? p.stage.source.path : `synthetic levels ${p.stage.source.levels.join(',')}`,
      }));
      this.groupsPerStep = cfg.data.tasksPerStep;
      this.totalSteps = this.stages.length ? this.stages.at(-1)!.toStep + 1 : null;
    } else {
      this.stages = [];
      this.groupsPerStep = null;
      this.totalSteps = null;
    }
  }

  /** Starts reading; resolves once what the streams held at the start has been read. */
  async start(): Promise<void> {
    const { nc, names } = this.o;
    this.jsm = await jetstreamManager(nc);
    const s = names.streams;
    this.follow<StepRecord>(s.steps.name, (r) => this.onStep(r));
    const since = this.o.workSince;
    this.follow<Rollout>(s.rollouts.name, (r, seq) => this.onRollout(r, seq), since);
    this.follow<Verdict>(s.verdicts.name, (v, seq) => this.onVerdict(v, seq), since);
    this.follow<ScoredGroup>(s.scored.name, (g, seq) => this.onScored(g, seq), since);
    this.follow<{ stream: string; consumer: string; subject: string; issues: string[]; ts: number }>(s.dlq.name, (d, seq) => this.onDeadLetter(d, seq));
    await Promise.all([this.watch(names.kv.actors, '>', (k, v) => this.onHeartbeat(k, v)), this.watch(names.kv.run, '>', (k, v) => this.onRunKey(k, v)), this.watch(names.kv.curriculum, 'stage', (_k, v) => (this.stage = v || null))]);
    await Promise.all(this.caughtUp);
    await this.poll();
    if (this.o.pollMs > 0) this.timer = setInterval(() => void this.poll().catch(() => {}), this.o.pollMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.stops.map((stop) => Promise.resolve(stop()).catch(() => {})));
  }

  onSteps(fn: (s: StepPoint[]) => void): () => void {
    this.stepListeners.add(fn);
    return () => this.stepListeners.delete(fn);
  }

  onLive(fn: (s: LiveState) => void): () => void {
    this.liveListeners.add(fn);
    return () => this.liveListeners.delete(fn);
  }

  stepPoints(): StepPoint[] {
    return [...this.steps.values()].sort((a, b) => a.step - b.step);
  }

  /** Now: heartbeats, steps and work as read so far, stream state as of the last poll. */
  liveState(): LiveState {
    return this.buildLive(Date.now(), this.tasks);
  }

  /**
   * An ordered consumer from the first message on (or from `since` for the work streams); `fn`
   * sees each message's JSON and sequence. Caught up at the stream's last message as of now, or
   * after a quiet second when nothing comes (no message at or after `since`).
   */
  private follow<T>(stream: string, fn: (value: T, seq: number) => void, since?: number): void {
    let ready!: () => void;
    this.caughtUp.push(new Promise<void>((r) => (ready = r)));
    const run = async () => {
      const info = await this.jsm.streams.info(stream).catch(() => null);
      if (!info) return ready(); // a stream this topology does not have
      const lastAtStart = info.state.last_seq;
      if (info.state.messages === 0) ready();
      const from = since === undefined ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(since).toISOString() };
      const consumer = await jetstream(this.o.nc).consumers.get(stream, from);
      const messages = await consumer.consume();
      this.stops.push(() => messages.close());
      let quiet = setTimeout(ready, 1000).unref();
      for await (const m of messages) {
        clearTimeout(quiet);
        this.handle(m, fn);
        if (m.info.pending === 0 || m.seq >= lastAtStart) ready();
        else quiet = setTimeout(ready, 1000).unref();
      }
    };
    run().catch(() => ready());
  }

  private handle<T>(m: JsMsg, fn: (value: T, seq: number) => void): void {
    let value: T;
    try {
      value = m.json<T>();
    } catch {
      return; // not JSON: the actors' sources dead-letter it; nothing to index
    }
    fn(value, m.seq);
  }

  private async watch(bucket: string, key: string, fn: (key: string, value: string) => void): Promise<void> {
    const kv: KV = await openKv(this.o.nc, bucket);
    const iter = await kv.watch({ key });
    this.stops.push(() => iter.stop());
    let ready!: () => void;
    const initial = new Promise<void>((r) => (ready = r));
    (async () => {
      for await (const e of iter) {
        fn(e.key, e.operation === 'PUT' ? e.string() : '');
        if (e.delta === 0) ready();
      }
    })().catch(() => {});
    // An empty bucket sends nothing before its first change.
    const status = await kv.status().catch(() => null);
    if (!status || status.values === 0) ready();
    await Promise.race([initial, new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  private onStep(r: StepRecord): void {
    if (typeof r.step !== 'number' || !r.metrics) return;
    const stage = this.stages.find((s) => s.name === r.stage);
    const first = r.rolloutIds?.[0];
    const point: StepPoint = {
      step: r.step,
      stage: r.stage ?? null,
      domain: stage?.domain ?? (first ? (this.rollouts.get(first)?.domain ?? null) : null),
      policyVersion: r.policyVersion,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      metrics: r.metrics,
    };
    this.steps.set(r.step, point);
    this.committed = Math.max(this.committed, r.step + 1);
    for (const fn of this.stepListeners) fn([point]);
  }

  private onRollout(r: Rollout, seq: number): void {
    if (!r.id || this.rollouts.has(r.id)) return;
    this.rollouts.set(r.id, {
      id: r.id,
      seq,
      step: r.step,
      policyVersion: r.policyVersion,
      domain: r.domain,
      taskId: r.taskId,
      groupId: r.groupId,
      groupIndex: r.groupIndex,
      index: r.index,
      groupSize: r.groupSize,
      responseTokens: r.responseTokens?.length ?? 0,
      finished: r.finished,
      ts: r.ts,
    });
    this.rolloutOrder.push(r.id);
    const members = this.byGroup.get(r.groupId) ?? [];
    members.push(r.id);
    this.byGroup.set(r.groupId, members);
  }

  private onVerdict(v: Verdict, seq: number): void {
    if (!v.rolloutId || this.verdicts.has(v.rolloutId)) return;
    this.verdicts.set(v.rolloutId, { seq, kind: v.outcome?.kind ?? '?', reward: v.reward, ts: v.ts });
  }

  private onScored(g: ScoredGroup, seq: number): void {
    if (!g.groupId || !Array.isArray(g.members)) return;
    this.groups.set(g.groupId, {
      seq,
      step: g.step,
      advantages: new Map(g.members.map((m) => [m.rolloutId, m.advantage])),
      rewardMean: g.rewardMean,
      rewardStd: g.rewardStd,
      completion: g.completion,
      dropped: g.dropped ?? false,
    });
  }

  private onDeadLetter(d: { stream: string; consumer: string; subject: string; issues: string[]; ts: number }, seq: number): void {
    this.deadLetterCount++;
    this.deadLetters.push({ seq, stream: d.stream, consumer: d.consumer, subject: d.subject, issues: Array.isArray(d.issues) ? d.issues : [], ts: d.ts });
    if (this.deadLetters.length > DLQ_KEEP) this.deadLetters.shift();
  }

  private onHeartbeat(key: string, value: string): void {
    if (!value) return void this.heartbeats.delete(key);
    let parsed: ReturnType<typeof Heartbeat.safeParse>;
    try {
      parsed = Heartbeat.safeParse(JSON.parse(value));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const hb = parsed.data;
    const before = this.heartbeats.get(key);
    const cpu = hb.metrics['process/cpu_s'];
    const cpuBefore = before?.metrics['process/cpu_s'];
    if (before && cpu !== undefined && cpuBefore !== undefined && hb.ts > before.ts && hb.pid === before.pid) {
      this.cpuPct.set(key, (100 * (cpu - cpuBefore)) / ((hb.ts - before.ts) / 1000));
    }
    this.heartbeats.set(key, hb);
  }

  private onRunKey(key: string, value: string): void {
    if (key.startsWith('desired.')) {
      const n = value ? scaleOf(value) : null;
      if (n === null) this.desired.delete(key.slice('desired.'.length));
      else this.desired.set(key.slice('desired.'.length), n);
    } else if (key === STEP_KEY) {
      const n = Number(value);
      if (Number.isInteger(n)) this.committed = Math.max(this.committed, n);
    } else if (key === DONE_KEY) {
      this.done = value !== '';
    } else if (key === 'run.id') {
      this.runId = value || null;
    }
  }

  /** Stream state, rates, stuck work; then the `live` listeners. */
  private async poll(): Promise<void> {
    if (this.closed) return;
    const now = Date.now();
    const streams = await readTopologyState(this.jsm, this.o.names);
    const dt = (now - this.polledAt) / 1000;
    const rates = new Map<string, number>();
    if (this.polledAt) {
      for (const st of streams) {
        const before = this.streams.find((p) => p.name === st.name);
        if (before) rates.set(st.name, (st.lastSeq - before.lastSeq) / dt);
        for (const c of st.consumers) {
          const cb = before?.consumers.find((p) => p.name === c.name);
          if (cb) rates.set(`${st.name}/${c.name}`, (c.ackFloor - cb.ackFloor) / dt);
        }
      }
    }
    this.streams = streams;
    this.rates = rates;
    this.polledAt = now;
    this.tasks = await this.pendingTasks(now);
    const live = this.buildLive(now, this.tasks);
    for (const fn of this.liveListeners) fn(live);
  }

  /** Tasks in the prompts work queue, read only once the step in progress is late (else none can be). */
  private async pendingTasks(now: number): Promise<Task[]> {
    const since = this.stepSince();
    if (since === null || now - since <= this.o.stuckAfterMs) return [];
    // A work queue takes no second consumer: read the messages left in it one by one.
    const stream = this.o.names.streams.prompts.name;
    const info = await this.jsm.streams.info(stream).catch(() => null);
    if (!info) return [];
    const out: Task[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && out.length < 1000; seq++) {
      const m = await this.jsm.streams.getMessage(stream, { seq }).catch(() => null);
      try {
        if (m) out.push(m.json<Task>());
      } catch {}
    }
    return out;
  }

  private stepSince(): number | null {
    const last = this.steps.get(this.committed - 1);
    if (last) return last.endedAt;
    const learner = [...this.heartbeats.values()].find((h) => h.role === 'learner' && h.state === 'RUNNING');
    return learner?.startedAt ?? null;
  }

  private running(actor: string): number {
    const now = Date.now();
    return [...this.heartbeats.values()].filter((h) => h.actor === actor && (h.state === 'RUNNING' || h.state === 'INITIALIZED' || h.state === 'DRAINING') && now - h.ts <= STALE_MS).length;
  }

  private buildLive(now = Date.now(), tasks: Task[] = []): LiveState {
    const topology = this.o.topology;
    const streams: StreamRow[] = this.streams.map((st) => ({
      name: st.name,
      messages: st.messages,
      bytes: st.bytes,
      lastSeq: st.lastSeq,
      rate: this.rates.get(st.name) ?? 0,
      consumers: st.consumers.map(({ filterSubject: _f, ...c }) => ({ ...c, ackRate: this.rates.get(`${c.stream}/${c.name}`) ?? 0 })),
    }));
    const actors: ActorRow[] = [...this.heartbeats.entries()]
      .map(([key, h]) => ({
        actor: h.actor,
        instance: h.instance,
        kind: h.role,
        state: h.state,
        pid: h.pid,
        host: h.host ?? null,
        ageMs: now - h.ts,
        stale: now - h.ts > STALE_MS && h.state !== 'STOPPED',
        rssMb: h.metrics['process/rss_mb'] ?? null,
        cpuPct: this.cpuPct.get(key) ?? null,
        metrics: h.metrics,
      }))
      .sort((a, b) => a.actor.localeCompare(b.actor) || a.instance.localeCompare(b.instance, undefined, { numeric: true }));
    const roleNames = new Set([...Object.keys(topology?.actors ?? {}), ...this.desired.keys(), ...actors.map((a) => a.actor)]);
    const roles: RoleRow[] = [...roleNames].sort().map((actor) => ({
      actor,
      kind: topology?.actors[actor]?.kind ?? actors.find((a) => a.actor === actor)?.kind ?? '?',
      desired: this.desired.get(actor) ?? null,
      running: this.running(actor),
    }));
    const rolloutStream = streams.find((s) => s.name === this.o.names.streams.rollouts.name);
    const verifierActors = Object.entries(topology?.actors ?? {}).filter(([, a]) => a.kind === 'verifier').map(([name]) => name);
    const window =
      topology && rolloutStream
        ? { inFlight: rolloutStream.consumers.filter((c) => verifierActors.includes(c.name)).reduce((n, c) => n + c.pending + c.ackPending, 0), max: topology.maxUnverified }
        : null;
    const committedSteps = this.committed;
    const stuck = stuckWork({
      now,
      stuckAfterMs: this.o.stuckAfterMs,
      committedSteps,
      totalSteps: this.done ? committedSteps : this.totalSteps,
      stepSince: this.stepSince(),
      tasks: tasks.map((t) => ({ taskId: t.taskId, groupId: t.groupId, step: t.step, domain: t.domain, ts: t.ts })),
      rollouts: this.rollouts.values(),
      verdicts: this.verdicts,
      scored: new Set(this.groups.keys()),
      scoredInStep: [...this.groups.values()].filter((g) => g.step === committedSteps).length,
      groupsPerStep: this.groupsPerStep,
      verifierOf: (domain) => {
        const actor = verifierFor(topology, domain);
        return actor ? { actor, running: this.running(actor) } : null;
      },
      running: (actor) => this.running(actor),
      backlogOf: (actor) => {
        const c = rolloutStream?.consumers.find((x) => x.name === actor);
        return c ? { pending: c.pending, ackPending: c.ackPending } : null;
      },
    });
    const last = this.steps.get(committedSteps - 1);
    return {
      ts: now,
      runId: this.runId,
      mode: this.o.mode,
      readOnly: this.o.readOnly,
      streams,
      actors,
      roles,
      window,
      stage: this.stage,
      stages: this.stages,
      stuck,
      stuckAfterMs: this.o.stuckAfterMs,
      deadLetters: { count: this.deadLetterCount, recent: [...this.deadLetters].reverse() },
      committedSteps,
      lastStepAt: last?.endedAt ?? null,
      counts: { rollouts: this.rollouts.size, verdicts: this.verdicts.size, groups: this.groups.size },
    };
  }

  private row(r: RolloutIndex): RolloutRow {
    const v = this.verdicts.get(r.id);
    const { taskId: _t, ...rest } = r;
    return { ...rest, outcome: v?.kind ?? null, reward: v ? v.reward : null, advantage: this.groups.get(r.groupId)?.advantages.get(r.id) ?? null };
  }

  /** The inspector's list, newest first. */
  listRollouts(f: { step?: number; domain?: string; outcome?: string; reward?: '0' | '1' | 'none'; group?: string; limit: number; offset: number }): RolloutPage {
    const ids = f.group ? (this.byGroup.get(f.group) ?? []) : this.rolloutOrder;
    const rows: RolloutRow[] = [];
    let total = 0;
    for (let i = ids.length - 1; i >= 0; i--) {
      const r = this.rollouts.get(ids[i])!;
      if (f.step !== undefined && r.step !== f.step) continue;
      if (f.domain && r.domain !== f.domain) continue;
      const row = this.row(r);
      if (f.outcome && row.outcome !== f.outcome) continue;
      if (f.reward && (f.reward === 'none' ? row.reward !== null : row.reward !== Number(f.reward))) continue;
      if (total >= f.offset && rows.length < f.limit) rows.push(row);
      total++;
    }
    return { total, rows };
  }

  /** One rollout whole: its text from the rollouts stream, its verdict's from the verdicts stream. */
  async rollout(id: string): Promise<RolloutDetail | null> {
    const idx = this.rollouts.get(id);
    if (!idx) return null;
    const msg = await this.jsm.streams.getMessage(this.o.names.streams.rollouts.name, { seq: idx.seq });
    const r = msg!.json<Rollout>();
    const v = this.verdicts.get(id);
    const verdict = v ? (await this.jsm.streams.getMessage(this.o.names.streams.verdicts.name, { seq: v.seq }).catch(() => null))?.json<Verdict>() : undefined;
    const g = this.groups.get(idx.groupId);
    const group: GroupView = {
      id: idx.groupId,
      members: (this.byGroup.get(idx.groupId) ?? []).map((m) => this.row(this.rollouts.get(m)!)).sort((a, b) => a.index - b.index),
      rewardMean: g?.rewardMean ?? null,
      rewardStd: g?.rewardStd ?? null,
      completion: g?.completion ?? null,
      dropped: g?.dropped ?? null,
    };
    return {
      ...this.row(idx),
      prompt: this.decodePrompt(r.promptTokens),
      response: r.response,
      reason: verdict?.outcome.reason ?? null,
      rule: verdict?.outcome.rule ?? null,
      detail: verdict?.outcome.detail ?? null,
      verifier: verdict?.verifier ?? null,
      verifyMs: verdict?.verifyMs ?? null,
      generator: r.generator,
      genMs: r.genMs,
      group,
    };
  }

  /** The prompt as text: the run's tokenizer (the generators' `tokenizer` dir), else the byte tokenizer. */
  private decodePrompt(ids: number[]): string {
    if (!this.tokenizer) {
      const dir = Object.values(this.o.topology?.actors ?? {})
        .map((a) => (a.kind === 'generator' ? (a.config as { tokenizer?: string } | undefined)?.tokenizer : undefined))
        .find((t) => t !== undefined);
      this.tokenizer = dir && existsSync(join(dir, TOKENIZER_FILE)) ? loadTokenizer(dir) : byteTokenizer;
    }
    try {
      return this.tokenizer.decode(ids);
    } catch (err) {
      return `(the prompt's ${ids.length} ids do not decode with the run's tokenizer: ${(err as Error).message})`;
    }
  }
}

/** The verifier actor that judges a domain: one whose config names it, else the only verifier. */
export function verifierFor(topology: Topology | null, domain: string): string | null {
  const verifiers = Object.entries(topology?.actors ?? {}).filter(([, a]) => a.kind === 'verifier');
  const named = verifiers.find(([, a]) => {
    const domains = (a.config as { domains?: string[] } | undefined)?.domains;
    return Array.isArray(domains) && domains.includes(domain);
  });
  const all = verifiers.find(([, a]) => (a.config as { domains?: unknown } | undefined)?.domains === undefined); // the default judges both
  return named?.[0] ?? all?.[0] ?? null;
}
