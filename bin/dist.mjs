// The precompiled build of the `ace` CLI: every source .ts file of the CLI (actors, bench,
// contracts, ops, streams, tools; not tests) transpiled by esbuild, one .js file per source
// file, into dist/ with the same layout. bin/ace.mjs runs it when it is up to date and falls
// back to running the sources through tsx when it is not, so that `ace` starts without
// registering a loader and transpiling its import graph (about a second saved per start).
//
// Built by `npm install` / `npm ci` (the `prepare` script), by .ci/setup and by
// `npm run build`. A stale build is never run: dist/manifest.json records each source file's
// mtime, size and SHA-1 and each source folder's entries; `freshDist()` checks them all on every
// start (a few ms) and any difference (an edited, added or removed file) means "run the sources".
//
// Inside a built file, import.meta.url / dirname / filename still name the SOURCE file, so that
// paths next to the sources (a .py file, bin/ace.mjs, the datasets) resolve as before; the
// build's own URL is __ACE_BUILD_URL__ (used by the math verifier pool to start its worker from
// dist/ too). Relative imports of .ts files become imports of their built .js siblings; other
// relative imports point back at the source tree; packages load from node_modules as usual,
// except @cortex-js/compute-engine (see CODE_CACHED below).
//
// Usage: node bin/dist.mjs build [--if-possible]   (build; --if-possible: warn and exit 0 on failure)
//        node bin/dist.mjs check                   (exit 0 when dist/ is up to date, else 1 and why)
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const MANIFEST = 'manifest.json';
const FORMAT = 1;
/** The source trees of the CLI. test/ and *.test.ts are not part of it. */
const TREES = ['actors', 'bench', 'contracts', 'ops', 'streams', 'tools'];
/** Inputs that change the output without being sources: this script, the TypeScript settings, the dependencies. */
const INPUTS = ['bin/dist.mjs', 'tsconfig.json', 'package.json', 'package-lock.json'];
/**
 * Packages whose load is most of a start and whose CommonJS build the built code loads instead,
 * compiled with a V8 code cache made at build time (Node 20 has no compile cache for ES modules).
 * compute-engine is ~3.4 MB of JavaScript that every math verifier worker loads before it is
 * ready: ~0.45 s of a one-line `ace verify math`; the cache saves about a third of it. Same
 * version, same exports (checked here); a cache that does not match the installed file or this
 * V8 is not used (the file is then compiled as usual).
 */
const CODE_CACHED = { '@cortex-js/compute-engine': 'vendor/compute-engine.js' };

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts');
const posix = (p) => p.split(sep).join('/');
const sha1 = (buf) => createHash('sha1').update(buf).digest('hex');

/** The entries of a source folder that matter: source files and sub-folders (`name/`), sorted. */
function entriesOf(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    if (e.isDirectory()) out.push(`${e.name}/`);
    else if (e.isFile() && isSource(e.name)) out.push(e.name);
  }
  return out.sort();
}

/** Every source folder (relative, posix) with its mtime (taken before the listing) and entries. */
function scanTrees(root) {
  const dirs = {};
  const walk = (rel) => {
    const mtimeMs = statSync(join(root, rel)).mtimeMs;
    const entries = entriesOf(join(root, rel));
    dirs[rel] = { mtimeMs, entries };
    for (const e of entries) if (e.endsWith('/')) walk(`${rel}/${e.slice(0, -1)}`);
  };
  for (const t of TREES) if (existsSync(join(root, t))) walk(t);
  return dirs;
}

function fileRecord(root, rel) {
  const abs = join(root, rel);
  const st = statSync(abs);
  return { mtimeMs: st.mtimeMs, size: st.size, sha1: sha1(readFileSync(abs)) };
}

/**
 * Whether dist/ holds an up-to-date build: `{ ok: true, entry }` (the URL of dist/tools/ace.js)
 * or `{ ok: false, reason }`. Unchanged files are recognized by mtime and size alone; a file
 * whose mtime changed (a checkout, a touch) is hashed, and only a different content is stale.
 */
