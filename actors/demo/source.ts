// demo-source: publishes `count` demo items, resuming from its last recorded progress after a
// restart (a re-published item is dropped by its msgID), honouring the downstream window.
import type { DemoItem } from '../../contracts/demo.ts';
import { InFlightWindow } from '../../streams/backpressure.ts';
import { openKv } from '../../streams/manager.ts';
import { subject } from '../../streams/topology.ts';
import type { ActorDefinition } from '../runtime.ts';
import { DemoSourceConfig } from './config.ts';

export const demoSource: ActorDefinition<typeof DemoSourceConfig> = {
  kind: 'demo-source',
  config: DemoSourceConfig,
  async run(ctx, cfg) {
    const kv = await openKv(ctx.nc, ctx.names.kv.run);
    const progressKey = `progress.${ctx.actor}.${ctx.instance}`;
    const entry = await kv.get(progressKey);
    let next = entry?.value.length ? Number(entry.string()) : 0;
    if (next > 0) ctx.log(`resuming at ${next} of ${cfg.count}`);
    const window = cfg.downstream
      ? new InFlightWindow(ctx.jsm, ctx.names.streams.demo.name, cfg.downstream, ctx.topology.maxUnverified)
      : null;
    const payload = 'x'.repeat(cfg.payloadBytes);
    const to = subject(ctx.names.prefix, 'demo', cfg.to);
    // seq -> its publish; the smallest seq in here is where a restart must resume.
    const inflight = new Map<number, Promise<void>>();
    const resumePoint = () => (inflight.size ? Math.min(...inflight.keys()) : next);

    while (next < cfg.count && !ctx.drain.aborted) {
      try {
        await window?.acquire(ctx.drain);
      } catch (err) {
        // Drained while the window was full: a clean stop, this item not yet published.
        if (ctx.drain.aborted) break;
        throw err;
      }
      const seq = next++;
      const item: DemoItem = {
        kind: 'demo',
        id: `${ctx.runId}.${ctx.actor}.${ctx.instance}.${seq}`,
        runId: ctx.runId,
        step: 0,
        policyVersion: 0,
        ts: Date.now(),
        seq,
        payload,
        hops: [ctx.actor],
      };
      const p: Promise<void> = ctx.sink.publish(to, item, { msgID: `${cfg.to}:${item.id}` }).then((r) => {
        window?.done();
        ctx.metrics.inc(r.duplicate ? 'source/duplicates' : 'source/published');
        inflight.delete(seq);
      });
      inflight.set(seq, p);
      if (window) {
        ctx.metrics.set('source/max_in_flight_seen', window.maxSeen);
        ctx.metrics.set('source/window_waits', window.waits);
      }
      if (inflight.size >= cfg.pipeline) await Promise.race(inflight.values());
      if (seq % 100 === 99) await kv.put(progressKey, String(resumePoint()));
    }
    await Promise.all(inflight.values());
    await kv.put(progressKey, String(next));
    ctx.log(`published through ${next} of ${cfg.count}`);
  },
};
