import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { extractField, lastBoxed, readSource, splitJsonArray, splitJsonl } from './read.ts';

const dir = mkdtempSync(join(tmpdir(), 'ace-read-'));

describe('splitJsonl', () => {
  it('reports a malformed line with its 1-based number and keeps the others', () => {
    const rows = splitJsonl('{"a":1}\n\n{"a":2\n{"a":3}\n');
    expect(rows.map((r) => r.line)).toEqual([1, 3, 4]);
    expect(rows[1].error).toBeDefined();
    expect(rows[2].value).toEqual({ a: 3 });
  });
});

describe('splitJsonArray', () => {
  it('parses each element on its own and gives its starting line', () => {
    const text = '[\n  {"p": "a, ]{"},\n  {"p": "b" "oops"},\n  {"p": "c\\"x", "n": [1, 2]}\n]\n';
    const rows = splitJsonArray(text);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ line: 2, value: { p: 'a, ]{' } });
    expect(rows[1].line).toBe(3);
    expect(rows[1].error).toBeDefined();
    expect(rows[2]).toEqual({ line: 4, value: { p: 'c"x', n: [1, 2] } });
  });

  it('flags a truncated array', () => {
    const rows = splitJsonArray('[{"a": 1}, {"a": 2');
    expect(rows[0].value).toEqual({ a: 1 });
    expect(rows[1].error).toMatch(/not closed/);
  });
});

describe('field specs', () => {
  const row = { problem: 'P', solution: 'so $\\boxed{\\frac{1}{2}}$ and then \\boxed{x^{2}}.', answer: 'Thus 12.\n#### 18', slug: 'two-sum', n: 27 };
  it('reads paths, last boxed, text after a marker, concatenations and templates', () => {
    expect(extractField(row, 'problem')).toBe('P');
    expect(extractField(row, 'n')).toBe('27');
    expect(extractField(row, { lastBoxed: 'solution' })).toBe('x^{2}');
    expect(extractField(row, { after: '####', field: 'answer' })).toBe('18');
    expect(extractField(row, { concat: ['problem', 'slug'] })).toBe('Ptwo-sum');
    expect(extractField(row, { template: 'https://leetcode.com/problems/{slug}/' })).toBe('https://leetcode.com/problems/two-sum/');
    expect(extractField(row, { template: '{missing}' })).toBeUndefined();
  });
  it('lastBoxed handles nested braces, \\fbox and the brace-less form', () => {
    expect(lastBoxed('a \\boxed{\\left( 3, \\frac{\\pi}{2} \\right)} b')).toBe('\\left( 3, \\frac{\\pi}{2} \\right)');
    expect(lastBoxed('\\fbox{7}')).toBe('7');
    expect(lastBoxed('so \\boxed 5.')).toBe('5');
    expect(lastBoxed('none')).toBeUndefined();
  });
});

describe('readSource', () => {
  it('reads gzipped JSONL by magic bytes, maps fields and reports bad rows with file and line', () => {
    const file = join(dir, 'rows.data');
    const lines = [
      JSON.stringify({ id: 7, q: 'What is 1+1?', sol: 'It is $\\boxed{2}$.' }),
      '{"id": 8, "q": "broken"',
      JSON.stringify({ id: 9, q: 'No answer here', sol: 'none' }),
      JSON.stringify([1, 2]),
      JSON.stringify({ id: 'x/y', q: 'What is 2+2?', sol: '\\boxed{4}', year: 1999 }),
    ];
    writeFileSync(file, gzipSync(lines.join('\n') + '\n'));
    const r = readSource({ name: 'toy', file, domain: 'math', fields: { id: 'id', prompt: 'q', answer: { lastBoxed: 'sol' } }, meta: ['year'] });
    expect(r.rows).toBe(5);
    expect(r.problems.map((p) => [p.id, p.answer, p.origin.line])).toEqual([
      ['toy:7', '2', 1],
      ['toy:x_y', '4', 5],
    ]);
    expect(r.problems[1].meta).toEqual({ year: 1999 });
    expect(r.issues.map((i) => [i.file, i.line, i.reason])).toEqual([
      [file, 2, 'json'],
      [file, 3, 'missing-field'],
      [file, 4, 'not-object'],
    ]);
  });

  it('splits assert-blocks tests into setup and cases', () => {
    const file = join(dir, 'code.jsonl');
    const test = 'const c = 1;\nvar arg00 = 1;\nif (f(arg00) !== 2) throw 1;\nvar arg10 = 2;\nif (f(arg10) !== 3) throw 2;\n';
    writeFileSync(file, JSON.stringify({ id: 'T/1', prompt: 'function f(x) {\n', sol: '  return x + 1;\n}', test }) + '\n');
    const r = readSource({
      name: 'js',
      file,
      domain: 'code',
      language: 'javascript',
      fields: { id: 'id', prompt: 'prompt', tests: 'test', reference: { concat: ['prompt', 'sol'] } },
      testsFormat: 'assert-blocks',
      caseSplit: '\\n(?=var arg\\d+0 = )',
    });
    expect(r.issues).toEqual([]);
    expect(r.problems[0].reference).toBe('function f(x) {\n  return x + 1;\n}');
    expect(r.problems[0].tests).toEqual({
      format: 'assert',
      language: 'javascript',
      setup: 'const c = 1;',
      cases: ['var arg00 = 1;\nif (f(arg00) !== 2) throw 1;', 'var arg10 = 2;\nif (f(arg10) !== 3) throw 2;\n'],
    });
  });
});
