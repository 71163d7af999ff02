// Wires a durable consumer to an async handler with bounded concurrency, until the actor
// drains: then it stops pulling, lets in-flight handlers finish and settle, and resolves.
// A handler error naks the message with a delay (redelivered later); settled messages are
// counted under `<actor kind>/acked|naked|termed`.
import { fromEvent, lastValueFrom, mergeMap, takeUntil } from 'rxjs';
import type { z } from 'zod';
import { type ConsumerSpec, ensureConsumer } from '../streams/manager.ts';
import { type Delivery, source$ } from '../streams/source.ts';
import type { ActorContext } from './runtime.ts';

export type Settle = { ack: true } | { nak: number } | { term: string };
export const ACK: Settle = { ack: true };

export interface ConsumeOptions<S extends z.ZodType> extends ConsumerSpec {
  schema: S;
  concurrency: number;
  metricPrefix: string;
  /** Delay before a message whose handler threw is redelivered, ms. Default 1000. */
  retryDelayMs?: number;
}

/** Counts and logs a pull that failed transiently and was retried. */
export function countPullRetry(ctx: ActorContext, metricPrefix: string): (err: Error) => void {
  return (err) => {
    ctx.metrics.inc(`${metricPrefix}/pull_retries`);
    ctx.log(`pull retried: ${err.message}`);
  };
}

export async function consume<S extends z.ZodType>(
  ctx: ActorContext,
  opts: ConsumeOptions<S>,
  handler: (d: Delivery<z.infer<S>>) => Promise<Settle>,
): Promise<void> {
  await ensureConsumer(ctx.jsm, opts);
  const m = opts.metricPrefix;
  const input$ = source$({
    js: ctx.js,
    stream: opts.stream,
    durable: opts.durable,
    schema: opts.schema,
    capacity: opts.concurrency,
    deadLetters: { sink: ctx.sink, subject: ctx.deadLetterSubject },
    onTransientError: countPullRetry(ctx, m),
    onDeadLetter: (dl) => {
      ctx.metrics.inc(`${m}/dead_letters`);
      ctx.log(`dead letter seq ${dl.seq}: ${dl.issues.join('; ')}`);
    },
  });
  const handle = async (d: Delivery<z.infer<S>>): Promise<void> => {
    let outcome: Settle;
    try {
      outcome = await handler(d);
    } catch (err) {
      ctx.log(`handler error on seq ${d.seq} (will be redelivered): ${(err as Error).message}`);
      ctx.metrics.inc(`${m}/handler_errors`);
      outcome = { nak: opts.retryDelayMs ?? 1000 };
    }
    if ('ack' in outcome) {
      d.ack();
      ctx.metrics.inc(`${m}/acked`);
    } else if ('nak' in outcome) {
      d.nak(outcome.nak);
      ctx.metrics.inc(`${m}/naked`);
    } else {
      d.term();
      ctx.metrics.inc(`${m}/termed`);
      ctx.log(`terminated seq ${d.seq}: ${outcome.term}`);
    }
  };
  await lastValueFrom(
    input$.pipe(
      takeUntil(fromEvent(ctx.drain, 'abort')),
      mergeMap((d) => handle(d), opts.concurrency),
    ),
    { defaultValue: undefined },
  );
}
