// `ace verify math|code --jsonl FILE`: one JSON verdict line out per input line, in order.
// The two commands live in verify-math.ts and verify-code.ts.
import { type GroupEntry, runGroup } from './command.ts';

export const DOMAINS: Record<string, GroupEntry> = {
  math: { load: () => import('./verify-math.ts'), summary: 'score answers against gold answers (symbolic equivalence)' },
  code: { load: () => import('./verify-code.ts'), summary: 'run programs against their tests in the sandboxes' },
};

export const run = (argv: string[]) => runGroup('verify', 'Score answers or programs from a JSONL file.', DOMAINS, argv);
