// The sink against a real nats-server: msgID de-duplication, and discard-new as a bound the
// publisher waits on rather than a silent drop.
import { DiscardPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { useNats } from '../test/support/nats.ts';
import { Sink } from './sink.ts';

describe('sink', () => {
  const nats = useNats();

  it('drops a re-published message with the same id', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.add({ name: 'S1', subjects: ['s1.>'] });
    const sink = new Sink(jetstream(nats.nc));
    const a = await sink.publish('s1.x', { id: 'm-1' });
    const b = await sink.publish('s1.x', { id: 'm-1' });
    const c = await sink.publish('s1.x', { id: 'm-2' });
    expect([a.duplicate, b.duplicate, c.duplicate]).toEqual([false, true, false]);
    expect(b.seq).toBe(a.seq);
    expect((await jsm.streams.info('S1')).state.messages).toBe(2);
    expect(sink.stats).toEqual({ published: 2, duplicates: 1, fullWaits: 0 });
  });

  it('waits while a discard-new stream is full and publishes once there is room', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.add({ name: 'S2', subjects: ['s2.>'], max_msgs: 2, discard: DiscardPolicy.New });
    const sink = new Sink(jetstream(nats.nc), { maxBackoffMs: 20 });
    await sink.publish('s2.x', { id: 'a' });
    await sink.publish('s2.x', { id: 'b' });
    let done = false;
    const third = sink.publish('s2.x', { id: 'c' }).then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false);
    expect(sink.stats.fullWaits).toBeGreaterThan(0);
    await jsm.streams.deleteMessage('S2', 1);
    expect((await third).duplicate).toBe(false);
    expect((await jsm.streams.info('S2')).state.messages).toBe(2);
  });
});
