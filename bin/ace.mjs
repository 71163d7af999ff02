#!/usr/bin/env node
// The `ace` entry point: registers the TypeScript loader (tsx) and hands over to tools/ace.ts.
import { register } from 'tsx/esm/api';

// A reader that goes away (`ace ... | head`) is no crash: later writes to that stream are
// dropped. Commands that run a topology also listen and stop in order (tools/launch.ts).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
register();
const { main } = await import('../tools/ace.ts');
process.exitCode = await main(process.argv.slice(2));
