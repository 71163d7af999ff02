// Worker-thread entry for the math verifier pool: registers the TypeScript loader (tsx) in
// this thread, then loads the real worker (workerData.entry). Plain JS on purpose: it must
// run before any loader exists, under vitest and under `node bin/ace.mjs` alike.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
