import { describe, expect, it } from 'vitest';
import { mutants, tokenizeJs } from './mutate.ts';

const SRC = `function clamp(xs, lo) {
  // keep < and + in comments: 1 < 2 + 3
  const s = "a < b + 1";
  const re = /a+b</g;
  let out = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] > lo) {
      out += xs[i] * 2;
    } else {
      out -= 1;
    }
  }
  return out;
}
`;

describe('tokenizeJs', () => {
  it('round-trips the source and keeps strings, comments and regex literals whole', () => {
    const toks = tokenizeJs(SRC);
    expect(toks.map((t) => t.value).join('')).toBe(SRC);
    expect(toks.filter((t) => t.type === 'string').map((t) => t.value)).toEqual(['"a < b + 1"']);
    expect(toks.filter((t) => t.type === 'regex').map((t) => t.value)).toEqual(['/a+b</g']);
    expect(toks.filter((t) => t.type === 'comment')).toHaveLength(1);
    expect(toks.filter((t) => t.type === 'punct' && t.value === '/')).toHaveLength(0);
  });
});

describe('mutants', () => {
  const all = mutants(SRC, { max: 1000, seed: 1 });

  it('never edits strings, comments or regex literals, and every mutant compiles', () => {
    for (const m of all) {
      expect(m.code).toContain('"a < b + 1"');
      expect(m.code).toContain('/a+b</g');
      expect(m.code).toContain('// keep < and + in comments: 1 < 2 + 3');
      expect(() => new Function(m.code)).not.toThrow();
    }
  });

  it('offers each operator at its sites', () => {
    const after = (op: string) => all.filter((m) => m.operator === op).map((m) => m.after);
    expect(after('offByOne')).toEqual(expect.arrayContaining(['for (let i = 1; i < xs.length; i++) {', 'for (let i = 0; i <= xs.length; i++) {', 'out += xs[i] * 3;', 'out -= 0;']));
    expect(after('swapComparison')).toEqual(expect.arrayContaining(['for (let i = 0; i > xs.length; i++) {', 'if (xs[i] < lo) {']));
    expect(after('swapArithmetic')).toEqual(expect.arrayContaining(['out -= xs[i] * 2;', 'out += xs[i] / 2;', 'for (let i = 0; i < xs.length; i--) {']));
    expect(after('dropBranch')).toEqual(expect.arrayContaining(['if (false) {', '} else { }']));
    const elseDrop = all.find((m) => m.after === '} else { }')!;
    expect(elseDrop.code).not.toContain('out -= 1');
    expect(elseDrop.line).toBe(9);
  });

  it('respects max, the region and the seed, and spreads over operators', () => {
    const four = mutants(SRC, { max: 4, seed: 5 });
    expect(new Set(four.map((m) => m.operator))).toEqual(new Set(['offByOne', 'swapComparison', 'swapArithmetic', 'dropBranch']));
    expect(mutants(SRC, { max: 4, seed: 5 })).toEqual(four);
    const start = SRC.indexOf('let out');
    for (const m of mutants(SRC, { max: 50, seed: 2, region: [start, SRC.length] })) expect(m.code.slice(0, start)).toBe(SRC.slice(0, start));
    expect(mutants(SRC, { max: 50, seed: 2, operators: ['dropBranch'] }).every((m) => m.operator === 'dropBranch')).toBe(true);
  });
});
