// source$ against a real nats-server: never more deliveries outstanding than its capacity,
// pulls in batches (a new pull once half the capacity, at most 64, is free), and an invalid message goes
// to the dead-letter subject while the stream goes on, terminated for good (delivered and
// copied once, out of the backpressure window).
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useNats } from '../test/support/nats.ts';
import { InFlightWindow } from './backpressure.ts';
import { Sink } from './sink.ts';
import { type DeadLetter, type Delivery, source$ } from './source.ts';

const Msg = z.object({ id: z.string(), n: z.int() });
type Msg = z.infer<typeof Msg>;

const until = async (what: string, fn: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('source$', () => {
  const nats = useNats();

  /** Stream NAME on `<name>.>` (plus its dead-letter stream on `dlq.<name>`), durable `c`. */
  const setup = async (name: string, ackWaitMs = 30_000) => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.add({ name: name.toUpperCase(), subjects: [`${name}.>`] });
    await jsm.streams.add({ name: `DLQ_${name.toUpperCase()}`, subjects: [`dlq.${name}`] });
    await jsm.consumers.add(name.toUpperCase(), { durable_name: 'c', ack_policy: AckPolicy.Explicit, ack_wait: nanos(ackWaitMs) });
    const js = jetstream(nats.nc);
    return { jsm, js, sink: new Sink(js) };
  };

  it('holds at most capacity deliveries and pulls again once half of it is free', async () => {
    const { jsm, js, sink } = await setup('src1');
    for (let n = 0; n < 20; n++) await sink.publish('src1.x', { id: `m${n}`, n });
    const held: Delivery<Msg>[] = [];
    const seen: number[] = [];
    const sub = source$({ js, stream: 'SRC1', durable: 'c', schema: Msg, capacity: 8, deadLetters: { sink, subject: 'dlq.src1' } }).subscribe((d) => {
      held.push(d);
      seen.push(d.value.n);
    });
    try {
      await until('the first 8 deliveries', () => held.length === 8);
      await new Promise((r) => setTimeout(r, 300));
      expect(held.length).toBe(8); // capacity reached: nothing more is pulled
      // Three settled: 5 outstanding, room 3 < 4: still no pull.
      for (const d of held.splice(0, 3)) d.ack();
      await new Promise((r) => setTimeout(r, 300));
      expect(held.length).toBe(5);
      expect((await jsm.consumers.info('SRC1', 'c')).num_ack_pending).toBe(5);
      // A fourth: room 4, one pull for 4 more.
      held.shift()!.ack();
      await until('4 more deliveries', () => held.length === 8);
      await new Promise((r) => setTimeout(r, 300));
      expect(held.length).toBe(8);
      expect((await jsm.consumers.info('SRC1', 'c')).num_ack_pending).toBeLessThanOrEqual(8);
      // Settle everything as it comes: all 20, in order, each once.
      const drain = setInterval(() => {
        for (const d of held.splice(0)) d.ack();
      }, 5);
      await until('all 20', () => seen.length === 20);
      clearInterval(drain);
      for (const d of held.splice(0)) d.ack();
      expect(seen).toEqual(Array.from({ length: 20 }, (_, n) => n));
    } finally {
      sub.unsubscribe();
    }
  });

  it('pulls again once 64 are free when half the capacity is more', async () => {
    const { js, sink } = await setup('src3');
    await Promise.all(Array.from({ length: 300 }, (_, n) => sink.publish('src3.x', { id: `m${n}`, n })));
    const held: Delivery<Msg>[] = [];
    const sub = source$({ js, stream: 'SRC3', durable: 'c', schema: Msg, capacity: 200, deadLetters: { sink, subject: 'dlq.src3' } }).subscribe((d) => held.push(d));
    try {
      await until('200 deliveries', () => held.length === 200);
      for (const d of held.splice(0, 63)) d.ack();
      await new Promise((r) => setTimeout(r, 300));
      expect(held.length).toBe(137);
      held.shift()!.ack();
      await until('64 more', () => held.length === 200);
    } finally {
      sub.unsubscribe();
      for (const d of held) d.ack();
    }
  });

  it('dead-letters a message that fails its schema and delivers the rest', async () => {
    const { jsm, js, sink } = await setup('src2');
    await sink.publish('src2.x', { id: 'a', n: 1 });
    await sink.publish('src2.x', { id: 'b', n: 'two' });
    await sink.publish('src2.x', { id: 'c', n: 3 });
    const seen: number[] = [];
    const sub = source$({ js, stream: 'SRC2', durable: 'c', schema: Msg, capacity: 1, deadLetters: { sink, subject: 'dlq.src2' } }).subscribe((d) => {
      seen.push(d.value.n);
      d.ack();
    });
    try {
      await until('the two valid messages', () => seen.length === 2);
      expect(seen).toEqual([1, 3]);
      const dl = await jsm.streams.getMessage('DLQ_SRC2', { last_by_subj: 'dlq.src2' });
      const letter = dl!.json<{ seq: number; issues: string[] }>();
      expect(letter.seq).toBe(2);
      expect(letter.issues.join(' ')).toMatch(/n/);
    } finally {
      sub.unsubscribe();
    }
  });

  // Regression: the source terminated with a reason (`+TERM <reason>`), which nats-server 2.9
  // (the one we ship) ignores, so every dead letter stayed ack-pending, was redelivered and
  // copied again each ack wait, and held a place in the producer's backpressure window.
  it('dead letters are terminated for good: delivered and copied once, not pending, out of the window', async () => {
    const ackWaitMs = 500;
    const { jsm, js, sink } = await setup('src4', ackWaitMs);
    const bad = new Set([2, 5, 6, 9]);
    for (let n = 0; n < 12; n++) {
      if (n === 9) await sink.publishBytes('src4.x', new TextEncoder().encode('{not json'), `m${n}`);
      else await sink.publish('src4.x', bad.has(n) ? { id: `m${n}`, n: `bad ${n}` } : { id: `m${n}`, n });
    }
    const seen: number[] = [];
    const letters: DeadLetter[] = [];
    const sub = source$({
      js,
      stream: 'SRC4',
      durable: 'c',
      schema: Msg,
      capacity: 4,
      deadLetters: { sink, subject: 'dlq.src4' },
      onDeadLetter: (dl) => letters.push(dl),
    }).subscribe((d) => {
      seen.push(d.value.n);
      d.ack();
    });
    try {
      await until('the valid messages', () => seen.length === 12 - bad.size);
      // Several ack waits: a dead letter left ack-pending would come back in each of them.
      await new Promise((r) => setTimeout(r, 5 * ackWaitMs));
      expect(seen).toEqual([0, 1, 3, 4, 7, 8, 10, 11]);
      expect(letters.map((l) => l.seq)).toEqual([3, 6, 7, 10]);
      expect(letters.every((l) => l.issues.length > 0)).toBe(true);
      expect(letters.at(-1)!.issues[0]).toMatch(/not JSON/);
      // Copied once each: no re-publish that the duplicate window had to drop.
      expect(sink.stats.duplicates).toBe(0);
      expect((await jsm.streams.info('DLQ_SRC4')).state.messages).toBe(bad.size);
      const info = await jsm.consumers.info('SRC4', 'c');
      expect(info.delivered.consumer_seq).toBe(12); // every message delivered exactly once
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_redelivered).toBe(0);
      expect(info.num_pending).toBe(0);
      // A producer's window as wide as the number of dead letters is entirely free.
      const window = new InFlightWindow(jsm, 'SRC4', 'c', bad.size, 5);
      expect(await window.read()).toBe(0);
      for (let i = 0; i < bad.size; i++) await window.acquire();
      expect(window.waits).toBe(0);
    } finally {
      sub.unsubscribe();
    }
  });
});
