// `ace replay STREAM (--from-seq N [--to-seq M] | --since ISO [--until ISO]) [--subject S]`:
// re-publishes a recorded range into the replay subject (<prefix>.replay.<stream key>...),
// each copy carrying its origin in headers, for re-verification and inspection.
// STREAM is a key (rollouts) or a full stream name (ACE_ROLLOUTS). On a finished run's
// directory (`--state-dir`), it starts a private nats-server on the run's store for the replay.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { readRange } from '../streams/range.ts';
import { Sink } from '../streams/sink.ts';
import { STREAM_KEYS, subject } from '../streams/topology.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { CliError, openStoreSession, SESSION_FLAGS, withSession } from './session.ts';

export interface ReplayResult {
  replayId: string;
  stream: string;
  replayed: number;
  firstSeq: number | null;
  lastSeq: number | null;
  subject: string;
}

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');

export const command = defineCommand({
  name: 'replay',
  summary: 're-publish a recorded range of a stream into the replay subject',
  description: "Each copy goes to <prefix>.replay.<stream key>... and carries its origin in headers. Give --from-seq or --since.\nOn a finished run's --state-dir (no topology running), a private nats-server serves its store for the replay.",
  args: [{ name: 'STREAM', help: 'a stream key (rollouts) or a full stream name (ACE_ROLLOUTS)', required: true }],
  flags: {
    ...SESSION_FLAGS,
    'from-seq': { schema: z.int().min(1).optional(), help: 'first sequence to replay' },
    'to-seq': { schema: z.int().min(1).optional(), help: 'last sequence to replay (default: the end)' },
    since: { schema: isoDate.optional(), help: 'replay messages stored from this time on (ISO 8601)', value: 'ISO' },
    until: { schema: isoDate.optional(), help: 'stop at messages stored after this time (ISO 8601)', value: 'ISO' },
    subject: { schema: z.string().optional(), help: 'only messages on subjects matching this filter', value: 'FILTER' },
    'replay-id': { schema: z.string().optional(), help: 'id of this replay (default: r<epoch ms>)', value: 'ID' },
  },
  examples: ['ace replay rollouts --from-seq 1 --to-seq 500', "ace replay verdicts --since 2026-12-01T10:00:00Z --subject 'ace.verdicts.>'"],
  async run(values, positionals) {
    const which = positionals[0];
    if (values['from-seq'] === undefined && values.since === undefined) throw new CliError('BAD_ARGS', 'give --from-seq N or --since ISO\nHINT: `ace replay rollouts --from-seq 1` replays the whole stream');
    const key = STREAM_KEYS.find((k) => which === k || which.endsWith(`_${k.toUpperCase()}`));
    if (!key) throw new CliError('BAD_ARGS', `unknown stream '${which}' (one of ${STREAM_KEYS.join(', ')})`);
    if (key === 'replay') throw new CliError('BAD_ARGS', 'cannot replay the replay stream into itself');
    const log = (line: string) => process.stderr.write(`[replay] ${line}\n`);
    return withSession(await openStoreSession(values, 'ace-replay', log), async (session) => {
      const spec = Object.values(session.names.streams).find((s) => s.key === which || s.name === which);
      if (!spec) throw new CliError('BAD_ARGS', `stream '${which}' is not of prefix '${session.names.prefix}'\nHINT: pass the stream's key (${key}) and the topology's --prefix`);
      const jsm = await jetstreamManager(session.nc);
      if (!(await jsm.streams.info(spec.name).catch(() => null))) {
        const kin: string[] = [];
        for await (const name of jsm.streams.names()) if (name.endsWith(`_${key.toUpperCase()}`)) kin.push(name);
        const here = kin.length ? `; here: ${kin.map((n) => `${n} (--prefix ${n.slice(0, -key.length - 1).toLowerCase()})`).join(', ')}` : '';
        throw new CliError('NO_STREAM', `${spec.name} does not exist in ${session.where}\nHINT: pass the topology's --prefix (this is '${session.names.prefix}')${here}; the demo stream exists only in topologies with demo actors`);
      }
      const js = jetstream(session.nc);
      const untilMs = values.until ? Date.parse(values.until) : Number.POSITIVE_INFINITY;
      const replayId = values['replay-id'] ?? `r${Date.now()}`;
      const sink = new Sink(js);
      const result: ReplayResult = { replayId, stream: spec.name, replayed: 0, firstSeq: null, lastSeq: null, subject: subject(session.names.prefix, 'replay', spec.key) };
      const messages = readRange(session.nc, spec.name, {
        filterSubject: values.subject,
        toSeq: values['to-seq'],
        ...(values['from-seq'] !== undefined ? { fromSeq: values['from-seq'] } : { since: new Date(values.since!) }),
      });
      for await (const m of messages) {
        if (Number(m.timestampNanos / 1_000_000n) > untilMs) break;
        const rest = m.subject.slice(`${session.names.prefix}.${spec.key}.`.length);
        await sink.publishBytes(`${result.subject}.${rest}`, m.data, `${replayId}:${spec.key}:${m.seq}`, {
          'Ace-Replay-Id': replayId,
          'Ace-Replay-Stream': spec.name,
          'Ace-Replay-Seq': String(m.seq),
          'Ace-Replay-Subject': m.subject,
        });
        result.replayed++;
        result.firstSeq ??= m.seq;
        result.lastSeq = m.seq;
        if (result.replayed % 1000 === 0) process.stderr.write(`[replay] ${result.replayed} messages (seq ${m.seq})\n`);
      }
      process.stderr.write(`[replay] ${result.replayed} messages from ${spec.name} seq ${result.firstSeq}..${result.lastSeq} -> ${result.subject}.> (replay id ${replayId})\n`);
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    });
  },
});
