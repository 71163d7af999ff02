// Nobody joins who does not belong: a 3-node cluster, one node per network namespace, with TLS
// on client listeners and routes and the users of streams/auth.ts. Refused: no credentials, a
// wrong password, plain text to a TLS listener, a server routing in without the route user.
// Each role does its job (positive controls, so a broken setup cannot pass as "refused") and
// nothing of another's: a verifier cannot announce a policy, publish prompts, write the object
// store or delete a stream; a generator reads the weights but cannot write them.
// Timings follow nats-server's raft elections (R3 assets): every wait is a bounded poll.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type ObjectStore, Objm } from '@nats-io/obj';
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topology } from '../../contracts/topology.ts';
import { AccessError, accessOptions, Creds, ROLES, type Role, type RunAccess, rolePermissions, writeRunAccess } from '../../streams/auth.ts';
import { type NatsCluster, startNatsCluster } from '../../streams/cluster.ts';
import { createNetns, type Netns, netnsAvailable } from '../../streams/netns.ts';
import { ensureConsumer, ensureTopology, listKeys, openKv, openObjectStore } from '../../streams/manager.ts';
import { freePort, type NatsProcess, natsServerBinary, spawnNatsServer } from '../../streams/server.ts';
import { subject, type TopologyNames } from '../../streams/topology.ts';
import { makeTestCerts, opensslAvailable, type TestCerts } from '../support/certs.ts';
import { until } from '../support/until.ts';

const PREFIX = 'au';
const RUN = 'r1';


/** nats-server's refusal of a publish, as the client reports it. */
const violation = (subj: string) => `Permissions Violation for Publish to "${subj}"`;

/** The error a promise rejects with; fails the test when it resolves. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    (v) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(v)}`);
    },
    (err: unknown) => err as Error,
  );
}

/**
 * A plain-text CONNECT (valid admin credentials) to a TLS listener: what came back before the
 * server closed the socket. nats.js cannot be made to do this: it upgrades whenever the server's
 * INFO says tls_required.
 */
