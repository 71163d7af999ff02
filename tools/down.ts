// `ace down`: asks a running `ace up` to drain its actors and stop; waits until it has.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DOWN_KEY, downCommand, hostDownKey } from '../actors/control.ts';
import { openKv } from '../streams/manager.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { CliError, openSession, SESSION_FLAGS, withSession } from './session.ts';
import { assertRunning, snapshot } from './status.ts';

export const command = defineCommand({
  name: 'down',
  summary: 'drain and stop a running topology (or one joined host of it); waits until it has stopped',
  description:
    'Every host of the run stops: the `ace up` that started it and each `ace up --join`. With --host, only that joined host.\n' +
    'Run on the machine of the `ace up`, it waits for its state file to go; from elsewhere (--nats), until no actor instance is alive.',
  flags: {
    ...SESSION_FLAGS,
    'timeout-s': { schema: z.number().positive().default(60), help: 'how long to wait for the stop, s', value: 'S' },
    host: { schema: z.string().optional(), help: 'stop only this joined host (`ace up --join`)', value: 'NAME' },
  },
  examples: ['ace down', 'ace down --state-dir runs/default --timeout-s 120', 'ace down --host gpu-2 --nats nats://10.0.0.1:4222'],
  async run(values) {
    const session = await openSession(values, 'ace-down');
    const host = values.host;
    const upFile = join(values['state-dir'], 'up.json');
    const local = session.state !== null && existsSync(upFile);
    return withSession(session, async () => {
      const snap = await snapshot(session);
      assertRunning(session, snap);
      const kv = await openKv(session.nc, session.names.kv.run);
      if (host !== undefined) {
        if (!snap.hosts.some((h) => h.host === host)) throw new CliError('UNKNOWN_HOST', `no joined host '${host}' in the running topology (joined: ${snap.hosts.map((h) => h.host).join(', ') || 'none'})`);
        await kv.put(hostDownKey(host), downCommand(session.state?.runId ?? 'unknown'));
      } else await kv.put(DOWN_KEY, downCommand(session.state?.runId ?? 'unknown'));
      // Stopped: the host's record gone; the run's `ace up` gone (its state file here, or
      // every instance and joined host of the run when this is another machine).
      const stopped = async () => {
        if (host !== undefined) return !(await snapshot(session)).hosts.some((h) => h.host === host);
        if (local) return !existsSync(upFile);
        const s = await snapshot(session);
        return s.hosts.length === 0 && !s.actors.some((a) => a.state !== 'STOPPED' && !a.stale);
      };
      const deadline = Date.now() + values['timeout-s'] * 1000;
      process.stderr.write(`[down] draining${host === undefined ? '' : ` host ${host}`}`);
      let done = await stopped();
      while (!done && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        process.stderr.write('.');
        done = await stopped();
      }
      process.stderr.write('\n');
      if (!done) {
        process.stderr.write(`[down] still running after ${values['timeout-s']} s${session.state ? ` (pid ${session.state.pid})` : ''}\n`);
        return 1;
      }
      process.stderr.write('[down] stopped\n');
      return 0;
    });
  },
});
