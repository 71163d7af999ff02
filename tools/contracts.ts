// `ace contracts --json-schema DIR`: writes one JSON Schema file per wire message (and the
// topology file), generated from the zod schemas, so a peer in another language can join.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SCHEMAS } from '../contracts/index.ts';
import { args, cli, CliError } from './session.ts';

export function jsonSchemas(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, z.toJSONSchema(schema, { io: 'input' })]));
}

export async function run(argv: string[]): Promise<number> {
  return cli(async () => {
    const { values } = args(argv, { 'json-schema': { type: 'string' } });
    const dir = values['json-schema'];
    if (!dir) throw new CliError('BAD_ARGS', 'usage: ace contracts --json-schema DIR');
    mkdirSync(dir, { recursive: true });
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      const file = join(dir, `${name}.schema.json`);
      writeFileSync(file, `${JSON.stringify({ title: name, ...(schema as object) }, null, 2)}\n`);
      process.stderr.write(`wrote ${file}\n`);
    }
    return 0;
  });
}
