// One declarative flag table per command, parsed by commander and validated by zod. A flag
// names the zod schema that checks it (often a config schema's own field, so a default or a
// range is written once), a help line and, where it helps, a unit; `--help` shows every flag
// with its accepted range and default, and a bad value exits 2 naming the flag and the range.
// Commander does the parsing and the help layout; zod does the checking, as everywhere else.
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';

export interface FlagSpec {
  /** Checks the value and gives the default (a z.default) or marks it optional. */
  schema: z.ZodType;
  /** One line: what it sets, with its unit. */
  help: string;
  /** Placeholder in the usage line, e.g. N, MS, DIR. Default: derived from the schema. */
  value?: string;
  /** The accepted values in words, where the schema's own are not shown (a transform, a refinement). */
  range?: string;
  /** A one-letter alias, e.g. 'k' for `-k 4` beside `--k 4`. */
  short?: string;
}

export interface ArgSpec {
  name: string;
  help: string;
  required?: boolean;
  variadic?: boolean;
}

export type Flags = Record<string, FlagSpec>;
export type FlagValues<F extends Flags> = { [K in keyof F]: z.output<F[K]['schema']> };

export interface CommandSpec<F extends Flags = Flags> {
  /** As typed after `ace`, e.g. 'train' or 'verify math'. */
  name: string;
  summary: string;
  /** Longer text shown under the usage line. */
  description?: string;
  args?: ArgSpec[];
  flags: F;
  /** At least one full command line. */
  examples: string[];
  run(flags: FlagValues<F>, args: string[]): Promise<number>;
}

/** Identity with inference, so each command's `run` sees its flags' types. */
export function defineCommand<F extends Flags>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** A user-facing error: printed as one line (and its HINT lines), exit 2, never a stack. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

// ---- reading a schema -------------------------------------------------------------------

type Def = { type: string; innerType?: z.ZodType; checks?: { _zod: { def: Record<string, unknown> } }[]; format?: string; entries?: Record<string, string> };
const defOf = (s: z.ZodType): Def => (s as unknown as { def: Def }).def;

/** The schema under default/optional wrappers. */
function core(s: z.ZodType): z.ZodType {
  let x = s;
  for (let d = defOf(x); d.type === 'default' || d.type === 'optional' || d.type === 'prefault'; d = defOf(x)) x = d.innerType!;
  return x;
}

function kindOf(s: z.ZodType): 'number' | 'boolean' | 'enum' | 'string' | 'other' {
  const t = defOf(core(s)).type;
  return t === 'number' || t === 'boolean' || t === 'enum' || t === 'string' ? t : 'other';
}

/** The default a schema gives an absent flag, or undefined. */
export function defaultOf(s: z.ZodType): unknown {
  const r = s.safeParse(undefined);
  return r.success ? r.data : undefined;
}