export function freshDist(root = ROOT, dist = join(root, 'dist')) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dist, MANIFEST), 'utf8'));
  } catch {
    return { ok: false, reason: 'no build in dist/' };
  }
  if (manifest.format !== FORMAT) return { ok: false, reason: 'dist/ was built by another version of bin/dist.mjs' };
  try {
    for (const [rel, rec] of Object.entries(manifest.files)) {
      const abs = join(root, rel);
      const st = statSync(abs);
      if (st.mtimeMs === rec.mtimeMs && st.size === rec.size) continue;
      if (st.size !== rec.size || sha1(readFileSync(abs)) !== rec.sha1) return { ok: false, reason: `${rel} changed since the build` };
    }
    for (const [rel, rec] of Object.entries(manifest.dirs)) {
      const st = statSync(join(root, rel));
      if (st.mtimeMs === rec.mtimeMs) continue;
      const now = entriesOf(join(root, rel));
      if (now.join('\n') !== rec.entries.join('\n')) return { ok: false, reason: `files were added to or removed from ${rel}/ since the build` };
    }
  } catch (e) {
    return { ok: false, reason: `a source file is missing since the build (${e.code ?? e.message})` };
  }
  return { ok: true, entry: pathToFileURL(join(dist, 'tools', 'ace.js')).href };
}

/** Transpiles every source file into a fresh folder, then swaps it in for `dist` (tests build elsewhere). */
export async function buildDist(root = ROOT, dist = join(root, 'dist')) {
  const started = performance.now();
  const esbuild = await import('esbuild');
  const dirs = scanTrees(root);
  const sources = Object.entries(dirs).flatMap(([d, { entries }]) => entries.filter((e) => !e.endsWith('/')).map((e) => `${d}/${e}`));
  // Read the inputs before transpiling: an edit during the build then makes the manifest stale, not wrong.
  const files = {};
  for (const rel of [...sources, ...INPUTS]) files[rel] = fileRecord(root, rel);
  const sourceSet = new Set(sources.map((s) => join(root, s)));
  // The shims of CODE_CACHED packages that some source imports (made on the first import).
  const shimming = {};

  const rewrite = {
    name: 'ace-dist-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point') return undefined;
        const fromDist = join(dist, relative(root, args.resolveDir));
        if (Object.hasOwn(CODE_CACHED, args.path) && (await (shimming[args.path] ??= shimSource(args.path)))) {
          return { path: dotted(posix(relative(fromDist, join(dist, CODE_CACHED[args.path])))), external: true };
        }
        if (!args.path.startsWith('.')) return { path: args.path, external: true };
        const target = resolve(args.resolveDir, args.path);
        if (target.endsWith('.ts')) {
          if (!sourceSet.has(target)) return { errors: [{ text: `${posix(relative(root, target))} is imported but is not a source file of the build (${TREES.join(', ')}; no tests)` }] };
          return { path: args.path.replace(/\.ts$/, '.js'), external: true };
        }
        // Not transpiled (a .mjs, .json or data file): import it from the source tree.
        return { path: dotted(posix(relative(fromDist, target))), external: true };
      });
    },
  };

  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: sources,
    outbase: '.',
    outdir: dist,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    plugins: [rewrite],
    define: {
      'import.meta.url': '__ACE_SOURCE_URL__',
      'import.meta.dirname': '__ACE_SOURCE_DIR__',
      'import.meta.filename': '__ACE_SOURCE_FILE__',
    },
  });

  const shims = Object.fromEntries(await Promise.all(Object.entries(shimming).map(async ([pkg, p]) => [pkg, await p])));
  const tmp = `${dist}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const out of result.outputFiles) {
    const rel = relative(dist, out.path);
    const source = posix(rel).replace(/\.js$/, '.ts');
    const back = posix(relative(dirname(join(dist, rel)), join(root, source)));
    const uses = (name) => out.text.includes(name);
    const prelude = [
      uses('__ACE_BUILD_URL__') && 'const __ACE_BUILD_URL__ = import.meta.url;',
      uses('__ACE_SOURCE_') && `const __ACE_SOURCE_URL__ = new URL(${JSON.stringify(back)}, import.meta.url).href;`,
      (uses('__ACE_SOURCE_FILE__') || uses('__ACE_SOURCE_DIR__')) &&
        "import { fileURLToPath as __aceFileURLToPath } from 'node:url'; import { dirname as __aceDirname } from 'node:path';\n" +
          'const __ACE_SOURCE_FILE__ = __aceFileURLToPath(__ACE_SOURCE_URL__), __ACE_SOURCE_DIR__ = __aceDirname(__ACE_SOURCE_FILE__);',
    ].filter(Boolean);
    mkdirSync(dirname(join(tmp, rel)), { recursive: true });
    writeFileSync(join(tmp, rel), prelude.length ? `${prelude.join('\n')}\n${out.text}` : out.text);
  }
  for (const [pkg, rel] of Object.entries(CODE_CACHED)) {
    if (!shims[pkg]) continue;
    mkdirSync(dirname(join(tmp, rel)), { recursive: true });
    writeFileSync(join(tmp, rel), shims[pkg]);
  }
  await makeCodeCaches(tmp, shims);
  writeFileSync(join(tmp, MANIFEST), `${JSON.stringify({ format: FORMAT, builtAt: new Date().toISOString(), files, dirs }, null, 1)}\n`);
  // Swap: a reader sees the old build, no build (and runs the sources) or the new one, never a mix.
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(tmp, dist);
  rmSync(old, { recursive: true, force: true });
  return { files: result.outputFiles.length, ms: performance.now() - started };
}

const dotted = (spec) => (spec.startsWith('.') ? spec : `./${spec}`);

/**
 * The module that stands for `pkg` in the build: its CommonJS build run through vm.Script with
 * the code cache beside it (`<name>.v8`, valid for `<name>.json`), exporting the same names as
 * its ES module build. Null (import the package as usual) when the two builds' exports differ.
 */
async function shimSource(pkg) {
  const require = createRequire(import.meta.url);
  const esm = Object.keys(await import(pkg));
  const cjs = Object.keys(require(pkg));
  const names = esm.filter((k) => k !== 'default').sort();
  if (names.length === 0 || names.some((k) => !cjs.includes(k))) {
    process.stderr.write(`ace build: ${pkg}: its CommonJS and ES module exports differ; imported as usual (no code cache)\n`);
    return null;
  }
  const base = JSON.stringify(`./${CODE_CACHED[pkg].split('/').pop().replace(/\.js$/, '')}`);
  return `// Generated by bin/dist.mjs: ${pkg}'s CommonJS build, compiled with the V8 code cache made at build time.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

