// bin/dist.mjs, the precompiled CLI that bin/ace.mjs runs when it is up to date: the build of
// this repository gives the verdicts of the sources (its math worker and compute-engine's code
// cache included), and the freshness check notices every kind of change, so that a stale build
// is never run. Builds run in child processes into temporary folders, never the repository's dist/.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDist } from '../bin/dist.mjs';
import { repoRoot } from '../ops/datasets.ts';
import { judgeInput } from '../ops/reward/math/judge.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ace-dist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DIST_MJS = pathToFileURL(join(repoRoot(), 'bin', 'dist.mjs')).href;

let scripts = 0;
/** Runs `code` (an ES module body) in a fresh node; returns its stdout. */
async function node(code: string): Promise<string> {
  const file = join(tmp, `script-${scripts++}.mjs`);
  writeFileSync(file, code);
  const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: repoRoot() });
  return stdout;
}

const build = (root: string, dist: string) => node(`const m = await import(${JSON.stringify(DIST_MJS)}); await m.buildDist(${JSON.stringify(root)}, ${JSON.stringify(dist)});`);

describe('the precompiled CLI (bin/dist.mjs)', () => {
  it('built from this repository, `ace verify math` gives the verdicts of the sources from a worker loading the code cache', async () => {
    // Inside the repository (as dist/ is), so that the packages resolve from node_modules.
    const dist = mkdtempSync(join(repoRoot(), 'dist.test-'));
    try {
      await checkRepositoryBuild(dist);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });

  it('is fresh until a source changes, a folder gains or loses a source, or an input goes; tests do not count', async () => {
    const root = join(tmp, 'fake');
    const dist = join(root, 'dist');
    const put = (rel: string, text: string) => {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    };
    for (const f of ['tsconfig.json', 'package.json', 'package-lock.json']) put(f, readFileSync(join(repoRoot(), f), 'utf8'));
    put('bin/dist.mjs', readFileSync(join(repoRoot(), 'bin', 'dist.mjs'), 'utf8'));
    put('tools/ace.ts', "import { x } from './b.ts';\nexport const where = (): string[] => [import.meta.url, import.meta.dirname];\nexport const value: number = x;\n");
    put('tools/b.ts', 'export const x: number = 1;\n');
    await build(root, dist);
    expect(freshDist(root, dist)).toEqual({ ok: true, entry: pathToFileURL(join(dist, 'tools', 'ace.js')).href });
    // Built code imports built code, and import.meta still names the source file.
    const out = await node(`const m = await import(${JSON.stringify(pathToFileURL(join(dist, 'tools', 'ace.js')).href)}); console.log(JSON.stringify([m.value, ...m.where()]))`);
    expect(JSON.parse(out)).toEqual([1, pathToFileURL(join(root, 'tools', 'ace.ts')).href, join(root, 'tools')]);

    // A new mtime with the same content (a checkout, a touch) is still fresh.
    utimesSync(join(root, 'tools', 'b.ts'), new Date(), new Date(Date.now() + 5000));
    expect(freshDist(root, dist).ok).toBe(true);
    put('tools/ace.test.ts', 'export {};\n');
    expect(freshDist(root, dist).ok).toBe(true);

    put('tools/b.ts', 'export const x: number = 2;\n');
    expect(freshDist(root, dist)).toEqual({ ok: false, reason: 'tools/b.ts changed since the build' });
    await build(root, dist);
    expect(freshDist(root, dist).ok).toBe(true);

    put('tools/c.ts', 'export {};\n');
    expect(freshDist(root, dist)).toEqual({ ok: false, reason: 'files were added to or removed from tools/ since the build' });
    await build(root, dist);
    unlinkSync(join(root, 'tools', 'c.ts'));
    expect(freshDist(root, dist).ok).toBe(false);
    await build(root, dist);
    put('tsconfig.json', '{}\n');
    expect(freshDist(root, dist)).toEqual({ ok: false, reason: 'tsconfig.json changed since the build' });
    rmSync(join(dist, 'manifest.json'));
    expect(freshDist(root, dist).ok).toBe(false);
  });

  it('refuses to build code that imports a file outside the build (a test helper)', async () => {
    const root = join(tmp, 'outside');
    mkdirSync(join(root, 'bin'), { recursive: true });
    for (const f of ['tsconfig.json', 'package.json', 'package-lock.json']) writeFileSync(join(root, f), readFileSync(join(repoRoot(), f), 'utf8'));
    writeFileSync(join(root, 'bin', 'dist.mjs'), readFileSync(join(repoRoot(), 'bin', 'dist.mjs'), 'utf8'));
    mkdirSync(join(root, 'tools'));
    mkdirSync(join(root, 'test'));
    writeFileSync(join(root, 'test', 'helper.ts'), 'export const h = 1;\n');
    writeFileSync(join(root, 'tools', 'ace.ts'), "export { h } from '../test/helper.ts';\n");
    await expect(build(root, join(root, 'dist'))).rejects.toThrow(/test\/helper\.ts is imported but is not a source file of the build/);
    expect(freshDist(root, join(root, 'dist')).ok).toBe(false);
  });
});

async function checkRepositoryBuild(dist: string): Promise<void> {
  await build(repoRoot(), dist);
  const lines = [
    { gold: '\\frac{1}{2}', pred: '0.5' },
    { gold: '(x+1)^2', pred: 'x^2+2x+1' },
    { gold: '3', response: '<think>..</think> \\boxed{4}' },
    { gold: '\\frac{1}{', pred: '1' },
    { gold: '\\sin^2 x + \\cos^2 x', pred: '1' },
  ];
  const input = join(tmp, 'in.jsonl');
  writeFileSync(input, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const entry = pathToFileURL(join(dist, 'tools', 'ace.js')).href;
  const stdout = await node(`const { main } = await import(${JSON.stringify(entry)}); process.exitCode = await main(['verify', 'math', '--jsonl', ${JSON.stringify(input)}]);`);
  const verdicts = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(verdicts.map(({ kind, rule, gold, pred, reason }) => ({ kind, rule, gold, pred, reason }))).toEqual(lines.map((l) => judgeInput(l)));
  // The pool started the built worker (no loader); compute-engine came from its shim, with the cache accepted.
  const shim = pathToFileURL(join(dist, 'vendor', 'compute-engine.js')).href;
  expect(await node(`const m = await import(${JSON.stringify(shim)}); console.log(m.__aceCodeCache().rejected)`)).toBe('false\n');
  expect(readFileSync(join(dist, 'ops', 'reward', 'math', 'pool.js'), 'utf8')).toMatch(/^const __ACE_BUILD_URL__ = import\.meta\.url;/);
}
