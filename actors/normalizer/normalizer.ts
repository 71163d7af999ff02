// advantage-normalizer: joins verdicts per group (GroupJoiner) and publishes each closed group
// with its advantages. A verdict is acked only after its group is durably published, so a
// crash loses nothing: the held verdicts are redelivered and the group is rebuilt; the scored
// group's msgID (the group id) keeps a second publish from reaching the learner.
import { Verdict } from '../../contracts/verdict.ts';
import { type Delivery } from '../../streams/source.ts';
import { consume } from '../consume.ts';
import { rlSubjects } from '../rl-subjects.ts';
import type { ActorDefinition } from '../runtime.ts';
import { NormalizerConfig } from './config.ts';
import { type Closed, GroupJoiner } from './joiner.ts';

export const normalizer: ActorDefinition<typeof NormalizerConfig> = {
  kind: 'normalizer',
  config: NormalizerConfig,
  async run(ctx, cfg) {
    // Twice the ack wait: a redelivered verdict is due within one ack wait of the settle, and
    // the second covers its wait for a pull while this consumer is at capacity.
    const joiner = new GroupJoiner({ groupTimeoutMs: cfg.groupTimeoutMs, dropDegenerate: cfg.dropDegenerate, overlongFilter: cfg.overlongFilter, lateWindowMs: 2 * cfg.ackWaitMs });
    const subjects = rlSubjects(ctx.names, ctx.runId);
    // Deliveries held until their group is published: group id -> resolvers of their handlers.
    const held = new Map<string, { settle: (how: 'published' | 'released') => void; d: Delivery<Verdict> }[]>();

    const publish = async (c: Closed) => {
      const g = c.group;
      if (g.completion === 'partial') ctx.log(`group ${g.groupId} closed partial after ${cfg.groupTimeoutMs} ms: missing members ${g.missing.join(',')}`);
      await ctx.sink.publish(subjects.scored(g.step), g, { msgID: `scored:${g.groupId}` });
      ctx.metrics.inc(`normalizer/groups_${g.completion}`);
      if (g.dropped) ctx.metrics.inc('normalizer/groups_dropped');
      for (const h of held.get(g.groupId) ?? []) h.settle('published');
      held.delete(g.groupId);
      joiner.settled(g.groupId, Date.now()); // its handlers ack now
    };

    const ticker = setInterval(() => {
      for (const c of joiner.expire(Date.now())) publish(c).catch((err) => ctx.log(`publish failed: ${err.message}`));
      // Keep held verdicts from being redelivered while their group is still filling.
      for (const list of held.values()) for (const h of list) h.d.working();
      ctx.metrics.set('normalizer/open_groups', joiner.open);
      ctx.metrics.set('normalizer/closed_groups', joiner.closed);
    }, 1000);
    // Draining: hand held verdicts back (nak) so the next instance rebuilds their groups.
    ctx.drain.addEventListener('abort', () => {
      for (const list of held.values()) for (const h of list) h.settle('released');
      held.clear();
    });

    try {
      await consume(
        ctx,
        {
          stream: ctx.names.streams.verdicts.name,
          durable: 'normalizer',
          filterSubject: subjects.all('verdicts'),
          schema: Verdict,
          concurrency: cfg.capacity,
          maxAckPending: cfg.capacity,
          ackWaitMs: cfg.ackWaitMs,
          metricPrefix: 'normalizer',
        },
        async (d) => {
          const r = joiner.add(d.value, Date.now());
          if (r === 'duplicate' || r === 'late') {
            ctx.metrics.inc(`normalizer/${r}`);
            return { ack: true };
          }
          const wait = new Promise<'published' | 'released'>((settle) => {
            const list = held.get(d.value.groupId) ?? [];
            list.push({ settle, d });
            held.set(d.value.groupId, list);
          });
          if (r) await publish(r);
          return (await wait) === 'published' ? { ack: true } : { nak: 0 };
        },
      );
    } finally {
      clearInterval(ticker);
    }
  },
};
