// Data plane, input side: a durable pull consumer as an Observable of deliveries, each
// with ack / nak (with delay) / term. Pulls only as many messages as there is room for
// (`capacity` minus deliveries not yet settled; a new pull once half of it, at most 64, is
// free), so nothing sits in a client buffer when the actor drains. A message that is not
// JSON or fails its schema is terminated and copied to the dead-letter subject with its zod
// issues; the stream goes on. Every TERM is bare: nats-server 2.9 (the one we ship) ignores a
// `+TERM <reason>` and redelivers the message at each ack wait, so reasons travel in the dead
// letter or the caller's log, never in the TERM.
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { Observable } from 'rxjs';
import type { z } from 'zod';
import { formatIssues } from '../contracts/issues.ts';
import { retryTransient } from './manager.ts';
import type { Sink } from './sink.ts';

export interface Delivery<T> {
  value: T;
  subject: string;
  /** Stream sequence. */
  seq: number;
  redeliveryCount: number;
  ack(): void;
  nak(delayMs?: number): void;
  /** Never redelivered; log why yourself (see the header). */
  term(): void;
  /** Extends the ack deadline for long work. */
  working(): void;
}

export interface DeadLetter {
  id: string;
  stream: string;
  consumer: string;
  subject: string;
  seq: number;
  /** The original payload as text (capped at 64 KB). */
  data: string;
  issues: string[];
  ts: number;
}

export interface SourceOptions<S extends z.ZodType> {
  js: JetStreamClient;
  stream: string;
  durable: string;
  schema: S;
  /** Deliveries handed out and not yet settled, at most. */
  capacity: number;
  /** Where invalid messages go: a sink and the dead-letter subject. */
  deadLetters: { sink: Sink; subject: string };
  /** How long one pull waits for messages, ms. Default 1000. */
  expiresMs?: number;
  onDeadLetter?: (dl: DeadLetter) => void;
  /** A pull failed transiently and is retried (for metrics and logs). */
  onTransientError?: (err: Error) => void;
}

const decoder = new TextDecoder();

export function isTransientPullError(err: unknown): boolean {
  return /heartbeats missed|timeout|disconnect|connection closed|503/i.test(String((err as Error)?.message ?? err));
}

export function source$<S extends z.ZodType>(opts: SourceOptions<S>): Observable<Delivery<z.infer<S>>> {
  return new Observable<Delivery<z.infer<S>>>((subscriber) => {
    let closed = false;
    let outstanding = 0;
    let wake: (() => void) | null = null;
    const settle = () => {
      outstanding--;
      const w = wake;
      wake = null;
      w?.();
    };

    const deliver = async (m: JsMsg): Promise<void> => {
      const text = decoder.decode(m.data);
      let issues: string[] | null = null;
      let value: unknown;
      try {
        const parsed = opts.schema.safeParse(JSON.parse(text));
        if (parsed.success) value = parsed.data;
        else issues = formatIssues(parsed.error.issues);
      } catch (err) {
        issues = [`(root): not JSON: ${(err as Error).message}`];
      }
      if (issues) {
        const dl: DeadLetter = {
          id: `dlq.${opts.stream}.${m.seq}`,
          stream: opts.stream,
          consumer: opts.durable,
          subject: m.subject,
          seq: m.seq,
          data: text.slice(0, 65536),
          issues,
          ts: Date.now(),
        };
        await opts.deadLetters.sink.publish(opts.deadLetters.subject, dl);
        m.term();
        opts.onDeadLetter?.(dl);
        return;
      }
      outstanding++;
      let settled = false;
      const once = (fn: () => void) => () => {
        if (settled) return;
        settled = true;
        fn();
        settle();
      };
      subscriber.next({
        value: value as z.infer<S>,
        subject: m.subject,
        seq: m.seq,
        redeliveryCount: m.info.deliveryCount - 1,
        ack: once(() => m.ack()),
        nak: (delayMs?: number) => once(() => m.nak(delayMs))(),
        term: once(() => m.term()),
        working: () => m.working(),
      });
    };

    // Pull again once half the capacity (at most 64) is free, not at every settled delivery:
    // a busy actor then pulls in batches, where one pull per message costs several times the
    // CPU (client and server) of the message itself. The cap keeps an actor that holds many
    // deliveries (the normalizer, waiting for groups to complete) pulling while it has room.
    const refill = Math.max(1, Math.min(64, Math.floor(opts.capacity / 2)));
    (async () => {
      // A lookup that meets an election is waited out like a pull that does.
      const consumer = await retryTransient(() => opts.js.consumers.get(opts.stream, opts.durable), { onRetry: (err) => opts.onTransientError?.(err) });
      while (!closed) {
        const room = opts.capacity - outstanding;
        if (room < refill) {
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        try {
          const batch = await consumer.fetch({ max_messages: room, expires: opts.expiresMs ?? 1000 });
          for await (const m of batch) {
            // Pulled after the subscriber left: hand it straight back for another instance.
            if (closed) m.nak();
            else await deliver(m);
          }
        } catch (err) {
          // A pull that saw no server heartbeat in time (a starved event loop on a busy
          // machine, a reconnect) is not fatal: pull again. Anything else is.
          if (!isTransientPullError(err)) throw err;
          opts.onTransientError?.(err as Error);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      subscriber.complete();
    })().catch((err) => {
      if (!closed) subscriber.error(err);
    });

    return () => {
      closed = true;
      const w = wake;
      wake = null;
      w?.();
    };
  });
}
