// The web dashboard end to end: a real `ace train --dashboard 0` (embedded nats-server, actor
// processes), Debian's chromium driven headless by playwright-core, /metrics parsed by a
// Prometheus text parser, then `ace dashboard --run-dir` on the finished run. Skipped, with the
// reason printed, where chromium is missing (.ci/setup installs it).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import parsePrometheus from 'parse-prometheus-text-format';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rollout } from '../../contracts/rollout.ts';
import { byteTokenizer } from '../../ops/model/tokenizer.ts';
import { ACE, heartbeats, readAll, waitFor } from '../../tools/harness/up.ts';

const CHROMIUM = process.env.ACE_CHROMIUM ?? '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? null : `no chromium at ${CHROMIUM} (Debian's chromium; .ci/setup installs it, ACE_CHROMIUM names another)`;
if (missing) console.warn(`[dashboard] skipped: ${missing}`);

/** `ace ARGS` as a child whose output is collected; `url` resolves with the first `dashboard at URL` it prints. */
function startAce(args: string[]): { child: ChildProcess; output: () => string; url: Promise<string>; exit: Promise<number> } {
  const child = spawn(process.execPath, [ACE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let found: (url: string) => void;
  const url = new Promise<string>((r) => (found = r));
  const onData = (d: Buffer) => {
    out += d;
    const m = /dashboard at (http:\/\/\S+)/.exec(out);
    if (m) found(m[1]);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
  return { child, output: () => out, url, exit };
}

type Family = { name: string; metrics: { value: string; labels?: Record<string, string> }[] };

async function scrape(url: string): Promise<Family[]> {
  const res = await fetch(`${url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text()) as Family[];
}

