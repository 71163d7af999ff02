// The producer side of backpressure: keep at most `max` messages in flight for the downstream
// durable consumers of one stream together (e.g. the math and the code verifier roles), where
// in flight = not yet delivered + delivered and unacked, summed over the consumers' own
// counts. Publishes not yet visible in a reading are counted locally, so the bound holds
// between readings too. Stream limits (discard-new) stay the hard bound.
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

  private readonly durables: readonly string[];

  /** `durables`: each message goes to one of them (their filters do not overlap). */
  constructor(
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    durables: string | readonly string[],
    readonly max: number,
    private readonly pollMs = 20,
  ) {
    this.durables = typeof durables === 'string' ? [durables] : durables;
    if (this.durables.length === 0) throw new Error(`InFlightWindow on ${stream}: no downstream consumer to bound`);
  }

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

  /** Read the consumers' counts; publishes acked before the requests are in the reading. */
  async read(): Promise<number> {
    const completedBefore = this.completed;
    const infos = await Promise.all(
      this.durables.map((d) =>
        this.jsm.consumers.info(this.stream, d).catch((err: Error) => {
          // A downstream actor has not created its consumer yet: nothing may go out until it has.
          if (/consumer not found/i.test(err.message)) return null;
          throw err;
        }),
      ),
    );
    const found = infos.every((i) => i !== null);
    this.measured = found ? infos.reduce((sum, i) => sum + i!.num_pending + i!.num_ack_pending, 0) : this.max;
    this.unmeasured = this.started - completedBefore;
    if (found) this.maxSeen = Math.max(this.maxSeen, this.measured);
    return this.measured;
  }
}
