// `ace bench NAME [--json]`: runs bench/NAME.ts. Each bench prints progress and figures
// on stderr/stdout and, with --json, one JSON object as its last stdout line.

const BENCHES: Record<string, string> = {
  backbone: '../bench/backbone.ts',
  learner: '../bench/learner.ts',
  generator: '../bench/generator.ts',
  'math-verifier': '../bench/math-verifier.ts',
  'code-verifier': '../bench/code-verifier.ts',
  loop: '../bench/loop.ts',
  curate: '../bench/curate.ts',
};

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const module = name ? BENCHES[name] : undefined;
  if (!module) {
    process.stderr.write(`usage: ace bench ${Object.keys(BENCHES).join('|')} [--json]\n`);
    return 2;
  }
  const mod = (await import(module)) as { run: (argv: string[]) => Promise<number> };
  return mod.run(rest);
}
