// Judge comparison and exact JSON: the float policy (exact decimals, no tolerance) pinned case by case.
import { describe, expect, it } from 'vitest';
import { canonicalDecimal, exactJsonEqual, outputsMatch, parseExactJson, toExactJson } from './compare.ts';

describe('canonicalDecimal', () => {
  it('maps equal decimals to one form and rejects non-numbers', () => {
    expect(canonicalDecimal('1.50')).toBe(canonicalDecimal('1.5'));
    expect(canonicalDecimal('15e-1')).toBe(canonicalDecimal('1.5'));
    expect(canonicalDecimal('+007')).toBe(canonicalDecimal('7'));
    expect(canonicalDecimal('-0.0')).toBe('0');
    expect(canonicalDecimal('100')).toBe('1e2');
    expect(canonicalDecimal('0.30000000000000004')).not.toBe(canonicalDecimal('0.3'));
    for (const t of ['abc', '', '.', '-', '1e', '0x10', '1,5', 'NaN']) expect(canonicalDecimal(t)).toBeNull();
  });
});

describe('outputsMatch', () => {
  it('ignores trailing whitespace and trailing blank lines, line by line', () => {
    expect(outputsMatch('1 2\n3\n', '1 2   \n3')).toBe(true);
    expect(outputsMatch('a\n', 'a\n\n\n')).toBe(true);
    expect(outputsMatch('a\r\nb\r\n', 'a\nb')).toBe(true);
  });
  it('falls back to tokens with exact decimal numbers', () => {
    expect(outputsMatch('1 2 3', '1\n2\n3\n')).toBe(true);
    expect(outputsMatch('2.50', '2.5')).toBe(true);
    expect(outputsMatch('YES', 'yes')).toBe(false);
    expect(outputsMatch('0.3', '0.30000000000000004')).toBe(false);
    expect(outputsMatch('1 2', '1 2 3')).toBe(false);
    expect(outputsMatch('1 2', '12')).toBe(false);
    expect(outputsMatch('', '')).toBe(true);
    expect(outputsMatch('x', '')).toBe(false);
  });
});

describe('exact JSON', () => {
  it('keeps integers beyond 2^53 exact', () => {
    const a = parseExactJson('[9007199254740993]');
    expect(exactJsonEqual(a, parseExactJson('[9007199254740992]'))).toBe(false);
    expect(exactJsonEqual(a, parseExactJson('[9007199254740993.0]'))).toBe(true);
  });
  it('compares types strictly and ignores key order', () => {
    expect(exactJsonEqual(parseExactJson('true'), toExactJson(1))).toBe(false);
    expect(exactJsonEqual(parseExactJson('"1"'), toExactJson(1))).toBe(false);
    expect(exactJsonEqual(parseExactJson('{"b": [1, 2.0], "a": null}'), toExactJson({ a: null, b: [1, 2] }))).toBe(true);
    expect(exactJsonEqual(parseExactJson('{"a": 1}'), toExactJson({ a: 1, b: 2 }))).toBe(false);
    expect(exactJsonEqual(parseExactJson('[1, 2]'), toExactJson([2, 1]))).toBe(false);
    expect(exactJsonEqual(parseExactJson('NaN'), toExactJson(NaN))).toBe(true);
    expect(exactJsonEqual(parseExactJson('"a\\"b\\u00e9"'), toExactJson('a"bé'))).toBe(true);
  });
  it('rejects malformed text', () => {
    for (const t of ['[1,', '{"a" 1}', '01x', '[1] 2', '']) expect(() => parseExactJson(t)).toThrow();
  });
});
