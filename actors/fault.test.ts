// ACE_INJECT: validated once (unknown keys and bad JSON are errors that name the variable),
// a no-op when unset, and the verifier hook stretches and burns around a judgement.
import { describe, expect, it } from 'vitest';
import { INJECT_ENV, InjectionError, injectionEnv, readInjection, verifierHook } from './fault.ts';

const bad = (raw: string) => {
  try {
    readInjection({ [INJECT_ENV]: raw });
  } catch (err) {
    return err as InjectionError;
  }
  throw new Error(`${raw} was accepted`);
};

describe('ACE_INJECT', () => {
  it('is nothing when unset or empty', () => {
    expect(readInjection({})).toBeNull();
    expect(readInjection({ [INJECT_ENV]: '' })).toBeNull();
  });

  it('parses the verifier section with defaults, and injectionEnv writes what it reads', () => {
    expect(readInjection({ [INJECT_ENV]: '{"verifier":{"slowFactor":10}}' })).toEqual({ verifier: { slowFactor: 10, burnMsPerRollout: 0 } });
    expect(readInjection(injectionEnv({ verifier: { burnMsPerRollout: 12 } }))).toEqual({ verifier: { slowFactor: 1, burnMsPerRollout: 12 } });
    expect(readInjection({ [INJECT_ENV]: '{}' })).toEqual({});
  });

  it('rejects unknown keys, out-of-range values and bad JSON with the value and a hint', () => {
    for (const [raw, why] of [
      ['{"verifer":{"slowFactor":10}}', /Unrecognized key.*verifer/],
      ['{"verifier":{"slowfactor":10}}', /verifier: Unrecognized key.*slowfactor/],
      ['{"verifier":{"slowFactor":0.5}}', /verifier\.slowFactor: .*>=1/],
      ['{verifier:1}', /not JSON/],
    ] as const) {
      const e = bad(raw);
      expect(e).toBeInstanceOf(InjectionError);
      expect(e.code).toBe('BAD_INJECTION');
      expect(e.message).toContain(`ACE_INJECT=${raw}`);
      expect(e.message).toMatch(why);
      expect(e.message).toContain('HINT:');
    }
  });
});

describe('verifierHook', () => {
  const work = (ms: number) => () => new Promise<string>((res) => setTimeout(() => res('judged'), ms));

  it('passes the work through untouched when nothing is injected', async () => {
    for (const i of [null, {}, { verifier: { slowFactor: 1, burnMsPerRollout: 0 } }]) {
      const t0 = performance.now();
      expect(await verifierHook(i)(work(5))).toBe('judged');
      expect(performance.now() - t0).toBeLessThan(500);
    }
  });

  it('stretches a judgement slowFactor times', async () => {
    const t0 = performance.now();
    expect(await verifierHook({ verifier: { slowFactor: 4, burnMsPerRollout: 0 } })(work(20))).toBe('judged');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
  });

  it('burns burnMsPerRollout of CPU per judgement', async () => {
    const cpuMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const c0 = cpuMs();
    expect(await verifierHook({ verifier: { slowFactor: 1, burnMsPerRollout: 30 } })(work(0))).toBe('judged');
    expect(cpuMs() - c0).toBeGreaterThanOrEqual(30);
  });
});
