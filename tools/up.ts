// `ace up TOPOLOGY [--nats URL] [--until-idle] [--resume]`: start a topology. Without --nats
// it starts an embedded nats-server child with its own data dir (<state-dir>/nats). Runs the
// supervisor in this process and prints a progress line until `ace down`, Ctrl-C, or (with
// --until-idle) until every source has finished and every consumer is drained.
import { launch } from './launch.ts';
import { args, cli, CliError } from './session.ts';
import { renderSnapshot, snapshot } from './status.ts';
import { loadTopology } from './topology-file.ts';

export async function run(argv: string[]): Promise<number> {
  return cli(async () => {
    const { values, positionals } = args(argv, {
      nats: { type: 'string' },
      'state-dir': { type: 'string', default: '.ace' },
      'run-id': { type: 'string' },
      'until-idle': { type: 'boolean', default: false },
      resume: { type: 'boolean', default: false },
      'progress-ms': { type: 'string', default: '2000' },
    });
    const topologyPath = positionals[0];
    if (!topologyPath) throw new CliError('BAD_ARGS', 'usage: ace up TOPOLOGY [--nats URL] [--until-idle] [--resume] [--state-dir DIR]');
    const topology = loadTopology(topologyPath);
    const log = (line: string) => process.stderr.write(`[up] ${line}\n`);
    const launched = await launch({
      topology,
      topologyPath,
      stateDir: values['state-dir']!,
      natsUrl: values.nats,
      runId: values['run-id'],
      resume: values.resume!,
      log,
    });
    const { supervisor, nc, names, state } = launched;

    let stopReason = '';
    const stop = new Promise<void>((r) => {
      const on = (why: string) => () => {
        stopReason ||= why;
        r();
      };
      process.once('SIGINT', on('SIGINT'));
      process.once('SIGTERM', on('SIGTERM'));
      supervisor.down.then(on('ace down'));
    });

    const sources = Object.entries(topology.actors).filter(([, s]) => s.kind === 'demo-source').map(([a]) => a);
    const session = { nc, names, state };
    const progressMs = Number(values['progress-ms']);
    let idleReads = 0;
    const t0 = Date.now();
    for (;;) {
      const tick = new Promise<'tick'>((r) => setTimeout(() => r('tick'), progressMs));
      if ((await Promise.race([tick, stop.then(() => 'stop' as const)])) === 'stop') break;
      // A status read that does not return must not hold up progress for long, nor a stop at
      // all (an `ace up` in a loaded test run once stopped printing and ignored SIGTERM, its
      // loop most likely waiting on one).
      const read = await Promise.race([
        snapshot(session).then(
          (snap) => ({ snap }),
          (err: unknown) => ({ err }),
        ),
        stop.then(() => 'stop' as const),
        new Promise<'slow'>((r) => setTimeout(() => r('slow'), 10_000).unref()),
      ]);
      if (read === 'stop') break;
      if (read === 'slow') {
        log('status read took over 10 s; skipped');
        continue;
      }
      if ('err' in read) throw read.err;
      const { snap } = read;
      const running = snap.actors.filter((a) => a.state === 'RUNNING' && !a.stale).length;
      const consumers = snap.streams.flatMap((s) => s.consumers);
      const lag = consumers.map((c) => `${c.name} ${c.pending}+${c.ackPending}`).join(', ');
      const msgs = snap.streams.filter((s) => s.messages > 0).map((s) => `${s.name} ${s.messages}`).join(', ');
      log(`${Math.round((Date.now() - t0) / 1000)}s | running ${running} | ${msgs || 'no messages'} | lag ${lag || '-'}`);
      if (values['until-idle']) {
        const drained = consumers.every((c) => c.pending === 0 && c.ackPending === 0);
        idleReads = sources.length > 0 && supervisor.allDone(sources) && drained ? idleReads + 1 : 0;
        if (idleReads >= 2) {
          stopReason = 'idle';
          process.stdout.write(`${renderSnapshot(snap)}\n`);
          break;
        }
      }
    }
    log(`stopping (${stopReason}): draining actors`);
    await launched.stop();
    log('stopped');
    return 0;
  });
}
