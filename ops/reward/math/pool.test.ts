import { describe, expect, it } from 'vitest';
import { SLOW_SET_PAIR, useMathPool } from '../../../test/support/math-pool.ts';
import { judgeInput } from './judge.ts';
import { MathVerifierPool } from './pool.ts';

const DEADLINE_MS = 300;

describe('MathVerifierPool', () => {
  const f = useMathPool(DEADLINE_MS);

  it('returns the same verdicts as the in-process judge, with reward and timing', async () => {
    const inputs = [
      { gold: '\\frac{1}{2}', pred: '0.5' },
      { gold: '(x+1)^2', pred: 'x^2+2x+1' },
      { gold: '3', pred: '4' },
      { gold: '3', response: '<think>..</think> \\boxed{3}' },
      { gold: '3', response: 'no think tag \\boxed{3}' },
      { gold: '\\frac{1}{', pred: '1' },
    ];
    const verdicts = await Promise.all(inputs.map((input) => f.pool.verify(input)));
    expect(verdicts.map((v) => v.kind)).toEqual(['correct', 'correct', 'wrong', 'correct', 'unparseable', 'error']);
    expect(verdicts.map((v) => v.reward)).toEqual([1, 1, 0, 1, 0, null]);
    verdicts.forEach((v, k) => {
      const local = judgeInput(inputs[k]);
      expect({ kind: v.kind, rule: v.rule, gold: v.gold, pred: v.pred, reason: v.reason }).toEqual(local);
      // A worker's round trip, measured from submission: positive and inside the deadline.
      expect(v.elapsedMs).toBeGreaterThan(0);
      expect(v.elapsedMs).toBeLessThan(DEADLINE_MS);
    });
  });

  it('times out a pathological case, replaces the worker and keeps serving', async () => {
    const before = { ...f.pool.stats };
    const slow = f.pool.verify(SLOW_SET_PAIR);
    // The other worker keeps answering while one is stuck.
    const quick = await f.pool.verify({ gold: '2', pred: '\\sqrt{4}' });
    expect(quick.kind).toBe('correct');
    const v = await slow;
    expect(v).toMatchObject({ kind: 'timeout', reward: null, rule: 'deadline' });
    expect(v.reason).toBe(`no verdict within ${DEADLINE_MS} ms; worker terminated`);
    expect(v.elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS - 1);
    expect(f.pool.stats.timeouts - before.timeouts).toBe(1);
    expect(f.pool.stats.restarts - before.restarts).toBe(1);
    expect(v.elapsedMs).toBeLessThan(DEADLINE_MS + 1000);
    const after = await Promise.all([1, 2, 3, 4].map((k) => f.pool.verify({ gold: `${k}`, pred: `${k}.0` })));
    expect(after.map((a) => a.kind)).toEqual(['correct', 'correct', 'correct', 'correct']);
  });

  it('answers a queued case when every worker is stuck (a spare takes over)', async () => {
    await f.pool.ready(); // the spare used by the previous test has been replaced
    const before = { ...f.pool.stats };
    const cases = [0, 1].map(() => f.pool.verify(SLOW_SET_PAIR));
    const tail = f.pool.verify({ gold: '1', pred: '1' });
    const verdicts = await Promise.all([...cases, tail]);
    expect(verdicts.map((v) => v.kind)).toEqual(['timeout', 'timeout', 'correct']);
    expect(f.pool.stats.timeouts - before.timeouts).toBe(2);
    expect(f.pool.stats.restarts - before.restarts).toBe(2);
  });
});

describe('MathVerifierPool.close', () => {
  it('resolves queued cases as errors and refuses new ones', async () => {
    const pool = new MathVerifierPool({ workers: 1, deadlineMs: 5000, spares: 0 });
    const pending = [pool.verify({ gold: '1', pred: '1' }), pool.verify({ gold: '2', pred: '2' })];
    await pool.close();
    const verdicts = await Promise.all(pending);
    expect(verdicts.map((v) => v.kind)).toEqual(['error', 'error']);
    expect(verdicts.map((v) => v.reward)).toEqual([null, null]);
    const late = await pool.verify({ gold: '1', pred: '1' });
    expect(late).toMatchObject({ kind: 'error', reason: 'pool is closed' });
  });

  it('rejects an invalid configuration', () => {
    expect(() => new MathVerifierPool({ workers: 0, deadlineMs: 100 })).toThrow();
  });
});
