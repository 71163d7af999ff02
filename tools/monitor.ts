// `ace monitor [--interval-ms N] [--iterations N]`: a live terminal view of a running topology:
// stream rates, consumer lag, actor states and the latest training metrics, redrawn in place.
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { openSession, SESSION_FLAGS, withSession } from './session.ts';
import { renderSnapshot, type Snapshot, snapshot } from './status.ts';

export const command = defineCommand({
  name: 'monitor',
  summary: 'live view of stream rates, lag, actors and training metrics, redrawn in place',
  flags: {
    ...SESSION_FLAGS,
    'interval-ms': { schema: z.int().min(100).max(3_600_000).default(1000), help: 'time between redraws, ms', value: 'MS' },
    iterations: { schema: z.int().min(0).default(0), help: 'redraws before exiting; 0 = until Ctrl-C' },
  },
  examples: ['ace monitor', 'ace monitor --state-dir runs/default --interval-ms 2000'],
  async run(flags) {
    const intervalMs = flags['interval-ms'];
    const iterations = flags.iterations;
    const tty = process.stdout.isTTY;
    let stop = false;
    process.once('SIGINT', () => (stop = true));
    let prev: Snapshot | null = null;
    return withSession(await openSession(flags, 'ace-monitor'), async (session) => {
      for (let i = 0; !stop && (iterations === 0 || i < iterations); i++) {
        const snap = await snapshot(session);
        const rates: Record<string, number> = {};
        if (prev) {
          const dt = (snap.ts - prev.ts) / 1000;
          for (const s of snap.streams) {
            const before = prev.streams.find((p) => p.name === s.name);
            rates[s.name] = before ? (s.lastSeq - before.lastSeq) / dt : 0;
          }
        }
        const header = `ace monitor  ${new Date(snap.ts).toISOString()}  run ${session.state?.runId ?? '?'}  (Ctrl-C to quit)\n\n`;
        process.stdout.write(`${tty ? '\x1b[2J\x1b[H' : ''}${header}${renderSnapshot(snap, rates)}\n${tty ? '' : '\n'}`);
        prev = snap;
        if (iterations === 0 || i + 1 < iterations) await new Promise((r) => setTimeout(r, intervalMs));
      }
      return 0;
    });
  },
});
