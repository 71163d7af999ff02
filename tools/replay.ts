// `ace replay STREAM (--from-seq N [--to-seq M] | --since ISO [--until ISO]) [--subject S]`:
// re-publishes a recorded range into the replay subject (<prefix>.replay.<stream key>...),
// each copy carrying its origin in headers, for re-verification and inspection.
// STREAM is a key (rollouts) or a full stream name (ACE_ROLLOUTS).
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { readRange } from '../streams/range.ts';
import { Sink } from '../streams/sink.ts';
import { STREAM_KEYS, subject } from '../streams/topology.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { CliError, openSession, SESSION_FLAGS } from './session.ts';

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
  description: 'Each copy goes to <prefix>.replay.<stream key>... and carries its origin in headers. Give --from-seq or --since.',
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
    const session = await openSession(values, 'ace-replay');
    try {
      const spec = Object.values(session.names.streams).find((s) => s.key === which || s.name === which);
      if (!spec) throw new CliError('BAD_ARGS', `unknown stream '${which}' (one of ${STREAM_KEYS.join(', ')})`);
      if (spec.key === 'replay') throw new CliError('BAD_ARGS', 'cannot replay the replay stream into itself');
      if (!(await (await jetstreamManager(session.nc)).streams.info(spec.name).catch(() => null))) {
        throw new CliError('NO_STREAM', `${spec.name} does not exist in this topology\nHINT: the demo stream exists only in topologies with demo actors`);
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
    } finally {
      await session.nc.close();
    }
  },
});
