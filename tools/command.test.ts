// The CLI's flag tables: every command answers --help (exit 0) with its flags, defaults and an
// example; bad numbers and enums exit 2 naming the flag and the accepted range.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { COMMANDS, main } from './ace.ts';
import { BENCHES } from './bench.ts';
import { checkFlag, defineCommand, describeRange, parseCommand } from './command.ts';
import { DOMAINS } from './verify.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => vi.restoreAllMocks());

describe('flag ranges', () => {
  it('describes numbers, integers, enums and switches from their schemas', () => {
    expect(describeRange(z.int().min(1).default(80))).toBe('integer >= 1');
    expect(describeRange(z.number().int().positive())).toBe('integer >= 1');
    expect(describeRange(z.number().positive())).toBe('number > 0');
    expect(describeRange(z.number().gt(0).max(1))).toBe('number in (0, 1]');
    expect(describeRange(z.int().min(0).max(8).default(0))).toBe('integer in [0, 8]');
    expect(describeRange(z.enum(['file', 'object-store']).default('file'))).toBe('one of file|object-store');
    expect(describeRange(z.boolean().default(false))).toBe('switch');
  });

  it('accepts numbers as typed and rejects words, out-of-range values and fractions for integers', () => {
    const steps = { schema: z.int().min(1).default(80), help: 'steps' };
    expect(checkFlag('steps', steps, undefined)).toBe(80);
    expect(checkFlag('steps', steps, '12')).toBe(12);
    expect(() => checkFlag('steps', steps, 'abc')).toThrow('--steps: expected integer >= 1, got "abc"');
    expect(() => checkFlag('steps', steps, '0')).toThrow('--steps: expected integer >= 1, got "0"');
    expect(() => checkFlag('steps', steps, '1.5')).toThrow('--steps: expected integer >= 1');
    expect(() => checkFlag('steps', steps, '')).toThrow('--steps: expected integer >= 1');
    const lr = { schema: z.number().positive().default(2e-4), help: 'lr' };
    expect(checkFlag('lr', lr, '3e-4')).toBe(3e-4);
    expect(() => checkFlag('lr', lr, '-1')).toThrow('--lr: expected number > 0, got "-1"');
    const mode = { schema: z.enum(['a', 'b']).default('a'), help: 'mode' };
    expect(() => checkFlag('mode', mode, 'c')).toThrow('--mode: expected one of a|b, got "c"');
    expect(() => checkFlag('name', { schema: z.string(), help: 'x' }, undefined)).toThrow('--name is required');
  });
});

describe('parseCommand', () => {
  const spec = defineCommand({
    name: 'demo',
    summary: 'a demo',
    args: [{ name: 'FILE', help: 'a file', required: true }],
    flags: {
      steps: { schema: z.int().min(1).default(80), help: 'optimizer steps' },
      'no-eval': { schema: z.boolean().default(false), help: 'skip evaluation' },
      'dry-run': { schema: z.boolean().default(false), help: 'print only' },
    },
    examples: ['ace demo f.json --steps 3'],
    run: async () => 0,
  });

  it('returns typed values with defaults, positionals, and --no-x switches under their own names', () => {
    capture();
    expect(parseCommand(spec, ['f.json'])).toEqual({ flags: { steps: 80, 'no-eval': false, 'dry-run': false }, args: ['f.json'] });
    expect(parseCommand(spec, ['f.json', '--steps', '3', '--no-eval', '--dry-run'])).toEqual({ flags: { steps: 3, 'no-eval': true, 'dry-run': true }, args: ['f.json'] });
    expect(parseCommand(spec, ['f.json', '--steps=4'])).toMatchObject({ flags: { steps: 4 } });
  });

  it('exits 2 on a bad value, an unknown flag, a missing argument or an extra one', () => {
    const io = capture();
    expect(parseCommand(spec, ['f.json', '--steps', 'abc'])).toBe(2);
    expect(io.err()).toContain('ace demo: --steps: expected integer >= 1, got "abc"');
    expect(parseCommand(spec, ['f.json', '--stepz', '3'])).toBe(2);
    expect(io.err()).toContain("unknown option '--stepz'");
    expect(parseCommand(spec, [])).toBe(2);
    expect(io.err()).toContain("missing required argument 'FILE'");
    expect(parseCommand(spec, ['a', 'b'])).toBe(2);
  });

  it('prints help with each flag, its range and default, and the example; exit 0', () => {
    const io = capture();
    expect(parseCommand(spec, ['--help'])).toBe(0);
    expect(io.out()).toMatch(/--steps <N>\s+optimizer steps \[integer >= 1; default 80\]/);
    expect(io.out()).toContain('--no-eval');
    expect(io.out()).toContain('ace demo f.json --steps 3');
  });
});

describe('ace COMMAND --help', () => {
  const lines = [
    ...Object.keys(COMMANDS).map((c) => [c]),
    ...Object.keys(BENCHES).map((b) => ['bench', b]),
    ...Object.keys(DOMAINS).map((d) => ['verify', d]),
    ['bench'],
    ['verify'],
  ];
  it.each(lines.map((l) => [l.join(' '), l]))('ace %s --help exits 0 with usage and an example', async (_, words) => {
    const io = capture();
    expect(await main([...(words as string[]), '--help'])).toBe(0);
    expect(io.out()).toMatch(/Usage: ace /);
    if (!['bench', 'verify'].includes((words as string[]).join(' '))) expect(io.out()).toMatch(/Examples?:\n {2}ace /);
    expect(io.err()).toBe('');
  });
});

describe('bad numbers from users exit 2 naming the flag, before anything starts', () => {
  // Regression: `ace eval --k abc` once exited 0 printing avg@NaN; --problems 0, --temperature
  // abc and `ace replay --from-seq abc` were taken as numbers too.
  it.each([
    [['eval', '--k', 'abc'], '--k: expected integer in [1, 1024], got "abc"'],
    [['eval', '--problems', '0'], '--problems: expected integer in [1, 100000], got "0"'],
    [['eval', '--temperature', 'abc'], '--temperature: expected number in [0, 10], got "abc"'],
    [['replay', 'rollouts', '--from-seq', 'abc'], '--from-seq: expected integer >= 1, got "abc"'],
    [['train', '--steps', 'abc'], '--steps: expected integer >= 1, got "abc"'],
    [['train', '--lr', '-1'], '--lr: expected number > 0, got "-1"'],
    [['train', '--tasks-per-step', '0'], '--tasks-per-step: expected integer >= 1, got "0"'],
  ])('ace %j', async (argv, message) => {
    const io = capture();
    expect(await main(argv as string[])).toBe(2);
    expect(io.err()).toContain(`ace ${(argv as string[])[0]}: ${message}`);
    expect(io.out()).toBe('');
  });
});

