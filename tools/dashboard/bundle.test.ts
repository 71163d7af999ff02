// bundlePage(): the page bundles, loads nothing from outside, and its HTML holds every element
// app.ts looks up by id. The page's behaviour in a browser is the end-to-end test's job.
import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bundlePage } from './bundle.ts';

describe('bundlePage', () => {
  it('bundles app.ts and uPlot into one script that compiles and names no URL', async () => {
    const { js } = await bundlePage();
    expect(() => new Script(js, { filename: 'app.js' })).not.toThrow();
    // Comments are dropped by minifying, so any URL left would be one the page could load.
    expect(js.match(/https?:\/\//g)).toBeNull();
    expect(js).toContain('/api/events');
    expect(js).toContain('data-scale-button');
    expect(js).toContain('MIT licence');
  });

  it("puts uPlot's stylesheet before the page's own", async () => {
    const { css } = await bundlePage();
    const uplot = css.indexOf('.uplot');
    const page = css.indexOf('.charts');
    expect(uplot).toBeGreaterThanOrEqual(0);
    expect(page).toBeGreaterThan(uplot);
    expect(css).not.toMatch(/url\(\s*['"]?(https?:)?\/\//);
    expect(css).not.toMatch(/@import/);
  });

  it('serves an html page that loads /app.js and /app.css and nothing external', async () => {
    const { html } = await bundlePage();
    expect(html).toMatch(/<script src="\/app\.js"/);
    expect(html).toMatch(/<link rel="stylesheet" href="\/app\.css">/);
    const refs = [...html.matchAll(/\s(?:src|href|action)\s*=\s*"([^"]*)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) expect(ref, ref).toMatch(/^(\/(?!\/)|data:|#)/);
  });

  it('holds every element app.ts looks up by id', async () => {
    const { html } = await bundlePage();
    const app = readFileSync(new URL('./page/app.ts', import.meta.url), 'utf8');
    const ids = [...app.matchAll(/byId(?:<[^>]+>)?\('([^']+)'\)/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(20);
    const missing = [...new Set(ids)].filter((id) => !html.includes(`id="${id}"`));
    expect(missing).toEqual([]);
  });

  it('bundles once per process', async () => {
    const [a, b] = await Promise.all([bundlePage(), bundlePage()]);
    expect(b).toBe(a);
    expect(await bundlePage()).toBe(a);
  });
});
