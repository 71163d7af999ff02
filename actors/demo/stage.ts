// demo-stage: consumes demo items, spends `workMs` of CPU on each, and forwards them with
// its name appended; the msgID (target token + item id) makes a redelivery idempotent.
import { DemoItem } from '../../contracts/demo.ts';
import { subject } from '../../streams/topology.ts';
import { burnCpu } from '../burn.ts';
import { ACK, consume } from '../consume.ts';
import type { ActorDefinition } from '../runtime.ts';
import { DemoStageConfig } from './config.ts';

export const demoStage: ActorDefinition<typeof DemoStageConfig> = {
  kind: 'demo-stage',
  config: DemoStageConfig,
  async run(ctx, cfg) {
    const names = ctx.names;
    const to = cfg.to ? subject(names.prefix, 'demo', cfg.to) : null;
    await consume(
      ctx,
      {
        stream: names.streams.demo.name,
        durable: ctx.actor,
        filterSubject: subject(names.prefix, 'demo', cfg.from),
        schema: DemoItem,
        concurrency: cfg.concurrency,
        ackWaitMs: cfg.ackWaitMs,
        metricPrefix: 'stage',
      },
      async (d) => {
        if (cfg.workMs > 0) burnCpu(cfg.workMs);
        ctx.metrics.inc('stage/processed');
        if (d.redeliveryCount > 0) ctx.metrics.inc('stage/redelivered');
        if (to) {
          const out: DemoItem = { ...d.value, ts: Date.now(), hops: [...d.value.hops, ctx.actor] };
          const r = await ctx.sink.publish(to, out, { msgID: `${cfg.to}:${out.id}` });
          if (r.duplicate) ctx.metrics.inc('stage/duplicates_dropped');
        }
        return ACK;
      },
    );
  },
};
