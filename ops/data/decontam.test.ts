import { describe, expect, it } from 'vitest';
import { decontaminate, type TextDoc } from './decontam.ts';

const doc = (id: string, text: string, source = 'pool'): TextDoc => ({ id, source, text });
const STOCK = 'Express your answer as a decimal to the nearest tenth.';
// Filler problems that each carry the stock phrase, so that its pool document frequency is high.
const fillers = Array.from({ length: 5 }, (_, i) => doc(`f${i}`, `A pond holds ${i + 3} ducks and ${i + 11} geese on day ${i}. How many birds per square metre? ${STOCK}`));

describe('decontaminate', () => {
  const bench = [
    doc('b1', `Ten treeks weigh as much as three squigs and one goolee. How many treeks weigh as much as one squig? ${STOCK}`, 'bench'),
    doc('b2', 'Simplify $\\sqrt{242}$.', 'bench'),
  ];

  it('flags a copied problem and names the shared n-gram', () => {
    const pool = [doc('p1', 'Ten treeks weigh as much as three squigs and one goolee. How many treeks weigh as much as one squig?'), ...fillers];
    const r = decontaminate(pool, bench, { n: 9 });
    expect(r.flagged).toEqual([0]);
    expect(r.pairs).toHaveLength(1);
    expect(r.pairs[0]).toMatchObject({ poolId: 'p1', benchmark: 'bench', benchmarkId: 'b1', ngram: 'ten treeks weigh as much as three squigs and' });
    expect(r.pairs[0].sharedNgrams).toBe(12);
    expect(r.perBenchmark.bench).toEqual({ size: 2, poolFlagged: 1, itemsHit: 1 });
  });

  it('does not flag a stock phrase shared by many pool problems, and lists it in the stop-list', () => {
    const r = decontaminate(fillers, bench, { n: 9 });
    expect(r.flagged).toEqual([]);
    expect(r.suppressed.length).toBe(5);
    expect(r.stopList.map((s) => s.ngram)).toContain('express your answer as a decimal to the nearest');
    expect(r.stopList[0].docFreq).toBe(5);
    // Without the stop-list and the rare-token rule the same pool would be flagged.
    const raw = decontaminate(fillers, bench, { n: 9, stopMinDocFreq: 1000, rareTokenMaxDocFreq: 0 });
    expect(raw.flagged).toEqual([0, 1, 2, 3, 4]);
  });

  it('compares texts shorter than n tokens whole', () => {
    const pool = [doc('p1', 'Simplify: $\\sqrt{242}$'), doc('p2', 'Simplify $\\sqrt{243}$.'), doc('p3', 'Please simplify $\\sqrt{242}$.')];
    const r = decontaminate(pool, bench, { n: 9 });
    expect(r.pairs.map((p) => [p.poolId, p.benchmarkId, p.ngram])).toEqual([['p1', 'b2', 'simplify sqrt242']]);
  });

  it('counts exact copies inside the pool once for the stop-list', () => {
    const copy = 'Ten treeks weigh as much as three squigs and one goolee. How many treeks weigh as much as one squig?';
    const pool = [doc('p1', copy), doc('p2', copy), doc('p3', copy)];
    const r = decontaminate(pool, bench, { n: 9, stopMinDocFreq: 2 });
    expect(r.flagged).toEqual([0, 1, 2]);
  });

  it('uses the configured n', () => {
    const pool = [doc('p1', 'On day nine the pond says ten treeks weigh as much as three frogs.')];
    expect(decontaminate(pool, bench, { n: 9 }).flagged).toEqual([]);
    expect(decontaminate(pool, bench, { n: 6 }).pairs[0].ngram).toBe('ten treeks weigh as much as');
  });
});
