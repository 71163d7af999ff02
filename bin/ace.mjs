#!/usr/bin/env node
// The `ace` entry point: runs the precompiled build in dist/ when it is up to date with the
// sources (bin/dist.mjs checks every file; a few ms), else registers the TypeScript loader
// (tsx) and runs the sources, tools/ace.ts. The build only saves start-up time (about a
// second: no loader, no transpiling); both run the same code (the build loads compute-engine
// from its CommonJS build, same version, with a V8 code cache). ACE_DIST=0 forces the sources.
import { freshDist } from './dist.mjs';

// A reader that goes away (`ace ... | head`) is no crash: later writes to that stream are
// dropped. Commands that run a topology also listen and stop in order (tools/launch.ts).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
const dist = process.env.ACE_DIST === '0' ? { ok: false, reason: 'ACE_DIST=0' } : freshDist();
let main;
if (dist.ok) {
  ({ main } = await import(dist.entry));
} else {
  // Said only to a person at a terminal: scripts and tests see the same output either way.
  if (process.stderr.isTTY && process.env.ACE_DIST !== '0') process.stderr.write(`ace: running the sources through tsx (slower start): ${dist.reason}; \`npm run build\` refreshes dist/\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../tools/ace.ts'));
}
process.exitCode = await main(process.argv.slice(2));
