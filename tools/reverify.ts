// `ace reverify [--from-seq N] [--to-seq M] [--json]`: re-judges recorded rollouts with
// today's verifiers and reports which rewards change against the recorded verdicts.
// Reads the rollouts and verdicts streams; publishes nothing.
import type { NatsConnection } from '@nats-io/transport-node';
import { Rollout } from '../contracts/rollout.ts';
import { Verdict } from '../contracts/verdict.ts';
import { CodeVerifierPool } from '../ops/reward/code/pool.ts';
import { MathVerifierPool } from '../ops/reward/math/pool.ts';
import { type RangeOptions, readRange } from '../streams/range.ts';
import { args, cli, openSession, SESSION_OPTIONS } from './session.ts';

/** The messages of a range that pass `schema`, with their sequence (null when invalid). */
async function* valid<T>(nc: NatsConnection, stream: string, schema: { safeParse(x: unknown): { success: boolean; data?: T } }, o: RangeOptions) {
  for await (const m of readRange(nc, stream, o)) {
    const parsed = schema.safeParse(m.json());
    yield { seq: m.seq, value: parsed.success ? (parsed.data as T) : null };
  }
}

export async function run(argv: string[]): Promise<number> {
  return cli(async () => {
    const { values } = args(argv, { ...SESSION_OPTIONS, 'from-seq': { type: 'string', default: '1' }, 'to-seq': { type: 'string' } });
    const session = await openSession(values, 'ace-reverify');
    const math = new MathVerifierPool({ workers: 1, deadlineMs: 2000 });
    const code = new CodeVerifierPool({ jsWorkers: 1, pyWorkers: 1 });
    try {
      const { names, nc } = session;
      const recorded = new Map<string, Verdict>();
      for await (const v of valid<Verdict>(nc, names.streams.verdicts.name, Verdict, {})) {
        if (v.value) recorded.set(v.value.rolloutId, v.value);
      }
      const toSeq = values['to-seq'] ? Number(values['to-seq']) : Number.POSITIVE_INFINITY;
      const result = { rollouts: 0, invalid: 0, withoutVerdict: 0, same: 0, changed: [] as { rolloutId: string; seq: number; before: number | null; after: number | null; beforeKind: string; afterKind: string }[] };
      for await (const r of valid<Rollout>(nc, names.streams.rollouts.name, Rollout, { fromSeq: Number(values['from-seq']), toSeq })) {
        if (!r.value) {
          result.invalid++;
          continue;
        }
        result.rollouts++;
        const ro = r.value;
        const now =
          ro.domain === 'math'
            ? await math.verify({ gold: ro.gold ?? '', response: ro.response })
            : await code.verify({ response: ro.response, tests: ro.tests });
        const before = recorded.get(ro.id);
        if (!before) result.withoutVerdict++;
        else if (before.reward === now.reward && before.outcome.kind === now.kind) result.same++;
        else result.changed.push({ rolloutId: ro.id, seq: r.seq, before: before.reward, after: now.reward, beforeKind: before.outcome.kind, afterKind: now.kind });
        if (result.rollouts % 500 === 0) process.stderr.write(`[reverify] ${result.rollouts} rollouts\n`);
      }
      process.stderr.write(`[reverify] ${result.rollouts} rollouts: ${result.same} same, ${result.changed.length} changed, ${result.withoutVerdict} without a recorded verdict, ${result.invalid} invalid\n`);
      for (const c of result.changed.slice(0, 20)) process.stderr.write(`  ${c.rolloutId} (seq ${c.seq}): ${c.beforeKind} ${c.before} -> ${c.afterKind} ${c.after}\n`);
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    } finally {
      await math.close();
      await code.close();
      await session.nc.close();
    }
  });
}
