// InFlightWindow over several durable consumers of one stream (the math and the code verifier
// roles), against a real nats-server: in flight is the sum of their pending and ack-pending
// counts, and a consumer not created yet holds every publish back.
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { useNats } from '../test/support/nats.ts';
import { InFlightWindow } from './backpressure.ts';
import { Sink } from './sink.ts';

describe('InFlightWindow over several consumers', () => {
  const nats = useNats();

  it('sums pending + ack-pending over the consumers, and waits for one not created yet', async () => {
    const jsm = await jetstreamManager(nats.nc);
    const sink = new Sink(jetstream(nats.nc));
    await jsm.streams.add({ name: 'BP1', subjects: ['bp1.>'] });
    await jsm.consumers.add('BP1', { durable_name: 'math', filter_subject: 'bp1.math.>', ack_policy: AckPolicy.Explicit });
    const window = new InFlightWindow(jsm, 'BP1', ['math', 'code'], 5, 5);
    // 'code' does not exist yet: the window reads as full.
    expect(await window.read()).toBe(5);
    const blocked = new AbortController();
    setTimeout(() => blocked.abort(), 100);
    await expect(window.acquire(blocked.signal)).rejects.toThrow(/aborted while waiting/);
    await jsm.consumers.add('BP1', { durable_name: 'code', filter_subject: 'bp1.code.>', ack_policy: AckPolicy.Explicit });

    for (let n = 0; n < 3; n++) await sink.publish(`bp1.math.${n}`, { id: `m${n}` });
    for (let n = 0; n < 2; n++) await sink.publish(`bp1.code.${n}`, { id: `c${n}` });
    expect(await window.read()).toBe(5);
    expect(window.maxSeen).toBe(5);
    // Full: acquire waits until a consumer acks one.
    const waiting = window.acquire();
    await new Promise((r) => setTimeout(r, 50));
    const code = await jetstream(nats.nc).consumers.get('BP1', 'code');
    const m = await code.next();
    m!.ack();
    await waiting;
    expect(window.waits).toBeGreaterThan(0);
    // One code message delivered unacked still counts; after the ack, 4 stored + 1 local acquire.
    expect(await window.read()).toBe(4);
  });
});
