// Test support for the math verifier pool: one pool per test file, and the input that keeps
// a worker busy far past any deadline.
import { afterAll, beforeAll } from 'vitest';
import { MathVerifierPool } from '../../ops/reward/math/pool.ts';

/** Registers beforeAll/afterAll; read `.pool` inside tests. */
export function useMathPool(deadlineMs: number, workers = 2): { pool: MathVerifierPool } {
  const fixture = {} as { pool: MathVerifierPool };
  beforeAll(async () => {
    fixture.pool = new MathVerifierPool({ workers, deadlineMs });
    await fixture.pool.ready();
  });
  afterAll(async () => {
    await fixture.pool.close();
  });
  return fixture;
}

/**
 * Sets of 20 big powers in opposite orders: ~200 pairwise comparisons that each expand until
 * the term limit (tens of ms each), i.e. seconds of work, far past any test's deadline.
 */
export const SLOW_SET_PAIR = {
  gold: `\\{${Array.from({ length: 20 }, (_, k) => `(x+y+z+w+${k + 1})^{24}`).join(', ')}\\}`,
  pred: `\\{${Array.from({ length: 20 }, (_, k) => `(w+z+y+x+${20 - k})^{24}`).join(', ')}\\}`,
};
