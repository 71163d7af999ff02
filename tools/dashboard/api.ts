// What the dashboard's server sends its page (and anyone else reading /api): plain JSON shapes,
// shared by the server (tools/dashboard/server.ts) and the page (tools/dashboard/page/app.ts).
// Types only: the page's bundle imports nothing else from the server side.
import type { ConsumerState } from '../../streams/manager.ts';

/** One committed optimizer step, from the steps stream (the ledger). */
export interface StepPoint {
  step: number;
  stage: string | null;
  /** The domain of the step's rollouts (null when the dashboard has not seen them). */
  domain: 'math' | 'code' | null;
  policyVersion: number;
  startedAt: number;
  endedAt: number;
  /** The learner's step metrics: `reward/mean`, `response/mean_tokens`, `step/seconds`, ... */
  metrics: Record<string, number>;
}

/** A consumer as streams/manager.ts reads it, and its ack rate. */
export type ConsumerRow = Omit<ConsumerState, 'filterSubject'> & {
  /** Messages acked per second since the previous reading. */
  ackRate: number;
};

export interface StreamRow {
  name: string;
  messages: number;
  bytes: number;
  lastSeq: number;
  /** Messages stored per second since the previous reading. */
  rate: number;
  consumers: ConsumerRow[];
}

export interface ActorRow {
  /** The topology's actor name (a role: `generator`, `math-verifier`, ...). */
  actor: string;
  instance: string;
  kind: string;
  state: string;
  pid: number;
  host: string | null;
  ageMs: number;
  stale: boolean;
  rssMb: number | null;
  /** CPU use since the previous heartbeat, in % of one core. */
  cpuPct: number | null;
  metrics: Record<string, number>;
}

export interface RoleRow {
  actor: string;
  kind: string;
  desired: number | null;
  /** Instances whose heartbeat is live (not stopped, not stale). */
  running: number;
}

export interface StageRow {
  name: string;
  domain: 'math' | 'code';
  fromStep: number;
  /** Last step of the stage (inclusive). */
  toStep: number;
  cap: number;
  source: string;
}

/** Work that has waited past the threshold: named by id, with where it waits. */
export interface StuckItem {
  kind: 'task' | 'rollout' | 'group' | 'step';
  id: string;
  step: number;
  waitedMs: number;
  where: string;
}

export interface DeadLetterRow {
  seq: number;
  stream: string;
  consumer: string;
  subject: string;
  issues: string[];
  ts: number;
}

export interface LiveState {
  ts: number;
  runId: string | null;
  /** `live`: a running topology; `finished`: a stopped run read from its store (--run-dir). */
  mode: 'live' | 'finished';
  /** Why the scale control is off (null when it is on). */
  readOnly: string | null;
  streams: StreamRow[];
  actors: ActorRow[];
  roles: RoleRow[];
  /** The generators' backpressure window: rollouts published and not yet verified, and its bound. */
  window: { inFlight: number; max: number } | null;
  stage: string | null;
  stages: StageRow[];
  stuck: StuckItem[];
  stuckAfterMs: number;
  deadLetters: { count: number; recent: DeadLetterRow[] };
  /** Steps committed so far (the next step's index). */
  committedSteps: number;
  /** When the last step was committed (ms since the epoch), or null. */
  lastStepAt: number | null;
  /** Rollouts, verdicts and scored groups the dashboard has read. */
  counts: { rollouts: number; verdicts: number; groups: number };
}

/** GET /api/state, and the `hello` server-sent event. */
export interface StateResponse {
  live: LiveState;
  steps: StepPoint[];
}

/** Server-sent events on GET /api/events: `hello` (StateResponse), `steps` (StepPoint[], new ones), `live` (LiveState). */
export type ServerEvent = { event: 'hello'; data: StateResponse } | { event: 'steps'; data: StepPoint[] } | { event: 'live'; data: LiveState };

export interface RolloutRow {
  id: string;
  seq: number;
  step: number;
  policyVersion: number;
  domain: 'math' | 'code';
  groupId: string;
  groupIndex: number;
  index: number;
  groupSize: number;
  responseTokens: number;
  finished: boolean;
  /** The verdict's outcome kind (`correct`, `wrong_answer`, ...), null before the verdict. */
  outcome: string | null;
  reward: 0 | 1 | null;
  /** From the scored group; null before it is scored. */
  advantage: number | null;
  ts: number;
}

/** GET /api/rollouts?step=&domain=&outcome=&reward=&group=&limit=&offset= (newest first). */
export interface RolloutPage {
  total: number;
  rows: RolloutRow[];
}

export interface GroupView {
  id: string;
  members: RolloutRow[];
  rewardMean: number | null;
  rewardStd: number | null;
  completion: 'complete' | 'partial' | null;
  dropped: boolean | null;
}

/** GET /api/rollouts/ID: one rollout whole, with its verdict and its group. */
export interface RolloutDetail extends RolloutRow {
  prompt: string;
  response: string;
  reason: string | null;
  rule: string | null;
  detail: Record<string, unknown> | null;
  verifier: string | null;
  verifyMs: number | null;
  generator: string;
  genMs: number;
  group: GroupView;
}

/** POST /api/scale with {actor, instances}: the same control message as `ace scale`. */
export interface ScaleRequest {
  actor: string;
  instances: number;
}
export interface ScaleResponse {
  actor: string;
  from: number | null;
  to: number;
}
/** Any failed /api request: status 4xx/5xx with this body. */
export interface ApiError {
  error: string;
}
