// Data plane, output side: publish a message with `msgID` = its id, so a re-publish after a
// crash or redelivery is dropped by JetStream's duplicate window. Waits (with backoff)
// while the target stream is full under discard-new: the hard bound that publishers feel.
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { isTransientNatsError } from './manager.ts';

export interface PublishResult {
  seq: number;
  duplicate: boolean;
  stream: string;
}

export interface SinkStats {
  published: number;
  duplicates: number;
  fullWaits: number;
}

const encoder = new TextEncoder();

function isStreamFull(err: unknown): boolean {
  const text = String((err as Error)?.message ?? err);
  return /maximum (messages|bytes) exceeded|10077|10078/i.test(text);
}

function isRetryable(err: unknown): boolean {
  // isTransientNatsError: also "jetstream is not enabled", nats.js's word for a publish that
  // found no responder, which is what a stream electing its leader looks like to a client.
  if (isTransientNatsError(err)) return true;
  const text = String((err as Error)?.message ?? err);
  return /timeout|TIMEOUT|no responders|503|disconnect/i.test(text);
}

export class Sink {
  readonly stats: SinkStats = { published: 0, duplicates: 0, fullWaits: 0 };
  private closed = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly opts: { maxBackoffMs?: number; timeoutMs?: number } = {},
  ) {}

  /** Publish `value` as JSON; `msgID` defaults to `value.id`. Retries until accepted or closed. */
  async publish<T extends { id: string }>(subject: string, value: T, extra: { msgID?: string; headers?: Record<string, string> } = {}): Promise<PublishResult> {
    return this.publishBytes(subject, encoder.encode(JSON.stringify(value)), extra.msgID ?? value.id, extra.headers);
  }

  async publishBytes(subject: string, data: Uint8Array, msgID: string, headers?: Record<string, string>): Promise<PublishResult> {
    let backoffMs = 10;
    for (;;) {
      try {
        const h = headers ? natsHeaders() : undefined;
        if (h && headers) for (const [k, v] of Object.entries(headers)) h.set(k, v);
        const ack: PubAck = await this.js.publish(subject, data, { msgID, headers: h, timeout: this.opts.timeoutMs ?? 10_000 });
        if (ack.duplicate) this.stats.duplicates++;
        else this.stats.published++;
        return { seq: ack.seq, duplicate: ack.duplicate, stream: ack.stream };
      } catch (err) {
        if (this.closed || !(isStreamFull(err) || isRetryable(err))) throw err;
        if (isStreamFull(err)) this.stats.fullWaits++;
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, this.opts.maxBackoffMs ?? 1000);
      }
    }
  }

  /** Stop retrying: a pending publish that is waiting on a full stream fails. */
  close(): void {
    this.closed = true;
  }
}
