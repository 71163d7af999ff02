// Reading a recorded range of a stream: an ephemeral consumer without acks, from a sequence
// or a start time, optionally filtered, that stops at the stream's last message as of the
// call (or at `toSeq`). Used by replay, re-verification and tests; not for live consumption.
import { AckPolicy, DeliverPolicy, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { retryTransient } from './manager.ts';

export interface RangeOptions {
  fromSeq?: number;
  /** Start at the first message stored at or after this time (instead of fromSeq). */
  since?: Date;
  toSeq?: number;
  filterSubject?: string;
}

export async function* readRange(nc: NatsConnection, stream: string, o: RangeOptions = {}): AsyncGenerator<JsMsg> {
  // The set-up waits out an election (a cluster that lost a server); the reads then need none.
  const jsm = await retryTransient(() => jetstreamManager(nc));
  const lastSeq = Math.min((await retryTransient(() => jsm.streams.info(stream))).state.last_seq, o.toSeq ?? Number.POSITIVE_INFINITY);
  const ci = await retryTransient(() =>
    jsm.consumers.add(stream, {
      ack_policy: AckPolicy.None,
      inactive_threshold: nanos(30_000),
      ...(o.filterSubject ? { filter_subject: o.filterSubject } : {}),
      ...(o.since
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: o.since.toISOString() }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, o.fromSeq ?? 1) }),
    }),
  );
  try {
    const c = await jetstream(nc).consumers.get(stream, ci.name);
    let pending = ci.num_pending;
    while (pending > 0) {
      const batch = await c.fetch({ max_messages: Math.min(pending, 500), expires: 2000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        pending = m.info.pending;
        if (m.seq > lastSeq) return;
        yield m;
      }
      if (got === 0) return;
    }
  } finally {
    await jsm.consumers.delete(stream, ci.name).catch(() => {});
  }
}