function plainConnect(host: string, port: number, user: string, pass: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let got = '';
    let sent = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept a plain-text connection open for 10 s; it sent: ${got}`));
    }, 10_000);
    socket.on('data', (chunk) => {
      got += chunk.toString('latin1');
      if (!sent && got.includes('\r\n')) {
        sent = true;
        socket.write(`CONNECT ${JSON.stringify({ user, pass, verbose: false, pedantic: false, tls_required: false })}\r\nPING\r\n`);
      }
    });
    socket.on('error', () => {}); // a reset is the refusal too; 'close' follows
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

const net = netnsAvailable();
const ssl = opensslAvailable();
const skipWhy = !net.ok ? net.why : !ssl.ok ? ssl.why : '';
if (skipWhy) console.log(`test/cluster/auth.test.ts: the TLS + auth cluster cases are SKIPPED: ${skipWhy}`);

describe.skipIf(skipWhy !== '')(`TLS and per-role users on a 3-node cluster, one node per network namespace${skipWhy ? ` — SKIPPED: ${skipWhy}` : ''}`, () => {
  let netns: Netns;
  let certs: TestCerts;
  let accessDir: string;
  let access: RunAccess;
  let cluster: NatsCluster;
  let admin: NatsConnection;
  let adminJsm: JetStreamManager;
  let names: TopologyNames;
  const open: NatsConnection[] = [];

  /** A connection with a role's creds file and the run's CA, read as an actor reads them (accessOptions). */
  async function connectAs(role: Role): Promise<NatsConnection> {
    const nc = await connect({ servers: cluster.urls, name: `test-${role}`, maxReconnectAttempts: 0, ...accessOptions({ ACE_NATS_CREDS: access.creds[role], ACE_NATS_CA: certs.caFile }) });
    open.push(nc);
    return nc;
  }

  /** One connect attempt to node A with exactly these options (no credentials unless given). */
  const attempt = (opts: Partial<NodeConnectionOptions>) => connect({ servers: cluster.urls[0], name: 'test-stranger', maxReconnectAttempts: 0, timeout: 5000, ...opts });

  const credsOf = (role: Role) => Creds.parse(JSON.parse(readFileSync(access.creds[role]!, 'utf8')));

  /** Messages on `subj` in `stream`, as admin sees them. */
  const countOn = async (stream: string, subj: string) => (await adminJsm.streams.info(stream, { subjects_filter: subj })).state.subjects?.[subj] ?? 0;

  /**
   * `nc` cannot write `name` into the object store: a put through the library is refused (where
   * depends on the role: a lookup it may not make, or the first chunk), and so are the two writes
   * a put makes, a chunk and the object's metadata, published directly.
   */
  async function expectNoObjectWrite(store: ObjectStore, nc: NatsConnection, name: string): Promise<void> {
    const put = await rejection(store.putBlob({ name }, new Uint8Array([1, 2, 3])));
    expect(put.message).toMatch(/^Permissions Violation for Publish to /);
    for (const kind of ['C', 'M']) {
      const objSubj = `$O.${names.objectStore}.${kind}.forged`;
      const write = await rejection(jetstream(nc).publish(objSubj, new Uint8Array([1, 2, 3]), { timeout: 5000 }));
      expect(write.message).toContain(violation(objSubj));
    }
    expect(await (await openObjectStore(admin, names.objectStore)).info(name)).toBeNull();
  }

  beforeAll(async () => {
    const t0 = Date.now();
    netns = createNetns(['a', 'b', 'c']);
    certs = makeTestCerts(netns.hosts.map((h) => h.addr));
    accessDir = mkdtempSync(join(tmpdir(), 'ace-access-'));
    access = writeRunAccess(accessDir, { prefix: PREFIX });
    const adminCreds = credsOf('admin');
    cluster = await startNatsCluster({
      nodes: netns.hosts.map((h, i) => ({ name: 'abc'[i], ns: h.ns, host: h.addr })),
      auth: { include: access.authConf, route: access.route, probe: { user: adminCreds.user, pass: adminCreds.pass } },
      tls: certs,
    });
    admin = await connectAs('admin');
    adminJsm = await jetstreamManager(admin);
    const topology = Topology.parse({ name: 'auth', prefix: PREFIX, streams: { replicas: 3 }, actors: { learner: { kind: 'learner' } } });
    ({ names } = await ensureTopology(admin, topology));
    console.log(`cluster with TLS and auth formed and the R3 topology created in ${Date.now() - t0} ms`);
  });

  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => {});
    await cluster?.stop();
    netns?.destroy();
    certs?.remove();
    if (accessDir) rmSync(accessDir, { recursive: true, force: true });
  });

  it('refuses a client without credentials, with a wrong password, or in plain text', async () => {
    const none = await rejection(attempt({ tls: { caFile: certs.caFile } }));
    expect(none.message).toMatch(/authorization violation/i);
    const verifier = credsOf('verifier');
    const wrong = await rejection(attempt({ tls: { caFile: certs.caFile }, user: verifier.user, pass: `${verifier.pass}x` }));
    expect(wrong.message).toMatch(/authorization violation/i);
    // TLS is required: plain text is dropped even with the admin's own password...
    const adminCreds = credsOf('admin');
    const [host, port] = [netns.hosts[0].addr, Number(new URL(cluster.urls[0]).port)];
    const reply = await plainConnect(host, port, adminCreds.user, adminCreds.pass);
    expect(reply).toMatch(/^INFO .*"tls_required":true/);
    expect(reply).not.toMatch(/PONG|\+OK/);
    // ...and a client that does not trust the run's CA refuses the server's certificate.
    const untrusted = await rejection(attempt({ user: adminCreds.user, pass: adminCreds.pass }));
    expect(untrusted.message).toMatch(/certificate/i);
    // The positive control: the same client with the CA gets in.
    const ok = await attempt({ user: adminCreds.user, pass: adminCreds.pass, tls: { caFile: certs.caFile } });
    await ok.close();
  });

  it('a verifier pulls a rollout, publishes its verdict and a heartbeat', async () => {
    const rollouts = names.streams.rollouts.name;
    const rolloutSubj = subject(PREFIX, 'rollouts', RUN, 'math', '1', 'g1');
    const put = await jetstream(admin).publish(rolloutSubj, JSON.stringify({ id: 'ro1' }), { msgID: 'ro1' });
    const nc = await connectAs('verifier');
    const jsm = await jetstreamManager(nc);
    // As an actor does: its own durable, created under its own user.
    await until('the verifier creates its durable', 20_000, () => ensureConsumer(jsm, { stream: rollouts, durable: 'verifier-math', filterSubject: subject(PREFIX, 'rollouts', RUN, 'math', '>') }).then(() => true));
    const pulled = await until('the verifier pulls the rollout', 20_000, async () => {
      const consumer = await jetstream(nc).consumers.get(rollouts, 'verifier-math');
      for await (const m of await consumer.fetch({ max_messages: 1, expires: 2000 })) {
        await m.ackAck();
        return { subject: m.subject, seq: m.seq, data: m.json<{ id: string }>() };
      }
      return undefined;
    });
    expect(pulled).toEqual({ subject: rolloutSubj, seq: put.seq, data: { id: 'ro1' } });
    expect((await adminJsm.consumers.info(rollouts, 'verifier-math')).num_ack_pending).toBe(0);

    const verdictSubj = subject(PREFIX, 'verdicts', RUN, '1', 'g1');
    const ack = await jetstream(nc).publish(verdictSubj, JSON.stringify({ id: 'v.ro1' }), { msgID: 'v.ro1' });
    expect({ stream: ack.stream, duplicate: ack.duplicate }).toEqual({ stream: names.streams.verdicts.name, duplicate: false });
    expect(await countOn(names.streams.verdicts.name, verdictSubj)).toBe(1);

    const kv = await openKv(nc, names.kv.actors);
    await kv.put('verifier-math.0', JSON.stringify({ state: 'RUNNING' }));
    expect((await (await openKv(admin, names.kv.actors)).get('verifier-math.0'))?.json()).toEqual({ state: 'RUNNING' });
  });

  it('a verifier cannot announce a policy, publish prompts, write the object store or delete a stream', async () => {
    const nc = await connectAs('verifier');
    const js = jetstream(nc);
    const policySubj = subject(PREFIX, 'policy', RUN, 'v1');
    const policy = await rejection(js.publish(policySubj, JSON.stringify({ id: 'forged' }), { timeout: 5000 }));
    expect(policy.message).toContain(violation(policySubj));
    const promptSubj = subject(PREFIX, 'prompts', RUN, '1');
    const prompt = await rejection(js.publish(promptSubj, JSON.stringify({ id: 'forged' }), { timeout: 5000 }));
    expect(prompt.message).toMatch(/permissions violation for publish/i);
    expect(await countOn(names.streams.policy.name, policySubj)).toBe(0);
    expect(await countOn(names.streams.prompts.name, promptSubj)).toBe(0);

    // Opened without the library's info check, which a verifier may not make either.
    await expectNoObjectWrite(await new Objm(nc).open(names.objectStore, false), nc, 'forged-weights');
    expect(await (await openObjectStore(admin, names.objectStore)).info('forged-weights')).toBeNull();
    expect((await adminJsm.streams.info(`OBJ_${names.objectStore}`)).state.messages).toBe(0);

    const jsm = await jetstreamManager(nc);
    const del = await rejection(jsm.streams.delete(names.streams.verdicts.name));
    expect(del.message).toMatch(/permissions violation for publish to "\$JS\.API\.STREAM\.DELETE\./i);
    expect((await adminJsm.streams.info(names.streams.verdicts.name)).config.name).toBe(names.streams.verdicts.name);
    // Still connected: a refused publish is answered, not a reason to drop the client.
    expect(nc.isClosed()).toBe(false);
  });

  it('the learner announces a policy and writes the weights; a generator reads them but cannot write', async () => {
    const learner = await connectAs('learner');
    const policySubj = subject(PREFIX, 'policy', RUN, 'v1');
    const ack = await jetstream(learner).publish(policySubj, JSON.stringify({ id: `policy.${RUN}.v1` }), { msgID: `policy.${RUN}.v1` });
    expect(ack.stream).toBe(names.streams.policy.name);
    const weights = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) % 251); // a few chunks
    const info = await (await openObjectStore(learner, names.objectStore)).putBlob({ name: 'policy-v1' }, weights);
    expect(info.size).toBe(weights.length);

    const generator = await connectAs('generator');
    // The announcement, as a generator reads it (policy-store.ts announcementOf).
    const announced = await (await jetstreamManager(generator)).streams.getMessage(names.streams.policy.name, { last_by_subj: policySubj });
    expect(announced?.json()).toEqual({ id: `policy.${RUN}.v1` });
    const read = await (await openObjectStore(generator, names.objectStore)).getBlob('policy-v1');
    expect(read && Buffer.from(read).equals(Buffer.from(weights))).toBe(true);
    await expectNoObjectWrite(await openObjectStore(generator, names.objectStore), generator, 'policy-v2');
    expect((await openObjectStore(admin, names.objectStore).then((s) => s.info('policy-v1')))?.size).toBe(weights.length);
  });

  it('each actor role heartbeats, reads and watches the run bucket and dead-letters; only the learner writes its run keys', async () => {
    const runKv = await openKv(admin, names.kv.run);
    await runKv.put('desired.gen', 'scale 1');
    await ensureConsumer(adminJsm, { stream: names.streams.rollouts.name, durable: 'verifier-code', filterSubject: subject(PREFIX, 'rollouts', RUN, 'code', '>') });
    for (const role of ['generator', 'verifier', 'normalizer', 'learner'] as const) {
      const nc = await connectAs(role);
      await (await openKv(nc, names.kv.actors)).put(`${role}.0`, '{}');
      const kv = await openKv(nc, names.kv.run);
      expect({ role, desired: (await kv.get('desired.gen'))?.string() }).toEqual({ role, desired: 'scale 1' });
      // A watch, as the supervisor's: an ordered push consumer with flow control.
      const watch = await kv.watch({ key: 'desired.>' });
      for await (const e of watch) {
        expect({ role, key: e.key }).toEqual({ role, key: 'desired.gen' });
        break;
      }
      watch.stop();
      const dlq = await jetstream(nc).publish(subject(PREFIX, 'dlq', role), JSON.stringify({ id: `dl.${role}` }));
      expect(dlq.stream).toBe(names.streams.dlq.name);
      // Scale and down commands are admin's.
      expect((await rejection(kv.put('desired.gen', 'scale 9'))).message).toContain(violation(`$KV.${names.kv.run}.desired.gen`));
    }
    expect((await runKv.get('desired.gen'))?.string()).toBe('scale 1');

    // The generator's window reads the verifiers' consumer state.
    const generator = await connectAs('generator');
    expect((await (await jetstreamManager(generator)).consumers.info(names.streams.rollouts.name, 'verifier-code')).name).toBe('verifier-code');
    // The learner's commit point and curriculum, and its per-step consumers of scored groups.
    const learner = await connectAs('learner');
    await (await openKv(learner, names.kv.run)).put('learner.step', '1');
    expect((await runKv.get('learner.step'))?.string()).toBe('1');
    await (await openKv(learner, names.kv.curriculum)).put('pass.t1', '0.5');
    expect(await listKeys(learner, names.kv.curriculum, 'pass.>')).toEqual(['pass.t1']);
    const ljsm = await jetstreamManager(learner);
    await until('the learner creates its step consumer', 20_000, () => ljsm.consumers.add(names.streams.scored.name, { durable_name: 'learner-s0', ack_policy: AckPolicy.Explicit }).then(() => true));
    expect(await ljsm.consumers.delete(names.streams.scored.name, 'learner-s0')).toBe(true);
    // A verifier may not delete a durable, not even on the stream it reads.
    const verifier = await connectAs('verifier');
    const del = await rejection((await jetstreamManager(verifier)).consumers.delete(names.streams.rollouts.name, 'verifier-code'));
    expect(del.message).toContain(violation(`$JS.API.CONSUMER.DELETE.${names.streams.rollouts.name}.verifier-code`));
  });

  it('a server without the route credentials does not join the cluster', async () => {
    const a = cluster.nodes[0];
    const varz = (await (await fetch(`${a.monitorUrl}/varz`)).json()) as { cluster: { cluster_port: number } };
    const dir = mkdtempSync(join(tmpdir(), 'ace-intruder-'));
    const conf = join(dir, 'intruder.conf');
    const q = JSON.stringify;
    const tls = `tls { cert_file: ${q(certs.certFile)}, key_file: ${q(certs.keyFile)}, ca_file: ${q(certs.caFile)}, verify: true, timeout: 5 }`;
    // The run's own certificate: only the route user is missing, so that is what is refused.
    writeFileSync(
      conf,
      [
        'server_name: "intruder"',
        `listen: "127.0.0.1:${await freePort()}"`,
        `cluster { name: "ace", listen: "127.0.0.1:${await freePort()}", ${tls}, routes: [${q(`nats-route://${a.host}:${varz.cluster.cluster_port}`)}] }`,
        '',
      ].join('\n'),
    );
    const log = join(dir, 'intruder.log');
    let intruder: NatsProcess | undefined;
    try {
      intruder = await spawnNatsServer([natsServerBinary(), '-c', conf], { logFile: log });
      const text = await until('the intruder is refused', 15_000, async () => {
        const t = readFileSync(log, 'utf8');
        return /Route Error 'Authorization Violation'/.test(t) ? t : undefined;
      });
      // The route was made (TLS passed) before it was refused: what kept it out is the route user.
      expect(text).toMatch(/Route connection created/);
      const routez = (await (await fetch(`${a.monitorUrl}/routez`)).json()) as { num_routes: number; routes: { remote_id: string }[] };
      expect(routez.num_routes).toBe(2);
      const peers = await Promise.all(cluster.nodes.slice(1).map(async (n) => ((await (await fetch(`${n.monitorUrl}/varz`)).json()) as { server_id: string }).server_id));
      expect(routez.routes.map((r) => r.remote_id).sort()).toEqual(peers.sort());
    } finally {
      await intruder?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('run access files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ace-access-unit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes auth.conf and a creds file per role, owner-only, that nats-server accepts', () => {
    const access = writeRunAccess(join(dir, 'run'), { prefix: 'ace' });
    expect(Object.keys(access.creds).sort()).toEqual([...ROLES].sort());
    for (const path of [access.authConf, ...Object.values(access.creds)]) expect({ path, mode: statSync(path).mode & 0o777 }).toEqual({ path, mode: 0o600 });
    const verifier = Creds.parse(JSON.parse(readFileSync(access.creds.verifier!, 'utf8')));
    expect(verifier).toEqual({ user: 'ace-verifier', pass: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/), inboxPrefix: '_INBOX_ace_verifier' });
    expect(readFileSync(access.authConf, 'utf8')).toContain(verifier.pass);
    // New passwords each time: a run's files never hand out an earlier run's.
    expect(Creds.parse(JSON.parse(readFileSync(writeRunAccess(join(dir, 'run'), { prefix: 'ace' }).creds.verifier!, 'utf8'))).pass).not.toBe(verifier.pass);
    const conf = join(dir, 'server.conf');
    writeFileSync(conf, `listen: "127.0.0.1:4222"\ninclude "run/auth.conf"\n`);
    const check = spawnSync(natsServerBinary(), ['-t', '-c', conf], { encoding: 'utf8' });
    expect(check.stderr + check.stdout).toMatch(/configuration file .* is valid/);
  });

  it("keeps a verifier's publishes to its own job", () => {
    const p = rolePermissions('ace', 'verifier');
    expect(p.publish.allow).toContain('ace.verdicts.>');
    expect(p.publish.allow.filter((s) => /^ace\.(policy|prompts|steps)\.|^\$O\./.test(s))).toEqual([]);
    expect(p.publish.deny).toEqual(expect.arrayContaining(['ace.policy.>', 'ace.prompts.>', '$O.ace-weights.>', '$JS.API.STREAM.DELETE.>', '$JS.API.STREAM.PURGE.>']));
    expect(p.subscribe.allow).toEqual(['_INBOX_ace_verifier.>']);
  });

  it('reads ACE_NATS_CREDS and ACE_NATS_CA, and names the variable and file when one is bad', () => {
    expect(accessOptions({})).toEqual({});
    const access = writeRunAccess(join(dir, 'env'), { prefix: 'ace', roles: ['learner'] });
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const learner = Creds.parse(JSON.parse(readFileSync(access.creds.learner!, 'utf8')));
    expect(accessOptions({ ACE_NATS_CREDS: access.creds.learner, ACE_NATS_CA: ca })).toEqual({ user: learner.user, pass: learner.pass, inboxPrefix: learner.inboxPrefix, tls: { caFile: ca } });

    const fail = (env: NodeJS.ProcessEnv) => {
      try {
        accessOptions(env);
      } catch (err) {
        expect(err).toBeInstanceOf(AccessError);
        return { code: (err as AccessError).code, message: (err as Error).message };
      }
      throw new Error('accessOptions accepted a bad file');
    };
    const missing = join(dir, 'nope.json');
    expect(fail({ ACE_NATS_CREDS: missing })).toEqual({ code: 'CREDS_UNREADABLE', message: expect.stringMatching(new RegExp(`^cannot read ACE_NATS_CREDS=${missing}: .*ENOENT[^]*\\nHINT: `)) });
    const notJson = join(dir, 'bad.json');
    writeFileSync(notJson, 'user=x');
    expect(fail({ ACE_NATS_CREDS: notJson })).toMatchObject({ code: 'CREDS_MALFORMED', message: expect.stringMatching(/^ACE_NATS_CREDS=.*bad\.json is not JSON: [^]*\nHINT: /) });
    const noPass = join(dir, 'nopass.json');
    writeFileSync(noPass, JSON.stringify({ user: 'x' }));
    expect(fail({ ACE_NATS_CREDS: noPass })).toMatchObject({ code: 'CREDS_MALFORMED', message: expect.stringMatching(/is not a creds file:\n {2}pass: [^]*\nHINT: /) });
    expect(fail({ ACE_NATS_CA: join(dir, 'ca-missing.pem') })).toMatchObject({ code: 'CA_UNREADABLE', message: expect.stringMatching(/^cannot read ACE_NATS_CA=.*ca-missing\.pem/) });
    expect(fail({ ACE_NATS_CA: notJson })).toMatchObject({ code: 'CA_MALFORMED', message: expect.stringMatching(/^ACE_NATS_CA=.*bad\.json holds no PEM certificate\nHINT: /) });
  });
});
