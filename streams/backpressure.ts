// The producer side of backpressure: keep at most `max` messages in flight for a downstream
// durable consumer, where in flight = not yet delivered + delivered and unacked, read from
// the consumer's own counts. Publishes not yet visible in a reading are counted locally,
// so the bound holds between readings too. Stream limits (discard-new) stay the hard bound.
import type { JetStreamManager } from '@nats-io/jetstream';

export class InFlightWindow {
  /** In flight at the last reading. */
  private measured = 0;
  /** Publishes started and not covered by the last reading. */
  private unmeasured = 0;
  private started = 0;
  private completed = 0;
  /** Highest in-flight count this window has read (for tests and metrics). */
  maxSeen = 0;
  waits = 0;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly durable: string,
    readonly max: number,
    private readonly pollMs = 20,
  ) {}

  /** Resolves when one more message may be published; call `done()` once its publish is acked. */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.started === 0) await this.read();
    while (this.measured + this.unmeasured >= this.max) {
      this.waits++;
      await this.read();
      if (this.measured + this.unmeasured < this.max) break;
      if (signal?.aborted) throw new Error('aborted while waiting for downstream capacity');
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    this.started++;
    this.unmeasured++;
  }

  /** The publish acquired earlier has been acknowledged by the stream. */
  done(): void {
    this.completed++;
  }

  /** Read the consumer's counts; publishes acked before the request are in the reading. */
  async read(): Promise<number> {
    const completedBefore = this.completed;
    const info = await this.jsm.consumers.info(this.stream, this.durable).catch((err: Error) => {
      // The downstream actor has not created its consumer yet: nothing may go out until it has.
      if (/consumer not found/i.test(err.message)) return null;
      throw err;
    });
    this.measured = info ? info.num_pending + info.num_ack_pending : this.max;
    this.unmeasured = this.started - completedBefore;
    if (info) this.maxSeen = Math.max(this.maxSeen, this.measured);
    return this.measured;
  }
}
