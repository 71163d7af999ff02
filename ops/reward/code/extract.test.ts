// Program extraction from responses: last fenced block after the last </think>, tags, truncation.
import { describe, expect, it } from 'vitest';
import { extractCode, normalizeLanguage } from './extract.ts';

const fence = '```';

describe('extractCode', () => {
  it('takes the last block after the last </think>, with its tag', () => {
    const r = `<think>try\n${fence}python\nprint(0)\n${fence}\n</think>\nfirst\n${fence}py\nprint(1)\n${fence}\nthen\n${fence}javascript\nconsole.log(2)\n${fence}\n`;
    expect(extractCode(r)).toEqual({ ok: true, code: 'console.log(2)', language: 'javascript', tag: 'javascript' });
  });
  it('ignores blocks inside the reasoning', () => {
    const r = `<think>\n${fence}python\nprint(0)\n${fence}\n</think>\nno code`;
    expect(extractCode(r)).toEqual({ ok: false, reason: 'no fenced code block after </think>' });
  });
  it('refuses a response whose reasoning never ended', () => {
    expect(extractCode(`<think>\n${fence}python\nprint(0)\n${fence}\n`)).toEqual({ ok: false, reason: 'unterminated <think> (no answer after the reasoning)' });
  });
  it('returns null language for an untagged block and refuses unknown tags and TypeScript', () => {
    expect(extractCode(`${fence}\nx = 1\n${fence}`)).toMatchObject({ ok: true, language: null, code: 'x = 1' });
    expect(extractCode(`${fence}cpp\nint main(){}\n${fence}`)).toMatchObject({ ok: false, reason: "unsupported language tag 'cpp'" });
    expect(extractCode(`${fence}ts\nconst x: number = 1\n${fence}`)).toMatchObject({ ok: false, tag: 'ts' });
  });
  it('does not take an unclosed (truncated) block, nor an empty one', () => {
    expect(extractCode(`${fence}python\nprint(1)\n${fence}\n${fence}python\nprint(`)).toMatchObject({ ok: true, code: 'print(1)' });
    expect(extractCode(`${fence}python\n\n${fence}`)).toMatchObject({ ok: false, reason: 'last code block is empty' });
  });
  it('keeps nested shorter fences inside a longer fence', () => {
    const r = `~~~~python\ns = """\n${fence}\n"""\n~~~~\n`;
    expect(extractCode(r)).toMatchObject({ ok: true, code: `s = """\n${fence}\n"""` });
  });
});

describe('normalizeLanguage', () => {
  it('maps aliases', () => {
    expect(normalizeLanguage('Python3')).toBe('python');
    expect(normalizeLanguage('js')).toBe('javascript');
    expect(normalizeLanguage('ts')).toBeNull();
    expect(normalizeLanguage(undefined)).toBeNull();
  });
});
