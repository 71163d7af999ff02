// `ace reverify [--topology FILE] [--from-seq N] [--to-seq M]`: re-judges recorded
// rollouts with today's verifiers, built with the run's own verifier settings (from its
// topology: --topology, else the one `ace up` / `ace train` recorded in the state dir), and
// reports which rewards change against the recorded verdicts. Reads the rollouts and verdicts
// streams; publishes nothing. On a finished run's directory (`--state-dir`), it starts a
// private nats-server on the run's store for the reading.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { VerifierConfig } from '../actors/verifier/config.ts';
import { Domain } from '../contracts/common.ts';
import { formatIssues } from '../contracts/issues.ts';
import { Rollout } from '../contracts/rollout.ts';
import type { Topology } from '../contracts/topology.ts';
import { Verdict } from '../contracts/verdict.ts';
import { JUDGE_SETTINGS_OF, JudgeSettings, RolloutJudge } from '../ops/reward/judge.ts';
import { type RangeOptions, readRange } from '../streams/range.ts';
import type { TopologyNames } from '../streams/topology.ts';
import { defineCommand } from './command.ts';
import { CliError, openStoreSession, readUpState, SESSION_FLAGS, withSession } from './session.ts';
import { loadTopologyShape } from './topology-file.ts';

/**
 * The judge settings of a topology's verifier actors, each domain's own from the verifiers
 * that judge it (math workers and deadline from the math role, code workers from the code
 * role); an error when there are none, or two that judge one domain differ in its settings.
 */
