// `ace verify math|code --jsonl FILE`: one JSON line out per input line, in order.
// The domain work lives in ops/reward/{math,code}/cli.ts.

export async function run(argv: string[]): Promise<number> {
  const [domain, ...rest] = argv;
  if (domain === 'math') return (await import('../ops/reward/math/cli.ts')).run(rest);
  if (domain === 'code') return (await import('../ops/reward/code/cli.ts')).run(rest);
  process.stderr.write('usage: ace verify math|code --jsonl FILE [--out FILE]\n');
  return 2;
}
