// `ace down`: asks a running `ace up` to drain its actors and stop; waits until it has.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DOWN_KEY, downCommand } from '../actors/control.ts';
import { openKv } from '../streams/manager.ts';
import { args, cli, openSession, SESSION_OPTIONS } from './session.ts';

export async function run(argv: string[]): Promise<number> {
  return cli(async () => {
    const { values } = args(argv, { ...SESSION_OPTIONS, 'timeout-s': { type: 'string', default: '60' } });
    const session = await openSession(values, 'ace-down');
    const kv = await openKv(session.nc, session.names.kv.run);
    await kv.put(DOWN_KEY, downCommand(session.state?.runId ?? 'unknown'));
    await session.nc.close();
    const upFile = join(values['state-dir'], 'up.json');
    const deadline = Date.now() + Number(values['timeout-s']) * 1000;
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
  });
}
