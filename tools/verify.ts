// `ace verify math|code --jsonl FILE`: one JSON verdict line out per input line, in order.
// The two commands live in verify-math.ts and verify-code.ts.
import { groupUsage, runCommand, type CommandSpec } from './command.ts';

export const DOMAINS: Record<string, { module: string; summary: string }> = {
  math: { module: './verify-math.ts', summary: 'score answers against gold answers (symbolic equivalence)' },
  code: { module: './verify-code.ts', summary: 'run programs against their tests in the sandboxes' },
};

export async function run(argv: string[]): Promise<number> {
  const [domain, ...rest] = argv;
  const entry = domain ? DOMAINS[domain] : undefined;
  if (!entry) {
    const help = domain === '--help' || domain === '-h';
    (help ? process.stdout : process.stderr).write(groupUsage('verify', 'Score answers or programs from a JSONL file.', Object.fromEntries(Object.entries(DOMAINS).map(([k, v]) => [k, v.summary]))));
    return help ? 0 : 2;
  }
  const { command } = (await import(entry.module)) as { command: CommandSpec };
  return runCommand(command, rest);
}
