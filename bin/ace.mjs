#!/usr/bin/env node
// The `ace` entry point: registers the TypeScript loader (tsx) and hands over to tools/ace.ts.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../tools/ace.ts');
process.exitCode = await main(process.argv.slice(2));
