// Harness for tests and benches: run `ace up` (and other ace commands) as real child processes
// against a given nats-server, with a private state dir and a topology file written from an
// object, and read back what they did (heartbeats, stream contents, in-flight counts).
// Not used by the CLI itself.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TopologyInput } from '../../contracts/topology.ts';
import { Heartbeat } from '../../contracts/metrics.ts';
import { listKeys, openKv } from '../../streams/manager.ts';
import { readRange } from '../../streams/range.ts';

export const ACE = resolve(import.meta.dirname, '..', '..', 'bin', 'ace.mjs');

export interface UpHandle {
  child: ChildProcess;
  stateDir: string;
  topologyPath: string;
  output: () => string;
  exit: Promise<number>;
  /** The exit code, or a rejection after `ms` carrying the output and the actors' log tails. */
  exitWithin: (ms: number) => Promise<number>;
}

export function writeTopology(t: TopologyInput): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ace-test-'));
  const path = join(dir, 'topology.json');
  writeFileSync(path, JSON.stringify(t, null, 2));
  return { dir, path };
}

const started = new Set<ChildProcess>();

/** Kills every `ace up` this test file started that is still running (its actors follow). */
export function killStartedUps(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  started.clear();
}

export function startUp(t: TopologyInput, natsUrl: string, extra: string[] = []): UpHandle {
  const { dir, path } = writeTopology(t);
  const child = spawn(process.execPath, [ACE, 'up', path, '--nats', natsUrl, '--state-dir', dir, '--progress-ms', '500', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  started.add(child);
  const exit = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
  const exitWithin = (ms: number) =>
    Promise.race([
      exit,
      new Promise<number>((_, reject) =>
        setTimeout(() => {
          const logs = join(dir, 'logs');
          const tails = existsSync(logs) ? readdirSync(logs).map((f) => `--- ${f}\n${readFileSync(join(logs, f), 'utf8').split('\n').slice(-15).join('\n')}`) : [];
          reject(new Error(`ace up did not exit within ${ms} ms\n${out.split('\n').slice(-40).join('\n')}\n${tails.join('\n')}`));
        }, ms).unref(),
      ),
    ]);
  return { child, stateDir: dir, topologyPath: path, output: () => out, exit, exitWithin };
}

/** Runs an ace command to its exit; `env` adds to this process's environment (e.g. ACE_INJECT). */
export function runAce(args: string[], timeoutMs = 60_000, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [ACE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ace ${args.join(' ')} timed out:\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
  });
}

export async function heartbeats(nc: NatsConnection, prefix = 'ace'): Promise<Heartbeat[]> {
  const kv = await openKv(nc, `${prefix}-actors`);
  const out: Heartbeat[] = [];
  const keys = await listKeys(nc, `${prefix}-actors`);
  for (const k of keys) {
    const e = await kv.get(k);
    if (e?.value.length) out.push(Heartbeat.parse(e.json()));
  }
  return out;
}

/** Messages per subject of a stream (`subjects_filter` on stream info). */
export async function subjectCounts(nc: NatsConnection, stream: string, filter: string): Promise<Record<string, number>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream, { subjects_filter: filter });
  return info.state.subjects ?? {};
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function readLog(h: UpHandle, instance: string): string {
  return readFileSync(join(h.stateDir, 'logs', `${instance}.log`), 'utf8');
}

/** Every message on `filter` in a stream, decoded as JSON. */
export async function readAll<T = unknown>(nc: NatsConnection, stream: string, filter: string): Promise<{ seq: number; subject: string; value: T; headers: Record<string, string> }[]> {
  const out: { seq: number; subject: string; value: T; headers: Record<string, string> }[] = [];
  for await (const m of readRange(nc, stream, { filterSubject: filter })) {
    const headers: Record<string, string> = {};
    for (const [k, v] of m.headers ?? []) headers[k] = v[0];
    out.push({ seq: m.seq, subject: m.subject, value: m.json<T>(), headers });
  }
  return out;
}

/**
 * Samples the in flight count (pending + ack-pending, summed over `durables`: e.g. the math and
 * the code verifier roles) every `everyMs` until `done` settles; a reading is taken once every
 * consumer exists. `onSample` runs after each reading (for extra probes such as RSS).
 */
export async function sampleInFlight(
  nc: NatsConnection,
  stream: string,
  durables: string | readonly string[],
  done: Promise<unknown>,
  everyMs: number,
  onSample?: () => Promise<void>,
): Promise<{ maxInFlight: number; samples: number }> {
  const jsm = await jetstreamManager(nc);
  const names = typeof durables === 'string' ? [durables] : durables;
  let running = true;
  done.then(() => (running = false));
  let maxInFlight = 0;
  let samples = 0;
  while (running) {
    const infos = await Promise.all(names.map((d) => jsm.consumers.info(stream, d).catch(() => null)));
    if (infos.every((ci) => ci !== null)) {
      maxInFlight = Math.max(maxInFlight, infos.reduce((sum, ci) => sum + ci!.num_pending + ci!.num_ack_pending, 0));
      samples++;
    }
    await onSample?.();
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return { maxInFlight, samples };
}