const file = createRequire(import.meta.url).resolve(${JSON.stringify(pkg)});
const source = readFileSync(file, 'utf8');
let cachedData;
try {
  const meta = JSON.parse(readFileSync(new URL(${base} + '.json', import.meta.url), 'utf8'));
  const st = statSync(file);
  if (meta.file === file && meta.size === st.size && meta.mtimeMs === st.mtimeMs && meta.v8 === process.versions.v8) cachedData = readFileSync(new URL(${base} + '.v8', import.meta.url));
} catch {}
const script = new vm.Script(\`(function (exports, require, module, __filename, __dirname) {\${source}\n})\`, { filename: file, cachedData });
const mod = { exports: {} };
script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
/** For the build: the cache, after the warm-up has compiled what a start runs. */
export const __aceCodeCache = () => ({ data: script.createCachedData(), file, rejected: script.cachedDataRejected });
export const { ${names.join(', ')} } = mod.exports;
`;
}

/** Loads each shim in this process, runs the math verifier's warm-up, and stores what V8 compiled. */
async function makeCodeCaches(tmp, shims) {
  const judge = join(tmp, 'ops', 'reward', 'math', 'judge.js');
  for (const [pkg, rel] of Object.entries(CODE_CACHED)) {
    if (!shims[pkg] || !existsSync(judge)) continue;
    try {
      const shim = await import(pathToFileURL(join(tmp, rel)).href);
      const { warmUp } = await import(pathToFileURL(judge).href);
      warmUp();
      const { data, file } = shim.__aceCodeCache();
      const st = statSync(file);
      const out = join(tmp, rel).replace(/\.js$/, '');
      writeFileSync(`${out}.v8`, data);
      writeFileSync(`${out}.json`, `${JSON.stringify({ file, size: st.size, mtimeMs: st.mtimeMs, v8: process.versions.v8 })}\n`);
    } catch (e) {
      process.stderr.write(`ace build: no code cache for ${pkg} (${e.message}); it is compiled at each start\n`);
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, flag] = process.argv.slice(2);
  if (cmd === 'build') {
    try {
      const r = await buildDist();
      process.stderr.write(`ace build: ${r.files} files into dist/ in ${(r.ms / 1000).toFixed(1)} s\n`);
    } catch (e) {
      rmSync(join(DIST, MANIFEST), { force: true }); // whatever is there must not pass for current
      process.stderr.write(`ace build: failed; \`ace\` will run the sources through tsx (slower start)\n${e.message}\n`);
      process.exitCode = flag === '--if-possible' ? 0 : 1;
    }
  } else if (cmd === 'check') {
    const r = freshDist();
    process.stderr.write(r.ok ? 'dist/ is up to date\n' : `dist/ is not used: ${r.reason}\n`);
    process.exitCode = r.ok ? 0 : 1;
  } else {
    process.stderr.write('usage: node bin/dist.mjs build [--if-possible] | check\n');
    process.exitCode = 2;
  }
}
