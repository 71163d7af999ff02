// `ace contracts --json-schema DIR`: writes one JSON Schema file per wire message (and the
// topology file), generated from the zod schemas, so a peer in another language can join.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SCHEMAS } from '../contracts/index.ts';
import { defineCommand } from './command.ts';

export function jsonSchemas(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, z.toJSONSchema(schema, { io: 'input' })]));
}

export const command = defineCommand({
  name: 'contracts',
  summary: 'write one JSON Schema file per wire message (and the topology file)',
  flags: { 'json-schema': { schema: z.string({ error: '--json-schema DIR is required' }).min(1), help: 'directory to write the schemas to', value: 'DIR' } },
  examples: ['ace contracts --json-schema schemas/'],
  async run(values) {
    const dir = values['json-schema'];
    mkdirSync(dir, { recursive: true });
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      const file = join(dir, `${name}.schema.json`);
      writeFileSync(file, `${JSON.stringify({ title: name, ...(schema as object) }, null, 2)}\n`);
      process.stderr.write(`wrote ${file}\n`);
    }
    return 0;
  },
});