const value = (families: Family[], name: string, labels: Record<string, string> = {}) =>
  Number(families.find((f) => f.name === name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? Number.NaN);

describe.skipIf(missing)('dashboard: live run in headless chromium, /metrics, a finished run', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'ace-dash-'));
  let train: ReturnType<typeof startAce>;
  let browser: Browser;
  let nc: NatsConnection;
  let url: string;

  beforeAll(async () => {
    train = startAce(['train', '--domain', 'math', '--steps', '60', '--tasks-per-step', '4', '--group-size', '4', '--no-eval', '--run-dir', runDir, '--dashboard', '0']);
    url = await Promise.race([train.url, train.exit.then((code) => Promise.reject(new Error(`ace train exited ${code} before its dashboard started:\n${train.output()}`)))]);
    nc = await connect({ servers: JSON.parse(readFileSync(join(runDir, 'up.json'), 'utf8')).natsUrl });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await nc?.close().catch(() => {});
    if (train && train.child.exitCode === null) {
      train.child.kill('SIGTERM');
      await Promise.race([train.exit, new Promise((r) => setTimeout(r, 30_000))]);
      if (train.child.exitCode === null) train.child.kill('SIGKILL');
    }
    rmSync(runDir, { recursive: true, force: true });
  }, 60_000);

  it('during `ace train`: charts gain a point per step, consumers listed, a rollout opens as recorded, the scale control scales, /metrics advances', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(url);

    // The reward chart: one point per committed step, growing while the run goes on.
    const points = () => page.locator('[data-chart="reward"]').getAttribute('data-points').then(Number);
    const first = await waitFor('a first step on the reward chart', async () => (await points()) >= 1 && (await points()), 90_000, 200);
    const later = await waitFor('three more steps on the reward chart', async () => (await points()) >= first + 3 && (await points()), 90_000, 200);
    const ledger = await readAll(nc, 'ACE_STEPS', 'ace.steps.>');
    expect(later).toBeLessThanOrEqual(ledger.length);
    expect(later).toBeGreaterThanOrEqual(ledger.length - 2); // the page lags the ledger by a push at most
    expect(await page.locator('[data-chart="reward"] canvas').count()).toBeGreaterThan(0);

    // The stream table shows the topology's durable consumers.
    for (const consumer of ['generator', 'math-verifier', 'normalizer']) await page.locator(`tr[data-consumer="${consumer}"]`).first().waitFor({ timeout: 10_000 });

    // The inspector: open a rollout; its text is the one on the rollouts stream.
    await page.locator('[data-action="refresh-rollouts"]').click();
    const row = page.locator('tr[data-rollout]').first();
    await row.waitFor({ timeout: 10_000 });
    const id = (await row.getAttribute('data-rollout'))!;
    await row.click();
    const response = page.locator('#rollout-detail pre[data-field="response"]');
    await response.waitFor({ timeout: 10_000 });
    const recorded = (await readAll<Rollout>(nc, 'ACE_ROLLOUTS', 'ace.rollouts.>')).find((m) => m.value.id === id)!.value;
    expect(await response.textContent()).toBe(recorded.response);
    expect(await page.locator('#rollout-detail pre[data-field="prompt"]').textContent()).toBe(byteTokenizer.decode(recorded.promptTokens));

    // The scale control: math-verifier 1 -> 2, run by the supervisor.
    await page.locator('input[data-scale-input="math-verifier"]').fill('2');
    await page.locator('button[data-scale-button="math-verifier"]').click();
    const live = (hb: Awaited<ReturnType<typeof heartbeats>>) => hb.filter((h) => h.actor === 'math-verifier' && h.state === 'RUNNING' && Date.now() - h.ts < 5000);
    await waitFor('2 running math-verifier instances', async () => live(await heartbeats(nc)).length === 2, 60_000, 250);
    expect(train.output()).toMatch(/started math-verifier-1 \(pid \d+\)/);
    const runningCell = page.locator('tr[data-role="math-verifier"] td').nth(3); // actor, kind, desired, running
    await waitFor('the page to count 2 running math-verifiers', async () => (await runningCell.textContent()) === '2', 15_000, 250);

    // /metrics: Prometheus text, the step counter advancing.
    const before = await scrape(url);
    const steps0 = value(before, 'ace_steps_committed_total');
    expect(steps0).toBeGreaterThanOrEqual(later);
    expect(value(before, 'ace_role_running_instances', { role: 'math-verifier' })).toBe(2);
    expect(value(before, 'ace_consumer_pending', { stream: 'ACE_ROLLOUTS', consumer: 'math-verifier' })).toBeGreaterThanOrEqual(0);
    expect(value(before, 'ace_last_step_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 120);
    await waitFor('the step counter to advance', async () => value(await scrape(url), 'ace_steps_committed_total') > steps0, 60_000, 500);

    if (process.env.ACE_SCREENSHOT) await page.screenshot({ path: process.env.ACE_SCREENSHOT });
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('`ace dashboard --run-dir` on the finished run: the same records, read-only', async () => {
    const steps = await readAll(nc, 'ACE_STEPS', 'ace.steps.>');
    await nc.close();
    train.child.kill('SIGTERM');
    expect(await train.exit).toBe(143); // ace train: interrupted by SIGTERM, drained and stopped
    const d = startAce(['dashboard', '--run-dir', runDir, '--port', '0']);
    try {
      const at = await Promise.race([d.url, d.exit.then((code) => Promise.reject(new Error(`ace dashboard exited ${code}:\n${d.output()}`)))]);
      const state = (await (await fetch(`${at}/api/state`)).json()) as { live: { mode: string; readOnly: string | null; committedSteps: number }; steps: { step: number }[] };
      expect(state.live.mode).toBe('finished');
      expect(state.live.readOnly).toMatch(/finished run/);
      expect(state.steps.length).toBe(state.live.committedSteps);
      expect(state.steps.length).toBeGreaterThanOrEqual(steps.length);
      const scale = await fetch(`${at}/api/scale`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ actor: 'generator', instances: 2 }) });
      expect(scale.status).toBe(409);
      const page = await browser.newPage();
      await page.goto(at);
      await waitFor('the finished run on the reward chart', async () => Number(await page.locator('[data-chart="reward"]').getAttribute('data-points')) === state.steps.length, 20_000, 200);
      expect(await page.locator('button[data-scale-button="generator"]').isDisabled()).toBe(true);
      await page.close();
    } finally {
      d.child.kill('SIGINT');
      await d.exit;
    }
  }, 120_000);
});