/** The accepted values in words: 'integer >= 1', 'number in (0, 1]', 'one of file|object-store'. */
export function describeRange(s: z.ZodType): string {
  const c = core(s);
  const d = defOf(c);
  if (d.type === 'boolean') return 'switch';
  if (d.type === 'enum') return `one of ${Object.values(d.entries ?? {}).join('|')}`;
  if (d.type === 'string') return 'text';
  if (d.type !== 'number') return 'value';
  const ints = ['safeint', 'int32', 'uint32'];
  const isInt = ints.includes(d.format ?? '') || (d.checks ?? []).some((ch) => ch._zod.def.check === 'number_format' && ints.includes(String(ch._zod.def.format)));
  let lo: { v: number; inc: boolean } | null = null;
  let hi: { v: number; inc: boolean } | null = null;
  for (const ch of d.checks ?? []) {
    const k = ch._zod.def as { check: string; value: number; inclusive: boolean };
    if (k.check === 'greater_than' && (lo === null || k.value >= lo.v)) lo = { v: k.value, inc: k.inclusive };
    if (k.check === 'less_than' && (hi === null || k.value <= hi.v)) hi = { v: k.value, inc: k.inclusive };
  }
  const what = isInt ? 'integer' : 'number';
  // An integer > 0 reads better as >= 1.
  if (isInt && lo && !lo.inc) lo = { v: Math.floor(lo.v) + 1, inc: true };
  if (isInt && hi && !hi.inc) hi = { v: Math.ceil(hi.v) - 1, inc: true };
  if (lo && hi) return `${what} in ${lo.inc ? '[' : '('}${lo.v}, ${hi.v}${hi.inc ? ']' : ')'}`;
  if (lo) return `${what} ${lo.inc ? '>=' : '>'} ${lo.v}`;
  if (hi) return `${what} ${hi.inc ? '<=' : '<'} ${hi.v}`;
  return what;
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;

/** Validates one raw flag value against its schema; throws a UsageError naming the flag. */
export function checkFlag(name: string, spec: FlagSpec, raw: string | boolean | undefined): unknown {
  let value: unknown = raw;
  if (typeof raw === 'string' && kindOf(spec.schema) === 'number') value = NUMBER.test(raw.trim()) ? Number(raw) : raw;
  const r = spec.schema.safeParse(value);
  if (r.success) return r.data;
  if (raw === undefined) throw new UsageError(`--${name} is required`);
  throw new UsageError(`--${name}: expected ${spec.range ?? describeRange(spec.schema)}, got ${JSON.stringify(raw)}`);
}

// ---- commander ----------------------------------------------------------------------------

function helpLine(spec: FlagSpec): string {
  const dflt = defaultOf(spec.schema);
  const range = spec.range ?? describeRange(spec.schema);
  const shown = Array.isArray(dflt) ? dflt.join(',') : JSON.stringify(dflt);
  const parts = [range === 'text' || range === 'switch' ? null : range, dflt === undefined || dflt === false ? null : `default ${shown}`].filter(Boolean);
  return parts.length ? `${spec.help} [${parts.join('; ')}]` : spec.help;
}

function placeholder(name: string, spec: FlagSpec): string {
  if (spec.value) return spec.value;
  const k = kindOf(spec.schema);
  return k === 'number' ? 'N' : k === 'enum' ? 'NAME' : name.toUpperCase().replace(/-/g, '_');
}

/** Builds the commander command for a spec; parsed values come back through `onParsed`. */
function toCommander(spec: CommandSpec, onParsed: (raw: Record<string, string | boolean | undefined>, args: string[]) => void): Command {
  const cmd = new Command(`ace ${spec.name}`)
    .description(spec.description ? `${spec.summary}\n\n${spec.description.replace(/\n/g, ' ')}` : spec.summary)
    .helpOption('-h, --help', 'show this help and exit')
    .exitOverride()
    .allowExcessArguments(false)
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  for (const a of spec.args ?? []) cmd.argument(a.required ? `<${a.name}${a.variadic ? '...' : ''}>` : `[${a.name}${a.variadic ? '...' : ''}]`, a.help);
  for (const [name, f] of Object.entries(spec.flags)) {
    const long = kindOf(f.schema) === 'boolean' ? `--${name}` : `--${name} <${placeholder(name, f)}>`;
    const flag = f.short ? `-${f.short}, ${long}` : long;
    cmd.addOption(new Option(flag, helpLine(f)));
  }
  cmd.showHelpAfterError(`usage: ace ${spec.name} ${cmd.usage()}\n(see \`ace ${spec.name} --help\`)`);
  cmd.addHelpText('after', `\nExample${spec.examples.length > 1 ? 's' : ''}:\n${spec.examples.map((e) => `  ${e}`).join('\n')}\n`);
  cmd.action((...xs: unknown[]) => {
    const c = xs.at(-1) as Command;
    const raw: Record<string, string | boolean | undefined> = {};
    const opts = c.opts();
    for (const name of Object.keys(spec.flags)) {
      // commander reads `--no-x` as the negation of x: map it back to the flag's own name.
      raw[name] = name.startsWith('no-') ? (opts[camel(name.slice(3))] === false ? true : undefined) : (opts[camel(name)] as string | boolean | undefined);
    }
    onParsed(raw, c.args);
  });
  return cmd;
}

const usageOf = (spec: CommandSpec) => toCommander(spec, () => {}).usage();

const camel = (s: string) => s.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());

