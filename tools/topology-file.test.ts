import { describe, expect, it } from 'vitest';
import { parseTopology, parseTopologyShape, TopologyFileError } from './topology-file.ts';

const valid = { name: 'demo', actors: { relay: { kind: 'demo-stage', config: { from: 'in' } } } };

async function errorOf(raw: unknown): Promise<TopologyFileError> {
  try {
    await parseTopology(raw, 'test.json');
  } catch (err) {
    return err as TopologyFileError;
  }
  throw new Error('expected a TopologyFileError');
}

describe('topology file validation', () => {
  it('accepts a valid file and fills defaults', async () => {
    const t = await parseTopology(valid, 'test.json');
    expect(t.prefix).toBe('ace');
    expect(t.maxUnverified).toBe(64);
    expect(t.actors.relay.instances).toBe(1);
    expect(t.streams.storage).toBe('file');
    expect(t.actors.relay.config).toEqual({ from: 'in' }); // kept as written; the actor fills its defaults
  });

  it('names the field and the allowed values for a bad actor kind', async () => {
    const e = await errorOf({ ...valid, actors: { relay: { kind: 'verifer' } } });
    expect(e.code).toBe('TOPOLOGY_INVALID');
    expect(e.message).toMatch(/actors\.relay\.kind: Invalid option: expected one of "generator"\|"verifier"\|"normalizer"\|"learner"\|"demo-source"\|"demo-stage"/);
  });

  it('names unknown keys, wrong types and bad storage choices', async () => {
    const e = await errorOf({ ...valid, maxUnverifed: 3, seed: 'x', streams: { storage: 'disk' } });
    expect(e.message).toMatch(/\(root\): Unrecognized key: "maxUnverifed"/);
    expect(e.message).toMatch(/seed: Invalid input: expected number, received string/);
    expect(e.message).toMatch(/streams\.storage: Invalid option: expected one of "file"\|"memory"/);
  });

  it('rejects out-of-range instance counts and an empty actor set', async () => {
    expect((await errorOf({ ...valid, actors: { relay: { kind: 'demo-stage', instances: -1 } } })).message).toMatch(/actors\.relay\.instances: Too small/);
    expect((await errorOf({ name: 'x', actors: {} })).message).toMatch(/actors: at least one actor/);
  });

  // Regression: actor settings were checked only inside the actor processes, so a bad one
  // started the topology and the supervisor restarted the failing actor every 10 s forever.
  it("checks each actor's config against its own schema, naming the path and the range", async () => {
    const e = await errorOf({ name: 'rl', actors: { learner: { kind: 'learner', config: { stepz: 3, lr: -1 } }, relay: { kind: 'demo-stage', config: { from: 'in', workMs: 1e9 } } } });
    expect(e.code).toBe('TOPOLOGY_INVALID');
    expect(e.message).toMatch(/^invalid topology test\.json:\n/);
    expect(e.message).toMatch(/\n {2}actors\.learner\.config: Unrecognized key: "stepz"\n/);
    expect(e.message).toMatch(/\n {2}actors\.learner\.config\.lr: Too small: expected number to be >0\n/);
    expect(e.message).toMatch(/\n {2}actors\.relay\.config\.workMs: Too big: expected number to be <=60000\n/);
    expect(e.message).toMatch(/\nHINT: /);
  });

  it('leaves actor configs unchecked in the shape-only parse (a finished run read back)', () => {
    expect(parseTopologyShape({ name: 'rl', actors: { learner: { kind: 'learner', config: { stepz: 3 } } } }, 'x').actors.learner.config).toEqual({ stepz: 3 });
  });

  describe('verifier roles (each rollout domain judged by one verifier actor)', () => {
    const gen = { kind: 'generator', config: {} } as const;
    const learner = (domain: 'math' | 'code') => ({ kind: 'learner', config: { stages: [{ domain, steps: 2, maxResponseTokens: 32 }] } }) as const;
    const verifier = (domains?: string[]) => ({ kind: 'verifier', config: domains ? { domains } : {} }) as const;

    it('accepts one verifier for both domains, and disjoint math and code roles', async () => {
      await expect(parseTopology({ name: 'rl', actors: { generator: gen, verifier: verifier(), learner: learner('code') } }, 't')).resolves.toBeDefined();
      const roles = { generator: gen, 'math-verifier': verifier(['math']), 'code-verifier': { ...verifier(['code']), instances: 3 }, learner: learner('math') };
      expect(Object.keys((await parseTopology({ name: 'rl', actors: roles }, 't')).actors)).toEqual(['generator', 'math-verifier', 'code-verifier', 'learner']);
    });

    it('refuses two verifier actors whose domains overlap, naming both', async () => {
      const e = await errorOf({ name: 'rl', actors: { generator: gen, 'code-verifier': verifier(['code']), verifier: verifier(), learner: learner('math') } });
      expect(e.code).toBe('TOPOLOGY_INVALID');
      expect(e.message).toMatch(/\n {2}actors\.verifier\.config\.domains: verifier actors 'code-verifier' and 'verifier' both judge code rollouts; each rollout must be judged once/);
      expect(e.message).not.toMatch(/both judge math/);
      const twice = await errorOf({ name: 'rl', actors: { a: verifier(['math']), b: verifier(['math', 'code']), c: verifier(['code']) } });
      expect(twice.message).toMatch(/actors\.b\.config\.domains: verifier actors 'a' and 'b' both judge math rollouts/);
      expect(twice.message).toMatch(/actors\.c\.config\.domains: verifier actors 'b' and 'c' both judge code rollouts/);
    });

    it("refuses a learner stage whose domain no verifier judges, when a generator publishes its rollouts", async () => {
      const e = await errorOf({ name: 'rl', actors: { generator: gen, 'math-verifier': verifier(['math']), learner: learner('code') } });
      expect(e.message).toMatch(/\n {2}actors\.learner\.config\.stages\.0\.domain: the learner's stage 1 draws code tasks, but no verifier actor judges code rollouts \(math-verifier: math\)/);
      const twoStages = { kind: 'learner', config: { stages: [{ domain: 'math', steps: 2, maxResponseTokens: 32 }, { domain: 'code', steps: 2, maxResponseTokens: 32 }] } } as const;
      const second = await errorOf({ name: 'rl', actors: { generator: gen, 'math-verifier': verifier(['math']), learner: twoStages } });
      expect(second.message).toMatch(/actors\.learner\.config\.stages\.1\.domain: the learner's stage 2 draws code tasks/);
      expect(second.message).not.toMatch(/stages\.0/);
      expect((await errorOf({ name: 'rl', actors: { generator: gen, learner: learner('math') } })).message).toMatch(/no verifier actor judges math rollouts \(no verifier actor\)/);
      // A learner alone (no rollouts published) is left alone.
      await expect(parseTopology({ name: 'rl', actors: { learner: learner('code') } }, 't')).resolves.toBeDefined();
    });

    it('refuses generators with different tokenizers: the run has one prompt format', async () => {
      const tok = (tokenizer?: string) => ({ kind: 'generator', config: tokenizer === undefined ? {} : { tokenizer } }) as const;
      const e = await errorOf({ name: 'rl', actors: { a: tok('models/qwen'), b: tok('models/qwen'), c: tok(), v: verifier(), learner: learner('math') } });
      expect(e.message).toMatch(/\n {2}actors\.c\.config\.tokenizer: generator 'c' has tokenizer null but 'a' has "models\/qwen": the generators of a run share one prompt format/);
      expect(e.message).not.toMatch(/actors\.b\./);
      await expect(parseTopology({ name: 'rl', actors: { a: tok('m'), b: tok('m'), v: verifier(), learner: learner('math') } }, 't')).resolves.toBeDefined();
    });

    it('refuses an empty or repeated domain list, and an unknown domain', async () => {
      expect((await errorOf({ name: 'rl', actors: { v: verifier([]) } })).message).toMatch(/actors\.v\.config\.domains: Too small/);
      expect((await errorOf({ name: 'rl', actors: { v: verifier(['code', 'code']) } })).message).toMatch(/actors\.v\.config\.domains: each domain once/);
      expect((await errorOf({ name: 'rl', actors: { v: verifier(['proof']) } })).message).toMatch(/actors\.v\.config\.domains\.0: Invalid option: expected one of "math"\|"code"/);
    });
  });
});
