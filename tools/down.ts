// `ace down`: asks a running `ace up` to drain its actors and stop; waits until it has.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DOWN_KEY, downCommand } from '../actors/control.ts';
import { openKv } from '../streams/manager.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { openSession, SESSION_FLAGS, withSession } from './session.ts';
import { assertRunning, snapshot } from './status.ts';

export const command = defineCommand({
  name: 'down',
  summary: 'drain and stop a running topology; waits until it has stopped',
  flags: { ...SESSION_FLAGS, 'timeout-s': { schema: z.number().positive().default(60), help: 'how long to wait for the stop, s', value: 'S' } },
  examples: ['ace down', 'ace down --state-dir runs/default --timeout-s 120'],
  async run(values) {
    const session = await openSession(values, 'ace-down');
    await withSession(session, async () => {
      assertRunning(session, await snapshot(session));
      const kv = await openKv(session.nc, session.names.kv.run);
      await kv.put(DOWN_KEY, downCommand(session.state?.runId ?? 'unknown'));
    });
    const upFile = join(values['state-dir'], 'up.json');
    const deadline = Date.now() + values['timeout-s'] * 1000;
    process.stderr.write('[down] draining');
    while (existsSync(upFile) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    if (existsSync(upFile)) {
      process.stderr.write(`[down] still running after ${values['timeout-s']} s (pid ${session.state?.pid})\n`);
      return 1;
    }
    process.stderr.write('[down] stopped\n');
    return 0;
  },
});
