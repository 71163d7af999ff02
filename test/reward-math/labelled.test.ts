// Agreement of judgeMath with the hand-labelled equivalence suite (issue 4 acceptance:
// >= 400 pairs, every category with equal and non-equal pairs, agreement >= 98%).
import { describe, expect, it } from 'vitest';
import { judgeMath } from '../../ops/reward/math/judge.ts';
import { LABELLED_PAIRS } from '../../ops/reward/math/suite/labelled-pairs.ts';

describe('labelled equivalence suite', () => {
  it('has at least 400 pairs, with equal and non-equal pairs in every category', () => {
    expect(LABELLED_PAIRS.length).toBeGreaterThanOrEqual(400);
    const byCategory = new Map<string, { equal: number; different: number }>();
    for (const p of LABELLED_PAIRS) {
      const c = byCategory.get(p.category) ?? { equal: 0, different: 0 };
      if (p.equal) c.equal++;
      else c.different++;
      byCategory.set(p.category, c);
    }
    // 'parse' holds only broken predictions: a parse error must never be equal.
    const lacking = [...byCategory].filter(([name, c]) => name !== 'parse' && (c.equal === 0 || c.different === 0));
    expect(lacking).toEqual([]);
  });

  it('agrees with the labels on at least 98% of pairs', () => {
    const disagreements: string[] = [];
    for (const p of LABELLED_PAIRS) {
      const r = judgeMath(p.gold, p.pred);
      if ((r.kind === 'correct') !== p.equal) {
        disagreements.push(`line ${p.line} [${p.category}] ${p.equal ? '=' : '!'} ${p.gold} @@ ${p.pred} -> ${r.kind}/${r.rule}: ${r.reason}`);
      }
    }
    const agreement = 1 - disagreements.length / LABELLED_PAIRS.length;
    console.log(`labelled suite: ${LABELLED_PAIRS.length - disagreements.length}/${LABELLED_PAIRS.length} agree (${(100 * agreement).toFixed(2)}%)`);
    if (disagreements.length > 0) console.log(`disagreements:\n${disagreements.join('\n')}`);
    expect(agreement).toBeGreaterThanOrEqual(0.98);
  });

  it('never calls a broken prediction equal', () => {
    const broken = LABELLED_PAIRS.filter((p) => p.category === 'parse');
    expect(broken.length).toBeGreaterThanOrEqual(10);
    expect(broken.map((p) => judgeMath(p.gold, p.pred).kind).filter((k) => k === 'correct')).toEqual([]);
  });
});
