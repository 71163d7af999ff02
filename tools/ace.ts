// The `ace` command line: one file per command under tools/, each exporting `command` (a
// CommandSpec: flags, help, run; see command.ts) or, for a group such as `bench`, `run(argv)`.
// This file only dispatches, importing just the command asked for so start-up stays short.
import { runCommand, type CommandModule } from './command.ts';

/** `load` is a literal import() so that the precompiled build (bin/dist.mjs) rewrites it too. */
type Entry = { load: () => Promise<CommandModule>; summary: string };

export const COMMANDS: Record<string, Entry> = {
  train: { load: () => import('./train.ts'), summary: 'the recipe (math RL stages, then code RL) on the embedded default, evaluated per stage' },
  claims: { load: () => import('./claims.ts'), summary: "the paper's findings in miniature over seeds (long; resumable)" },
  up: { load: () => import('./up.ts'), summary: 'start a topology (embedded nats-server by default)' },
  status: { load: () => import('./status.ts'), summary: 'streams, consumers and actors of a running topology on one screen' },
  monitor: { load: () => import('./monitor.ts'), summary: 'live view of stream rates, lag, actors and training metrics' },
  dashboard: { load: () => import('./dashboard.ts'), summary: 'web dashboard: live charts, streams, actors, stuck work, a rollout inspector, /metrics' },
  scale: { load: () => import('./scale.ts'), summary: 'change the instance count of actors of a running topology' },
  down: { load: () => import('./down.ts'), summary: 'drain and stop a running topology' },
  credentials: { load: () => import('./credentials.ts'), summary: 'write the NATS users of a run (one per role) for servers beyond loopback' },
  replay: { load: () => import('./replay.ts'), summary: 're-publish a recorded range of a stream' },
  reverify: { load: () => import('./reverify.ts'), summary: 're-judge recorded rollouts and report rewards that change' },
  eval: { load: () => import('./eval.ts'), summary: 'avg@k and unbiased pass@k of a checkpoint on the held-out split' },
  sft: { load: () => import('./sft.ts'), summary: 'train the base policy on teacher solutions' },
  model: { load: () => import('./model.ts'), summary: 'make a scratch model directory (a family, a real tokenizer, seeded random weights)' },
  curate: { load: () => import('./curate.ts'), summary: 'build curated RL data from raw problem sets' },
  verify: { load: () => import('./verify.ts'), summary: 'score answers (math) or programs (code) from a JSONL file' },
  bench: { load: () => import('./bench.ts'), summary: 'run a benchmark that prints figures' },
  contracts: { load: () => import('./contracts.ts'), summary: 'write JSON Schema for every message' },
  actor: { load: () => import('./actor.ts'), summary: 'run one actor process (used by up and scale)' },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: ace COMMAND [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`ace COMMAND --help\` for a command's flags, their defaults and an example.\n`;
}

export async function main(argv: string[]): Promise<number> {
  let [name, ...rest] = argv;
  if (name === 'help' && rest[0]) [name, rest] = [rest[0], ['--help']];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`ace: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = await entry.load();
  return mod.command ? runCommand(mod.command, rest) : mod.run!(rest);
}
