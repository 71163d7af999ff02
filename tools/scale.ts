// `ace scale ACTOR=N [ACTOR=N...]`: change instance counts of a running topology. New
// instances join the same durable consumer; surplus ones drain (finish and ack) and stop.
// Waits until the heartbeats show the new counts, printing progress.
import { desiredKey, hostDesiredKey, scaleCommand, scaleOf } from '../actors/control.ts';
import { listKeys, openKv } from '../streams/manager.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { CliError, openSession, SESSION_FLAGS, withSession } from './session.ts';
import { assertRunning, snapshot } from './status.ts';

export const command = defineCommand({
  name: 'scale',
  summary: 'change the instance count of actors of a running topology',
  description: 'New instances join the same durable consumer; surplus ones drain (finish and ack) and stop.\nWaits until the heartbeats show the new counts.',
  args: [{ name: 'ACTOR=N', help: 'an actor of the topology and its new instance count (0 to 64)', required: true, variadic: true }],
  flags: {
    ...SESSION_FLAGS,
    'timeout-s': { schema: z.number().positive().default(60), help: 'how long to wait for the new counts, s', value: 'S' },
    'no-wait': { schema: z.boolean().default(false), help: 'return once the new counts are written' },
    host: { schema: z.string().optional(), help: 'scale the instances on this joined host (`ace up --join`) instead of the run\'s own', value: 'NAME' },
  },
  examples: ['ace scale code-verifier=3', 'ace scale generator=2 math-verifier=4 --state-dir runs/default', 'ace scale code-verifier=8 --host gpu-2 --nats nats://10.0.0.1:4222'],
  async run(values, positionals) {
    const targets = positionals.map((p) => {
      const m = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(p);
      if (!m || Number(m[2]) > 64) throw new CliError('BAD_ARGS', `expected ACTOR=N with N from 0 to 64, got '${p}'`);
      return { actor: m[1], n: Number(m[2]) };
    });
    if (targets.length === 0) throw new CliError('BAD_ARGS', 'usage: ace scale ACTOR=N [ACTOR=N...]');
    return withSession(await openSession(values, 'ace-scale'), async (session) => {
      assertRunning(session, await snapshot(session));
      const kv = await openKv(session.nc, session.names.kv.run);
      const host = values.host;
      if (host !== undefined) {
        const info = (await snapshot(session)).hosts.find((h) => h.host === host);
        if (!info) throw new CliError('UNKNOWN_HOST', `no joined host '${host}' in the running topology\nHINT: \`ace status\` lists the hosts that joined; start one with \`ace up --join URL --actors ... --host ${host}\``);
        const missing = targets.find((t) => !(t.actor in info.actors));
        if (missing) throw new CliError('UNKNOWN_ACTOR', `host '${host}' does not run '${missing.actor}' (it runs: ${Object.keys(info.actors).join(', ')})\nHINT: join that host again with it in --actors`);
      }
      for (const t of targets) {
        const key = host === undefined ? desiredKey(t.actor) : hostDesiredKey(host, t.actor);
        const cur = await kv.get(key);
        if (!cur?.value.length) {
          const known = [];
          for (const k of await listKeys(session.nc, session.names.kv.run, 'desired.>')) if ((await kv.get(k))?.value.length) known.push(k.slice('desired.'.length));
          throw new CliError('UNKNOWN_ACTOR', `no actor '${t.actor}' in the running topology (has: ${known.join(', ')})`);
        }
        await kv.put(key, scaleCommand(session.state?.runId ?? 'unknown', t.actor, t.n));
        process.stderr.write(`[scale] ${t.actor}${host === undefined ? '' : `@${host}`}: ${scaleOf(cur.string())} -> ${t.n}\n`);
      }
      if (values['no-wait']) return 0;
      const deadline = Date.now() + values['timeout-s'] * 1000;
      for (;;) {
        const snap = await snapshot(session);
        const counts = targets.map((t) => ({
          ...t,
          // The instances this command counts: those of the host it scaled (the run's own host
          // runs instances named <actor>-<i>, without a host part).
          running: snap.actors.filter((a) => a.actor === t.actor && onHost(a.instance, t.actor, host) && (a.state === 'RUNNING' || a.state === 'DRAINING') && !a.stale).length,
        }));
        process.stderr.write(`[scale] ${counts.map((c) => `${c.actor} ${c.running}/${c.n}`).join(' ')}\n`);
        if (counts.every((c) => c.running === c.n)) return 0;
        if (Date.now() > deadline) {
          process.stderr.write('[scale] timed out waiting for the new counts (see `ace status`)\n');
          return 1;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    });
  },
});

/** Whether an instance id is one of `host`'s (`<actor>-<host>-<i>`) or, without a host, of the run's own (`<actor>-<i>`). */
function onHost(instance: string, actor: string, host: string | undefined): boolean {
  const rest = instance.slice(actor.length + 1);
  return host === undefined ? /^\d+$/.test(rest) : rest.startsWith(`${host}-`) && /^\d+$/.test(rest.slice(host.length + 1));
}
