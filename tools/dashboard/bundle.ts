// The dashboard page as three strings the server hands out: app.js (page/app.ts and uPlot,
// bundled by esbuild into one IIFE), app.css (uPlot's stylesheet, then page/style.css) and
// index.html. Built in memory once per process on first use; not a file writer and not a server.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface PageBundle {
  js: string;
  css: string;
  html: string;
}

// import.meta.url names the source file even inside dist/ (bin/dist.mjs), so page/ resolves from both.
const pagePath = (name: string): string => fileURLToPath(new URL(`./page/${name}`, import.meta.url));

let bundled: Promise<PageBundle> | null = null;

/** The page, bundled on the first call; later calls share that result. */
export function bundlePage(): Promise<PageBundle> {
  if (bundled === null) {
    bundled = buildPage();
    // A failed build is not kept: the next call tries again.
    bundled.catch(() => (bundled = null));
  }
  return bundled;
}

async function buildPage(): Promise<PageBundle> {
  const require = createRequire(import.meta.url);
  const uplotCss = require.resolve('uplot/dist/uPlot.min.css');
  const [result, uplotStyle, pageStyle, html] = await Promise.all([
    build({
      entryPoints: [pagePath('app.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      // uPlot's notice is a plain comment that minifying drops; its MIT licence asks to keep it.
      banner: { js: '/*! uPlot (c) 2025 Leon Sorokin, MIT licence */' },
      legalComments: 'none',
      logLevel: 'silent',
    }),
    readFile(uplotCss, 'utf8'),
    readFile(pagePath('style.css'), 'utf8'),
    readFile(pagePath('index.html'), 'utf8'),
  ]);
  const js = result.outputFiles[0]?.text;
  if (js === undefined) throw new Error('esbuild produced no output for page/app.ts');
  return { js, css: `${uplotStyle}\n${pageStyle}`, html };
}
