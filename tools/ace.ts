// The `ace` command line: one file per command under tools/, each exporting
// `run(argv): Promise<number>` (the exit code). This file only dispatches.

type Command = { module: string; summary: string };

const COMMANDS: Record<string, Command> = {
  up: { module: './up.ts', summary: 'up TOPOLOGY [--nats URL]: start a topology (embedded nats-server by default)' },
  status: { module: './status.ts', summary: 'status [--json]: streams, consumers and actors on one screen' },
  monitor: { module: './monitor.ts', summary: 'monitor: live view of stream rates, lag, actors and training metrics' },
  scale: { module: './scale.ts', summary: 'scale ROLE=N: change the instance count of a running topology' },
  replay: { module: './replay.ts', summary: 'replay STREAM --from-seq N | --since T: re-publish a recorded range' },
  reverify: { module: './reverify.ts', summary: 'reverify [--from-seq N] [--to-seq M]: re-judge recorded rollouts, report rewards that change' },
  down: { module: './down.ts', summary: 'down: drain and stop a running topology' },
  contracts: { module: './contracts.ts', summary: 'contracts --json-schema DIR: write JSON Schema for every message' },
  verify: { module: './verify.ts', summary: 'verify math|code --jsonl FILE: score answers or programs' },
  bench: { module: './bench.ts', summary: 'bench NAME [--json]: run a benchmark (backbone, learner, generator, math-verifier, code-verifier, loop, curate)' },
  sft: { module: './sft.ts', summary: 'sft: train the base policy on teacher solutions' },
  train: { module: './train.ts', summary: 'train: the RL loop on the embedded default' },
  eval: { module: './eval.ts', summary: 'eval --checkpoint PATH --suite math --k 8: avg@k and pass@k' },
  curate: { module: './curate.ts', summary: 'curate CONFIG: build curated RL data from raw problem sets' },
  actor: { module: './actor.ts', summary: 'actor ROLE [--config JSON]: run one actor process (used by up/scale)' },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: ace COMMAND [ARGS]\n\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`ace: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = (await import(command.module)) as { run: (argv: string[]) => Promise<number> };
  return mod.run(rest);
}