export function judgeSettingsFromTopology(topology: Topology, where = 'the topology'): JudgeSettings {
  const verifiers = Object.entries(topology.actors).filter(([, spec]) => spec.kind === 'verifier');
  if (verifiers.length === 0) throw new CliError('NO_VERIFIER', `${where} has no actor of kind 'verifier'\nHINT: pass the topology of the run that recorded the rollouts with --topology FILE`);
  const configs = verifiers.map(([name, spec]) => {
    const parsed = VerifierConfig.safeParse(spec.config);
    if (!parsed.success) throw new CliError('BAD_TOPOLOGY', `invalid verifier config in ${where} (actors.${name}.config):\n  ${formatIssues(parsed.error.issues).join('\n  ')}\nHINT: slowFactor and burnMsPerRollout are no verifier settings: tests and benches set them with ACE_INJECT`);
    return { name, config: parsed.data };
  });
  let settings = JudgeSettings.parse({});
  for (const domain of Domain.options) {
    // A domain no verifier judged (none of its rollouts has a verdict) keeps the defaults.
    const judges = configs.filter((c) => c.config.domains.includes(domain)).map((c) => ({ name: c.name, judge: pick(c.config, JUDGE_SETTINGS_OF[domain]) }));
    if (judges.length === 0) continue;
    const differ = judges.find((j) => JSON.stringify(j.judge) !== JSON.stringify(judges[0].judge));
    if (differ) {
      throw new CliError(
        'VERIFIERS_DIFFER',
        `${where}: verifier actors judge ${domain} with different settings (${judges.map((j) => `${j.name} ${JSON.stringify(j.judge)}`).join(', ')}); reverify cannot tell which judged a rollout\nHINT: re-judge with one of them in a topology file of its own (--topology FILE)`,
      );
    }
    settings = { ...settings, ...judges[0].judge };
  }
  return settings;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

/**
 * The run's topology: --topology FILE, else the one in the state file when it describes the
 * topology this session reads (same server and prefix), else, without --nats, the state dir's
 * own record (`<run-dir>/topology.json` of `ace train`), else null. Only its structure and
 * verifier settings are checked: a finished run's other actors may have settings since renamed.
 */
function recordedTopology(values: { topology?: string; nats?: string; prefix?: string; 'state-dir'?: string }): { topology: Topology; where: string } | null {
  if (values.topology) return { topology: loadTopologyShape(values.topology), where: values.topology };
  const stateDir = values['state-dir'] ?? '.ace';
  const state = readUpState(stateDir);
  if (state && !(values.nats && values.nats !== state.natsUrl) && !(values.prefix && values.prefix !== state.prefix)) {
    return { topology: loadTopologyShape(state.topologyPath), where: state.topologyPath };
  }
  const own = join(stateDir, 'topology.json');
  if (!state && !values.nats && existsSync(own)) return { topology: loadTopologyShape(own), where: own };
  return null;
}

/** The messages of a range that pass `schema`, with their sequence (null when invalid). */
async function* valid<T>(nc: NatsConnection, stream: string, schema: { safeParse(x: unknown): { success: boolean; data?: T } }, o: RangeOptions) {
  for await (const m of readRange(nc, stream, o)) {
    const parsed = schema.safeParse(m.json());
    yield { seq: m.seq, value: parsed.success ? (parsed.data as T) : null };
  }
}

export const command = defineCommand({
  name: 'reverify',
  summary: 're-judge recorded rollouts with today\'s verifiers and report the rewards that change',
  description: "The judge is built with the run's own verifier settings: from --topology, else from the topology the state dir's up.json names,\nelse from <state-dir>/topology.json. On a finished run's --state-dir (no topology running), a private nats-server serves its store.",
  flags: {
    ...SESSION_FLAGS,
    topology: { schema: z.string().optional(), help: "the run's topology file (e.g. <run-dir>/topology.json)", value: 'FILE' },
    'from-seq': { schema: z.int().min(1).default(1), help: 'first rollouts sequence to re-judge' },
    'to-seq': { schema: z.int().min(1).optional(), help: 'last rollouts sequence to re-judge (default: the end)' },
  },
  examples: ['ace reverify --state-dir runs/default', 'ace reverify --topology runs/default/topology.json --nats nats://127.0.0.1:4222 --from-seq 1000'],
  async run(values) {
    const recorded = recordedTopology(values);
    if (recorded && values.prefix && values.prefix !== recorded.topology.prefix) {
      throw new CliError('PREFIX_MISMATCH', `--prefix ${values.prefix}, but ${recorded.where} has prefix ${recorded.topology.prefix}\nHINT: pass the topology of the run that recorded the rollouts`);
    }
    let settings: JudgeSettings;
    if (recorded) {
      settings = judgeSettingsFromTopology(recorded.topology, recorded.where);
      process.stderr.write(`[reverify] verifier settings from ${recorded.where}: ${JSON.stringify(settings)}\n`);
    } else {
      settings = JudgeSettings.parse({});
      process.stderr.write(`[reverify] no recorded topology found (no --topology, no matching ${values['state-dir']}/up.json or topology.json): judging with the verifier's defaults ${JSON.stringify(settings)}\n`);
    }
    const log = (line: string) => process.stderr.write(`[reverify] ${line}\n`);
    const session = await openStoreSession({ ...values, prefix: values.prefix ?? recorded?.topology.prefix }, 'ace-reverify', log);
    return withSession(session, async ({ names, nc }) => {
      const judge = new RolloutJudge(settings);
      try {
        await judge.ready();
        return await reverify(judge, nc, names, values['from-seq'], values['to-seq']);
      } finally {
        await judge.close();
      }
    });
  },
});

/** Re-judges the rollouts in [fromSeq, toSeq] against the recorded verdicts; prints the result. */
async function reverify(judge: RolloutJudge, nc: NatsConnection, names: TopologyNames, fromSeq: number, toSeqFlag: number | undefined): Promise<number> {
  const verdicts = new Map<string, Verdict>();
  for await (const v of valid<Verdict>(nc, names.streams.verdicts.name, Verdict, {})) {
    if (v.value) verdicts.set(v.value.rolloutId, v.value);
  }
  const toSeq = toSeqFlag ?? Number.POSITIVE_INFINITY;
  const result = { rollouts: 0, invalid: 0, withoutVerdict: 0, same: 0, changed: [] as { rolloutId: string; seq: number; before: number | null; after: number | null; beforeKind: string; afterKind: string }[] };
  for await (const r of valid<Rollout>(nc, names.streams.rollouts.name, Rollout, { fromSeq, toSeq })) {
    if (!r.value) {
      result.invalid++;
      continue;
    }
    result.rollouts++;
    const ro = r.value;
    const now = await judge.judge(ro);
    const before = verdicts.get(ro.id);
    if (!before) result.withoutVerdict++;
    else if (before.reward === now.reward && before.outcome.kind === now.outcome.kind) result.same++;
    else result.changed.push({ rolloutId: ro.id, seq: r.seq, before: before.reward, after: now.reward, beforeKind: before.outcome.kind, afterKind: now.outcome.kind });
    if (result.rollouts % 500 === 0) process.stderr.write(`[reverify] ${result.rollouts} rollouts\n`);
  }
  process.stderr.write(`[reverify] ${result.rollouts} rollouts: ${result.same} same, ${result.changed.length} changed, ${result.withoutVerdict} without a recorded verdict, ${result.invalid} invalid\n`);
  for (const c of result.changed.slice(0, 20)) process.stderr.write(`  ${c.rolloutId} (seq ${c.seq}): ${c.beforeKind} ${c.before} -> ${c.afterKind} ${c.after}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
