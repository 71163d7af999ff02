// `ace replay STREAM (--from-seq N [--to-seq M] | --since ISO [--until ISO]) [--subject S]`:
// re-publishes a recorded range into the replay subject (<prefix>.replay.<stream key>...),
// each copy carrying its origin in headers, for re-verification and inspection.
// STREAM is a key (rollouts) or a full stream name (ACE_ROLLOUTS).
import { jetstream } from '@nats-io/jetstream';
import { readRange } from '../streams/range.ts';
import { Sink } from '../streams/sink.ts';
import { STREAM_KEYS, subject } from '../streams/topology.ts';
import { args, cli, CliError, openSession, SESSION_OPTIONS } from './session.ts';

export interface ReplayResult {
  replayId: string;
  stream: string;
  replayed: number;
  firstSeq: number | null;
  lastSeq: number | null;
  subject: string;
}

export async function run(argv: string[]): Promise<number> {
  return cli(async () => {
    const { values, positionals } = args(argv, {
      ...SESSION_OPTIONS,
      'from-seq': { type: 'string' },
      'to-seq': { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      subject: { type: 'string' },
      'replay-id': { type: 'string' },
    });
    const which = positionals[0];
    if (!which || (!values['from-seq'] && !values.since)) {
      throw new CliError('BAD_ARGS', 'usage: ace replay STREAM (--from-seq N [--to-seq M] | --since ISO [--until ISO]) [--subject FILTER]');
    }
    const session = await openSession(values, 'ace-replay');
    try {
      const spec = Object.values(session.names.streams).find((s) => s.key === which || s.name === which);
      if (!spec) throw new CliError('BAD_ARGS', `unknown stream '${which}' (one of ${STREAM_KEYS.join(', ')})`);
      if (spec.key === 'replay') throw new CliError('BAD_ARGS', 'cannot replay the replay stream into itself');
      const js = jetstream(session.nc);
      const untilMs = values.until ? Date.parse(values.until) : Number.POSITIVE_INFINITY;
      if (values.since && Number.isNaN(Date.parse(values.since))) throw new CliError('BAD_ARGS', `--since: not a date: ${values.since}`);
      const replayId = values['replay-id'] ?? `r${Date.now()}`;
      const sink = new Sink(js);
      const result: ReplayResult = { replayId, stream: spec.name, replayed: 0, firstSeq: null, lastSeq: null, subject: subject(session.names.prefix, 'replay', spec.key) };
      const messages = readRange(session.nc, spec.name, {
        filterSubject: values.subject,
        toSeq: values['to-seq'] ? Number(values['to-seq']) : undefined,
        ...(values['from-seq'] ? { fromSeq: Number(values['from-seq']) } : { since: new Date(values.since!) }),
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
  });
}
