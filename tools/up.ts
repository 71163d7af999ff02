// `ace up TOPOLOGY [--nats URL] [--until-idle] [--resume]`: start a topology. Without --nats
// it starts an embedded nats-server child with its own data dir (<state-dir>/nats). Runs the
// supervisor in this process and prints a progress line until `ace down`, Ctrl-C, or (with
// --until-idle) until every source has finished and every consumer is drained.
import { launch } from './launch.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { renderSnapshot, snapshot } from './status.ts';
import { loadTopology } from './topology-file.ts';

export const command = defineCommand({
  name: 'up',
  summary: 'start a topology (embedded nats-server by default) and supervise its actors',
  description: 'Prints a progress line until `ace down`, Ctrl-C, or (with --until-idle) until every source has\nfinished and every consumer is drained.',
  args: [{ name: 'TOPOLOGY', help: 'topology file (JSON; see topologies/)', required: true }],
  flags: {
    nats: { schema: z.string().optional(), help: 'use a running NATS server at this URL instead of starting one', value: 'URL' },
    'state-dir': { schema: z.string().default('.ace'), help: 'state file up.json and the embedded server\'s data', value: 'DIR' },
    'run-id': { schema: z.string().optional(), help: 'run id (default: a new one)', value: 'ID' },
    'until-idle': { schema: z.boolean().default(false), help: 'stop once every source has finished and every consumer is drained' },
    resume: { schema: z.boolean().default(false), help: 'continue the run recorded in the state dir' },
    'progress-ms': { schema: z.int().min(100).max(3_600_000).default(2000), help: 'time between progress lines, ms', value: 'MS' },
  },
  examples: ['ace up topologies/demo.json --until-idle', 'ace up my-topology.json --nats nats://127.0.0.1:4222'],
  async run(values, positionals) {
    const topologyPath = positionals[0];
    const topology = loadTopology(topologyPath);
    const log = (line: string) => process.stderr.write(`[up] ${line}\n`);
    const launched = await launch({
      topology,
      topologyPath,
      stateDir: values['state-dir'],
      natsUrl: values.nats,
      runId: values['run-id'],
      resume: values.resume,
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
    const progressMs = values['progress-ms'];
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
  },
});