/** Parses argv for a spec: the checked flag values and the positionals, or an exit code. */
export function parseCommand<F extends Flags>(spec: CommandSpec<F>, argv: string[]): { flags: FlagValues<F>; args: string[] } | number {
  let parsed: { raw: Record<string, string | boolean | undefined>; args: string[] } | null = null;
  const cmd = toCommander(spec as CommandSpec, (raw, args) => (parsed = { raw, args }));
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' ? 0 : 2;
    throw err;
  }
  const got = parsed as { raw: Record<string, string | boolean | undefined>; args: string[] } | null;
  if (!got) return 2;
  const flags: Record<string, unknown> = {};
  try {
    for (const [name, f] of Object.entries(spec.flags)) flags[name] = checkFlag(name, f, got.raw[name]);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`ace ${spec.name}: ${err.message}\nusage: ace ${spec.name} ${usageOf(spec)}\n(see \`ace ${spec.name} --help\`)\n`);
    return 2;
  }
  return { flags: flags as FlagValues<F>, args: got.args };
}

/** What to do about the file-system errors users meet, by Node's error code. */
const SYSTEM_ERROR_HINTS: Record<string, string> = {
  ENOSPC: 'the disk is full: free space on that file system, or write elsewhere (another --out or --run-dir)',
  EDQUOT: 'the disk quota is used up: free space, or write elsewhere (another --out or --run-dir)',
  EACCES: 'permission denied: choose a path you may use, or fix its permissions',
  EPERM: 'operation not permitted: choose a path you may use, or fix its permissions',
  ENOENT: 'no such file or directory: check the path (relative paths start at the current directory)',
  EROFS: 'read-only file system: write elsewhere (another --out or --run-dir)',
};

/** Parses, validates and runs a command: the exit code. Coded errors print as one message, exit 2. */
export async function runCommand<F extends Flags>(spec: CommandSpec<F>, argv: string[]): Promise<number> {
  const parsed = parseCommand(spec, argv);
  if (typeof parsed === 'number') return parsed;
  try {
    return await spec.run(parsed.flags, parsed.args);
  } catch (err) {
    const e = err as Error & { code?: unknown; syscall?: unknown; path?: unknown };
    // A Node system error (it has a syscall) that escaped the command: one line and a HINT.
    if (typeof e.code === 'string' && typeof e.syscall === 'string' && SYSTEM_ERROR_HINTS[e.code]) {
      const where = typeof e.path === 'string' && !e.message.includes(e.path) ? ` '${e.path}'` : '';
      process.stderr.write(`ace ${spec.name}: ${e.message}${where}\nHINT: ${SYSTEM_ERROR_HINTS[e.code]}\n`);
      return 2;
    }
    if (typeof e.code === 'string') {
      process.stderr.write(`ace ${spec.name}: ${e.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** Help for a group of subcommands (`ace bench`, `ace verify`). */
export function groupUsage(name: string, summary: string, children: Record<string, string>): string {
  const width = Math.max(...Object.keys(children).map((k) => k.length));
  const lines = Object.entries(children).map(([k, s]) => `  ${k.padEnd(width)}  ${s}`);
  return `Usage: ace ${name} COMMAND [options]\n\n${summary}\n\nCommands:\n${lines.join('\n')}\n\nRun \`ace ${name} COMMAND --help\` for a command's flags.\n`;
}

/** What a command's module exports: `command` or, for a group or an old-style bench, `run(argv)`. */
export type CommandModule = { command?: CommandSpec; run?: (argv: string[]) => Promise<number> };

/** A subcommand: `load` is a literal import() (so the precompiled build, bin/dist.mjs, rewrites it). */
export type GroupEntry = { load: () => Promise<CommandModule>; summary: string };

/**
 * Dispatches a group of subcommands (`ace bench NAME`, `ace verify DOMAIN`), importing only the
 * one asked for; a module exports `command` (or, for old-style benches, `run(argv)`).
 */
export async function runGroup(name: string, summary: string, children: Record<string, GroupEntry>, argv: string[]): Promise<number> {
  const [child, ...rest] = argv;
  const entry = child ? children[child] : undefined;
  if (!entry) {
    const help = child === '--help' || child === '-h';
    if (child && !help) process.stderr.write(`ace ${name}: unknown command '${child}'\n`);
    (help ? process.stdout : process.stderr).write(groupUsage(name, summary, Object.fromEntries(Object.entries(children).map(([k, v]) => [k, v.summary]))));
    return help ? 0 : 2;
  }
  const mod = await entry.load();
  return mod.command ? runCommand(mod.command, rest) : mod.run!(rest);
}
