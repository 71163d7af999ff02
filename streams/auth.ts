// Who may join a run's NATS servers and what each may do there: one NATS user per role (admin,
// generator, verifier, normalizer, learner) with an allow-list of subjects that is exactly its
// job, a route user for the cluster's own links, the files `ace` writes for a run (an auth.conf
// fragment for nats-server, a creds file per role), and the client options read from the
// environment (ACE_NATS_CREDS, ACE_NATS_CA). Not certificate management: the CA and server
// certificates come from the operator (tests make theirs in test/support/certs.ts).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import { z } from 'zod';
import { formatIssues } from '../contracts/issues.ts';
import { type ActorKind, StreamLimits } from '../contracts/topology.ts';
import { CodedError } from '../ops/errors.ts';
import { type StreamKey, topologyNames } from './topology.ts';

export const ROLES = ['admin', 'generator', 'verifier', 'normalizer', 'learner'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The demo actors run as admin: demo-source keeps its resume point in the run bucket (a key no
 * RL role may write) and both belong to `ace up topologies/demo.json` on one machine, where the
 * supervisor that starts them holds admin anyway. A role of their own would guard nothing.
 */
const ROLE_OF_KIND: Record<ActorKind, Role> = {
  generator: 'generator',
  verifier: 'verifier',
  normalizer: 'normalizer',
  learner: 'learner',
  'demo-source': 'admin',
  'demo-stage': 'admin',
};

export function roleOf(kind: ActorKind): Role {
  return ROLE_OF_KIND[kind];
}

/** A user's `permissions` in nats-server's config; deny wins over allow. */
export interface NatsPermissions {
  publish: { allow: string[]; deny?: string[] };
  subscribe: { allow: string[]; deny?: string[] };
}

/**
 * Where a role's request replies arrive (`inboxPrefix` of its connection). Subscribing is then
 * allowed there only: with the usual shared `_INBOX.>` any user could read the replies meant for
 * another (the learner's pulled batches, a JetStream API answer).
 */
export const inboxPrefixOf = (prefix: string, role: Role) => `_INBOX_${prefix}_${role}`;

const API = '$JS.API';

/** Stream info and single-message reads (KV gets, the last announcement of a version). */
const readStream = (stream: string) => [`${API}.STREAM.INFO.${stream}`, `${API}.STREAM.MSG.GET.${stream}`, `${API}.DIRECT.GET.${stream}`, `${API}.DIRECT.GET.${stream}.>`];

/**
 * Create (both of nats-server 2.9's create subjects: the named form carries the filter subject),
 * look up and pull from consumers of `stream`, and ack what they deliver. No delete: durables
 * outlive their actor's instances.
 */
const consumeStream = (stream: string) => [
  `${API}.CONSUMER.CREATE.${stream}`,
  `${API}.CONSUMER.CREATE.${stream}.>`,
  `${API}.CONSUMER.DURABLE.CREATE.${stream}.>`,
  `${API}.CONSUMER.INFO.${stream}.>`,
  `${API}.CONSUMER.MSG.NEXT.${stream}.>`,
  `$JS.ACK.${stream}.>`,
];

/**
 * What a KV watch or an object read needs besides readStream: an ephemeral ordered push consumer
 * (created, deleted when done) and the replies to its flow-control messages.
 */
const orderedRead = (stream: string) => [`${API}.CONSUMER.CREATE.${stream}`, `${API}.CONSUMER.CREATE.${stream}.>`, `${API}.CONSUMER.DELETE.${stream}.>`, `$JS.FC.${stream}.>`];

/**
 * The nats-server permissions of one role on the topology of `prefix`:
 * - every actor role: JetStream account info, heartbeats into the actors bucket, reads and watches
 *   of the run bucket (desired.*, control.down), dead letters, replies on its own inbox;
 * - generator: pulls prompts, publishes rollouts, reads the verifiers' consumer state (its
 *   window), policy announcements and the object store;
 * - verifier: pulls rollouts, publishes verdicts;
 * - normalizer: pulls verdicts, publishes scored groups;
 * - learner: pulls scored groups (and deletes its per-step consumers), publishes prompts, policy
 *   announcements and steps, writes the object store, the curriculum bucket and its own keys
 *   (learner.*) of the run bucket;
 * - admin (the `ace` CLI and supervisor): everything, streams included.
 * No role but admin creates, updates or deletes streams, and only the learner purges (the object
 * store's old chunks); the denies say so even where the allow-list already does.
 */
export function rolePermissions(prefix: string, role: Role): NatsPermissions {
  if (role === 'admin') return { publish: { allow: ['>'] }, subscribe: { allow: ['>'] } };
  // Names depend on the prefix only; the limits are irrelevant here.
  const names = topologyNames(prefix, StreamLimits.parse({}));
  const stream = (key: StreamKey) => names.streams[key].name;
  const on = (key: StreamKey) => `${prefix}.${key}.>`;
  const kv = (bucket: string) => `KV_${bucket}`;
  const obj = `OBJ_${names.objectStore}`;
  const learnerOnly = [on('prompts'), on('policy'), on('steps'), `$O.${names.objectStore}.>`];

  const common = [
    `${API}.INFO`,
    `${API}.STREAM.INFO.${kv(names.kv.actors)}`,
    `$KV.${names.kv.actors}.>`,
    ...readStream(kv(names.kv.run)),
    ...orderedRead(kv(names.kv.run)),
    on('dlq'),
  ];
  const readWeights = [...readStream(obj), ...orderedRead(obj), ...readStream(stream('policy'))];
  const own: Record<Exclude<Role, 'admin'>, string[]> = {
    generator: [...consumeStream(stream('prompts')), on('rollouts'), `${API}.CONSUMER.INFO.${stream('rollouts')}.>`, ...readWeights],
    verifier: [...consumeStream(stream('rollouts')), on('verdicts')],
    normalizer: [...consumeStream(stream('verdicts')), on('scored')],
    learner: [
      ...consumeStream(stream('scored')),
      `${API}.CONSUMER.DELETE.${stream('scored')}.>`,
      ...learnerOnly,
      ...readWeights,
      `${API}.STREAM.PURGE.${obj}`,
      ...readStream(kv(names.kv.curriculum)),
      `$KV.${names.kv.curriculum}.>`,
      `$KV.${names.kv.run}.learner.>`,
    ],
  };
  const denyStreamAdmin = [`${API}.STREAM.CREATE.>`, `${API}.STREAM.UPDATE.>`, `${API}.STREAM.DELETE.>`];
  const deny = role === 'learner' ? denyStreamAdmin : [...denyStreamAdmin, `${API}.STREAM.PURGE.>`, ...learnerOnly];
  return {
    publish: { allow: [...common, ...own[role]], deny },
    subscribe: { allow: [`${inboxPrefixOf(prefix, role)}.>`] },
  };
}

/** A role's creds file: what `accessOptions` reads. */
export const Creds = z.strictObject({
  user: z.string().min(1),
  pass: z.string().min(1),
  /** The role's inbox prefix (inboxPrefixOf); absent, the client's default `_INBOX`, which only admin may use. */
  inboxPrefix: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
});
export type Creds = z.infer<typeof Creds>;

export interface RunAccess {
  /** The `authorization` block for nats-server: `include` it from each server's config. */
  authConf: string;
  /** Creds file (`<role>.creds.json`) of each role written. */
  creds: Partial<Record<Role, string>>;
  /** What the cluster's routes require and present (cluster.ts `auth.route`). */
  route: { user: string; pass: string };
  /** `route.creds.json`: the route user, kept beside the others for the servers' configs (no actor gets it). */
  routeFile: string;
}

// 24 random bytes as base64url: 192 bits, and characters that need no escaping in a route URL
// or in a quoted nats-server config string.
const secret = () => randomBytes(24).toString('base64url');

/** Writes `text` readable by its owner only, never leaving earlier contents under a looser mode. */
function writePrivate(path: string, text: string): void {
  rmSync(path, { force: true });
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
}

/**
 * New credentials for a run: a random password per role and for the routes. Writes
 * `dir/auth.conf`, `dir/route.creds.json` and `dir/<role>.creds.json` (mode 0600, in a 0700 folder). Passwords are
 * stored in clear: nats-server needs them so (or bcrypt hashes, and no bcrypt library is a
 * dependency here); the file modes are the protection. Every call makes new passwords.
 */
export function writeRunAccess(dir: string, opts: { prefix: string; roles?: readonly Role[] }): RunAccess {
  const roles = opts.roles ?? ROLES;
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  const users = roles.map((role) => ({ role, user: `${opts.prefix}-${role}`, pass: secret() }));
  const conf = [
    `# Written by ace for the topology prefix "${opts.prefix}": one user per role. Include it from`,
    '# nats-server\'s config ("include <path relative to that file>"). Secrets: keep it 0600.',
    'authorization {',
    '  timeout: 2',
    '  users = [',
    ...users.map(({ role, user, pass }) => {
      // JSON is valid nats-server config syntax, and quotes every `$` subject.
      const entry = JSON.stringify({ user, password: pass, permissions: rolePermissions(opts.prefix, role) }, null, 2);
      return entry.replace(/^/gm, '    ');
    }),
    '  ]',
    '}',
    '',
  ].join('\n');
  const authConf = join(abs, 'auth.conf');
  writePrivate(authConf, conf);
  const creds: Partial<Record<Role, string>> = {};
  for (const { role, user, pass } of users) {
    const path = join(abs, `${role}.creds.json`);
    writePrivate(path, `${JSON.stringify({ user, pass, inboxPrefix: inboxPrefixOf(opts.prefix, role) } satisfies Creds, null, 2)}\n`);
    creds[role] = path;
  }
  const route = { user: `${opts.prefix}-route`, pass: secret() };
  const routeFile = join(abs, 'route.creds.json');
  writePrivate(routeFile, `${JSON.stringify(route, null, 2)}\n`);
  return { authConf, creds, route, routeFile };
}

export class AccessError extends CodedError<'CREDS_UNREADABLE' | 'CREDS_MALFORMED' | 'CA_UNREADABLE' | 'CA_MALFORMED'> {}

/** What `accessOptions` adds to a connection's options. */
export type AccessOptions = Pick<NodeConnectionOptions, 'user' | 'pass' | 'inboxPrefix' | 'tls'>;

/**
 * The creds file a process of `role` uses: ACE_NATS_CREDS when set, else `<role>.creds.json` in
 * ACE_NATS_CREDS_DIR (a folder `ace credentials` wrote), else none. The `ace` commands and their
 * supervisors are admin; a supervisor hands each actor its own role's file (actorAccessEnv).
 */
export function credsPathOf(env: NodeJS.ProcessEnv, role: Role): string | undefined {
  if (env.ACE_NATS_CREDS) return env.ACE_NATS_CREDS;
  if (env.ACE_NATS_CREDS_DIR) return join(env.ACE_NATS_CREDS_DIR, `${role}.creds.json`);
  return undefined;
}

/**
 * What a supervisor adds to an actor process's environment: with ACE_NATS_CREDS_DIR set, the
 * creds file of the actor's role as ACE_NATS_CREDS, so the process holds that role's
 * permissions and no more (a verifier's sandboxed programs run beside a connection that can
 * only pull rollouts and publish verdicts). Without it: nothing (the process inherits the rest).
 */
export function actorAccessEnv(kind: ActorKind, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return env.ACE_NATS_CREDS_DIR ? { ACE_NATS_CREDS: join(env.ACE_NATS_CREDS_DIR, `${roleOf(kind)}.creds.json`) } : {};
}

/**
 * Connection options from the environment: ACE_NATS_CREDS (or ACE_NATS_CREDS_DIR, see credsPathOf) (a creds file: user, password, inbox
 * prefix) and ACE_NATS_CA (the PEM CA that signed the servers' certificates; set, TLS is
 * required). Neither set: {} (a local server without auth). Files are checked here, once, so a
 * bad path fails at start naming the variable, not as a connect error later.
 */
export function accessOptions(env: NodeJS.ProcessEnv = process.env): AccessOptions {
  const out: AccessOptions = {};
  const credsPath = credsPathOf(env, 'admin');
  if (credsPath) {
    const text = readOrFail(credsPath, 'ACE_NATS_CREDS', 'CREDS_UNREADABLE', 'point it at a <role>.creds.json that `ace` wrote for this run');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new AccessError('CREDS_MALFORMED', `ACE_NATS_CREDS=${credsPath} is not JSON: ${(err as Error).message}\nHINT: a creds file is {"user": ..., "pass": ..., "inboxPrefix": ...}, as \`ace\` writes it`);
    }
    const parsed = Creds.safeParse(raw);
    if (!parsed.success) {
      throw new AccessError('CREDS_MALFORMED', `ACE_NATS_CREDS=${credsPath} is not a creds file:\n  ${formatIssues(parsed.error.issues).join('\n  ')}\nHINT: a creds file is {"user": ..., "pass": ..., "inboxPrefix": ...}, as \`ace\` writes it`);
    }
    const { user, pass, inboxPrefix } = parsed.data;
    Object.assign(out, { user, pass }, inboxPrefix ? { inboxPrefix } : {});
  }
  const caFile = env.ACE_NATS_CA;
  if (caFile) {
    const pem = readOrFail(caFile, 'ACE_NATS_CA', 'CA_UNREADABLE', "point it at the PEM file of the CA that signed the servers' certificates");
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AccessError('CA_MALFORMED', `ACE_NATS_CA=${caFile} holds no PEM certificate\nHINT: the CA file is PEM text starting with -----BEGIN CERTIFICATE-----`);
    }
    out.tls = { caFile };
  }
  return out;
}

function readOrFail(path: string, variable: string, code: 'CREDS_UNREADABLE' | 'CA_UNREADABLE', hint: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new AccessError(code, `cannot read ${variable}=${path}: ${(err as Error).message}\nHINT: ${hint}, or unset ${variable}`);
  }
}
