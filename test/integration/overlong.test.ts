// Overlong filtering through the actors (normalizer `overlongFilter`, off by default): checked
// from the messages, a response the length cap cut is marked overlong with advantage 0, every
// other one is not, and the learner's token count per step is that of the unmarked members only.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Rollout } from '../../contracts/rollout.ts';
import type { ScoredGroup } from '../../contracts/scored.ts';
import type { StepRecord } from '../../contracts/step.ts';
import { readAll } from '../../tools/harness/up.ts';
import { useNats } from '../support/nats.ts';
import { killTrains, rlTopology, startTrain } from '../support/rl-run.ts';

describe('overlong filtering', () => {
  const nats = useNats();
  afterAll(killTrains);

  it('leaves responses cut by the cap out of the group statistics and the loss, and only those', async () => {
    // The shipped base on easy math with a 28-token cap: its answers run about 37 tokens, so a
    // step holds both finished and cut responses.
    const learner = { base: resolve('models/base'), buckets: undefined };
    const stage = { source: { kind: 'synthetic', levels: [1, 2], poolSize: 200 }, maxResponseTokens: 28 };
    const runDir = mkdtempSync(join(tmpdir(), 'ace-run-'));
    const t = startTrain(rlTopology('ol', resolve('models/base'), runDir, 2, { learner, stage, normalizer: { overlongFilter: true } }), nats.server.url, runDir);
    expect(await t.exit, t.output()).toBe(0);

    const rollouts = new Map((await readAll<Rollout>(nats.nc, 'OL_ROLLOUTS', 'ol.rollouts.>')).map((m) => [m.value.id, m.value]));
    const groups = (await readAll<ScoredGroup>(nats.nc, 'OL_SCORED', 'ol.scored.>')).map((m) => m.value);
    const members = groups.flatMap((g) => g.members);
    expect(members.length).toBe(rollouts.size);
    const cut = members.filter((m) => !rollouts.get(m.rolloutId)!.finished);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.length).toBeLessThan(members.length);
    for (const m of members) {
      const finished = rollouts.get(m.rolloutId)!.finished;
      expect(m.overlong, m.rolloutId).toBe(!finished);
      if (!finished) expect(m.advantage).toBe(0);
    }

    const steps = (await readAll<StepRecord>(nats.nc, 'OL_STEPS', 'ol.steps.>')).map((m) => m.value);
    expect(steps.map((s) => s.step)).toEqual([0, 1]);
    for (const s of steps) {
      const kept = groups.filter((g) => g.step === s.step && !g.dropped).flatMap((g) => g.members.filter((m) => !m.overlong));
      expect(s.metrics['learner/response_tokens'], `step ${s.step}`).toBe(kept.reduce((n, m) => n + m.responseTokens.length, 0));
    }
  }, 120_000);
});
