// The role permissions of streams/auth.ts hold the real actors' work, not only the cases of
// auth.test.ts: `ace train` against a nats-server that requires TLS and the run's users, with
// ACE_NATS_CREDS_DIR and ACE_NATS_CA set as docs/multi-host.md says. The CLI and supervisor
// connect as admin; each actor process gets its own role's creds file (the server's connection
// list shows which user each holds); the run completes with the ledger intact.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessOptions } from '../../streams/auth.ts';
import { freePort, type NatsProcess, natsServerBinary, spawnNatsServer } from '../../streams/server.ts';
import { ACE } from '../../tools/harness/up.ts';
import { makeTestCerts, opensslAvailable, type TestCerts } from '../support/certs.ts';
import { checkLedger, killTrains, rlTopology, startTrain } from '../support/rl-run.ts';
import { tinyPolicy } from '../support/tiny-policy.ts';

const ssl = opensslAvailable();
if (!ssl.ok) console.log(`test/cluster/auth-run.test.ts: SKIPPED: ${ssl.why}`);

describe.skipIf(!ssl.ok)(`ace train on a server with TLS and per-role users${ssl.ok ? '' : ` — SKIPPED: ${ssl.why}`}`, () => {
  let dir: string;
  let certs: TestCerts;
  let server: NatsProcess;
  let url: string;
  let monitor: string;
  let nc: NatsConnection;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ace-auth-run-'));
    certs = makeTestCerts(['127.0.0.1']);
    const access = join(dir, 'access');
    // As a user does it: `ace credentials` writes the users.
    execFileSync(process.execPath, [ACE, 'credentials', '--prefix', 'ar', '--out', access], { encoding: 'utf8' });
    const [port, http] = [await freePort(), await freePort()];
    const q = JSON.stringify;
    const conf = join(dir, 'server.conf');
    mkdirSync(join(dir, 'store'));
    writeFileSync(
      conf,
      [
        `listen: "127.0.0.1:${port}"`,
        `http: "127.0.0.1:${http}"`,
        `include "access/auth.conf"`,
        `tls { cert_file: ${q(certs.certFile)}, key_file: ${q(certs.keyFile)}, ca_file: ${q(certs.caFile)}, timeout: 5 }`,
        `jetstream { store_dir: ${q(join(dir, 'store'))} }`,
        '',
      ].join('\n'),
    );
    server = await spawnNatsServer([natsServerBinary(), '-c', conf], { logFile: join(dir, 'server.log') });
    url = `nats://127.0.0.1:${port}`;
    monitor = `http://127.0.0.1:${http}`;
    env = { ACE_NATS_CREDS_DIR: access, ACE_NATS_CA: certs.caFile };
    nc = await connect({ servers: url, name: 'test', ...accessOptions(env) });
  });

  afterAll(async () => {
    killTrains();
    await nc?.close();
    await server?.stop();
    certs?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('completes a run with the ledger intact; each actor connects as its own role, the CLI as admin', async () => {
    const runDir = join(dir, 'run');
    const steps = 3;
    const t = startTrain(rlTopology('ar', tinyPolicy(), runDir, steps), url, runDir, [], env);
    // While it runs: who is connected as whom.
    const seen = new Map<string, string>();
    const poll = setInterval(async () => {
      const connz = (await (await fetch(`${monitor}/connz?auth=true`)).json().catch(() => ({}))) as { connections?: { name?: string; authorized_user?: string }[] };
      for (const c of connz.connections ?? []) if (c.name && c.authorized_user) seen.set(c.name, c.authorized_user);
    }, 200);
    const code = await t.exit.finally(() => clearInterval(poll));
    expect(code, t.output()).toBe(0);
    await checkLedger(nc, 'ar', steps);
    const users = [...seen.entries()].filter(([name]) => /^(generator|verifier|normalizer|learner)\//.test(name)).map(([name, user]): [string, string] => [name.split('/')[0], user]);
    expect(new Map(users)).toEqual(new Map([['generator', 'ar-generator'], ['verifier', 'ar-verifier'], ['normalizer', 'ar-normalizer'], ['learner', 'ar-learner']]));
    expect([...seen.values()].filter((u) => !/^ar-(generator|verifier|normalizer|learner)$/.test(u)).every((u) => u === 'ar-admin')).toBe(true);
  }, 120_000);
});
