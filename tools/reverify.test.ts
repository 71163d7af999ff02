// `ace reverify` judges with the recorded run's verifier settings: judgeSettingsFromTopology
// reads them from the topology's verifier actors (the regression: it used hard-coded pools).
import { describe, expect, it } from 'vitest';
import { Topology, type TopologyInput } from '../contracts/topology.ts';
import { judgeSettingsFromTopology } from './reverify.ts';

const topology = (actors: TopologyInput['actors']): Topology => Topology.parse({ name: 'run', actors });
const learner = { kind: 'learner', config: {} } as const;

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return `${(err as { code: string }).code}: ${(err as Error).message}`;
  }
  throw new Error('no error');
}

describe('judgeSettingsFromTopology', () => {
  it("takes the verifier's judge settings, with the verifier's defaults, and leaves out its other fields", () => {
    const t = topology({ learner, verifier: { kind: 'verifier', instances: 2, config: { mathWorkers: 2, mathDeadlineMs: 500, codePyWorkers: 3, concurrency: 8, ackWaitMs: 2000 } } });
    expect(judgeSettingsFromTopology(t)).toEqual({ mathWorkers: 2, mathDeadlineMs: 500, codeJsWorkers: 1, codePyWorkers: 3 });
    expect(judgeSettingsFromTopology(topology({ check: { kind: 'verifier', config: {} } }))).toEqual({ mathWorkers: 1, mathDeadlineMs: 2000, codeJsWorkers: 1, codePyWorkers: 1 });
  });

  it('accepts several verifier actors that judge alike (other fields may differ)', () => {
    const t = topology({ a: { kind: 'verifier', config: { mathDeadlineMs: 700, concurrency: 4 } }, b: { kind: 'verifier', config: { mathDeadlineMs: 700, concurrency: 64 } } });
    expect(judgeSettingsFromTopology(t).mathDeadlineMs).toBe(700);
  });

  it("takes each domain's settings from the verifier role that judges it", () => {
    const roles = topology({
      'math-verifier': { kind: 'verifier', config: { domains: ['math'], mathDeadlineMs: 700, mathWorkers: 2, codePyWorkers: 9 } },
      'code-verifier': { kind: 'verifier', instances: 3, config: { domains: ['code'], codePyWorkers: 4, mathDeadlineMs: 50 } },
    });
    expect(judgeSettingsFromTopology(roles)).toEqual({ mathWorkers: 2, mathDeadlineMs: 700, codeJsWorkers: 1, codePyWorkers: 4 });
    // A domain no verifier judged keeps the defaults.
    expect(judgeSettingsFromTopology(topology({ c: { kind: 'verifier', config: { domains: ['code'], mathDeadlineMs: 50, codeJsWorkers: 2 } } }))).toEqual({ mathWorkers: 1, mathDeadlineMs: 2000, codeJsWorkers: 2, codePyWorkers: 1 });
  });

  it('refuses verifier actors that judge differently, a topology without one, and an invalid verifier config', () => {
    const differ = topology({ a: { kind: 'verifier', config: { mathDeadlineMs: 700 } }, b: { kind: 'verifier', config: {} } });
    expect(codeOf(() => judgeSettingsFromTopology(differ, 'run/topology.json'))).toMatch(/^VERIFIERS_DIFFER: run\/topology.json: verifier actors judge math with different settings \(a \{"mathWorkers":1,"mathDeadlineMs":700\}, b \{"mathWorkers":1,"mathDeadlineMs":2000\}\)/);
    expect(codeOf(() => judgeSettingsFromTopology(topology({ learner }), 'run/topology.json'))).toMatch(/^NO_VERIFIER: run\/topology.json has no actor of kind 'verifier'/);
    const knob = topology({ verifier: { kind: 'verifier', config: { slowFactor: 10 } } });
    expect(codeOf(() => judgeSettingsFromTopology(knob, 'run/topology.json'))).toMatch(/^BAD_TOPOLOGY: invalid verifier config in run\/topology.json \(actors.verifier.config\):\n {2}\(root\): Unrecognized key: "slowFactor"\nHINT: /);
  });
});
