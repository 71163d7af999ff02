// `ace monitor [--interval-ms N] [--iterations N]`: a live terminal view of a running topology:
// stream rates, consumer lag, actor states and the latest training metrics, redrawn in place.
import { args, cli, openSession, SESSION_OPTIONS } from './session.ts';
import { renderSnapshot, type Snapshot, snapshot } from './status.ts';

export async function run(argv: string[]): Promise<number> {
  return cli(async () => {
    const { values } = args(argv, { ...SESSION_OPTIONS, 'interval-ms': { type: 'string', default: '1000' }, iterations: { type: 'string', default: '0' } });
    const session = await openSession(values, 'ace-monitor');
    const intervalMs = Number(values['interval-ms']);
    const iterations = Number(values.iterations);
    const tty = process.stdout.isTTY;
    let stop = false;
    process.once('SIGINT', () => (stop = true));
    let prev: Snapshot | null = null;
    try {
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
    } finally {
      await session.nc.close();
    }
  });
}
