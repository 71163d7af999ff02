// GET /metrics: the dashboard's figures in Prometheus text format, written by prom-client
// (a registry per scrape, filled from the collector's state). Step metrics become
// `ace_step_<path>` gauges of the last committed step, heartbeat metrics `ace_actor_<path>`
// gauges with role and instance labels. `ace_last_step_timestamp_seconds` lets an alert
// catch a run that stopped committing.
import { Counter, Gauge, Registry } from 'prom-client';
import type { LiveState, StepPoint } from './api.ts';

/** `reward/mean` -> `reward_mean`: Prometheus names take [a-zA-Z0-9_:] only. */
export function metricName(path: string): string {
  return path.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
}

export const PROM_CONTENT_TYPE = new Registry().contentType;

export async function renderMetrics(live: LiveState, last: StepPoint | null): Promise<string> {
  const reg = new Registry();
  const run = live.runId ?? '';
  reg.setDefaultLabels({ run });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [reg] });

  new Counter({ name: 'ace_steps_committed_total', help: 'optimizer steps committed by the learner', registers: [reg] }).inc(live.committedSteps);
  if (live.lastStepAt !== null) gauge('ace_last_step_timestamp_seconds', 'when the last step was committed (unix seconds)').set(live.lastStepAt / 1000);
  if (last) {
    const stepGauges = new Map<string, Gauge>();
    for (const [path, value] of Object.entries(last.metrics)) {
      const name = `ace_step_${metricName(path)}`;
      if (!Number.isFinite(value) || stepGauges.has(name)) continue;
      const g = gauge(name, `learner step metric ${path} of the last committed step`, ['stage', 'domain']);
      g.set({ stage: last.stage ?? '', domain: last.domain ?? '' }, value);
      stepGauges.set(name, g);
    }
  }

  const messages = gauge('ace_stream_messages', 'messages stored in the stream', ['stream']);
  const bytes = gauge('ace_stream_bytes', 'bytes stored in the stream', ['stream']);
  const lastSeq = new Counter({ name: 'ace_stream_last_seq_total', help: "the stream's last sequence (messages ever stored)", labelNames: ['stream'], registers: [reg] });
  const pending = gauge('ace_consumer_pending', 'messages not yet delivered to the consumer', ['stream', 'consumer']);
  const ackPending = gauge('ace_consumer_ack_pending', 'messages delivered and not yet acked', ['stream', 'consumer']);
  const redelivered = gauge('ace_consumer_redelivered', 'messages delivered more than once and not yet acked', ['stream', 'consumer']);
  for (const s of live.streams) {
    messages.set({ stream: s.name }, s.messages);
    bytes.set({ stream: s.name }, s.bytes);
    lastSeq.inc({ stream: s.name }, s.lastSeq);
    for (const c of s.consumers) {
      if (!c.durable) continue; // readers come and go; their names are random
      pending.set({ stream: s.name, consumer: c.name }, c.pending);
      ackPending.set({ stream: s.name, consumer: c.name }, c.ackPending);
      redelivered.set({ stream: s.name, consumer: c.name }, c.redelivered);
    }
  }
  if (live.window) {
    gauge('ace_window_in_flight', "rollouts published and not yet verified (the generators' backpressure window)").set(live.window.inFlight);
    gauge('ace_window_max', 'the backpressure window bound (maxUnverified)').set(live.window.max);
  }

  const desired = gauge('ace_role_desired_instances', 'instances asked for (ace scale)', ['role']);
  const running = gauge('ace_role_running_instances', 'instances with a live heartbeat', ['role']);
  for (const r of live.roles) {
    if (r.desired !== null) desired.set({ role: r.actor }, r.desired);
    running.set({ role: r.actor }, r.running);
  }
  const up = gauge('ace_actor_up', '1 for an instance whose heartbeat is live, else 0', ['role', 'instance', 'state']);
  const cpu = gauge('ace_actor_cpu_percent', 'CPU use between the last two heartbeats, % of one core', ['role', 'instance']);
  const actorGauges = new Map<string, Gauge>();
  for (const a of live.actors) {
    const labels = { role: a.actor, instance: a.instance };
    up.set({ ...labels, state: a.state }, a.stale || a.state === 'STOPPED' || a.state === 'FAILED' ? 0 : 1);
    if (a.cpuPct !== null) cpu.set(labels, a.cpuPct);
    for (const [path, value] of Object.entries(a.metrics)) {
      if (!Number.isFinite(value)) continue;
      const name = `ace_actor_${metricName(path)}`;
      let g = actorGauges.get(name);
      if (!g) {
        g = gauge(name, `heartbeat metric ${path}`, ['role', 'instance']);
        actorGauges.set(name, g);
      }
      g.set(labels, value);
    }
  }

  const stuck = gauge('ace_stuck_items', `work that has waited past the threshold (${Math.round(live.stuckAfterMs / 1000)} s)`, ['kind']);
  for (const kind of ['task', 'rollout', 'group', 'step']) stuck.set({ kind }, live.stuck.filter((s) => s.kind === kind).length);
  new Counter({ name: 'ace_dead_letters_total', help: 'messages dead-lettered (failed validation)', registers: [reg] }).inc(live.deadLetters.count);
  return reg.metrics();
}
