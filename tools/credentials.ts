// `ace credentials --prefix P --out DIR`: the NATS users of a run whose servers listen beyond
// loopback (streams/auth.ts): an auth.conf for nats-server to include and one creds file per
// role. `ace` and its supervisors read them from ACE_NATS_CREDS_DIR (each actor gets its own
// role's file), the CA from ACE_NATS_CA; docs/multi-host.md says where each file goes.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { TOPOLOGY_PREFIX_RE } from '../contracts/topology.ts';
import { ROLES, type Role, writeRunAccess } from '../streams/auth.ts';
import { defineCommand } from './command.ts';
import { CliError } from './session.ts';

const RolesList = z
  .string()
  .transform((s) => s.split(',').map((r) => r.trim()).filter(Boolean))
  .pipe(z.array(z.enum(ROLES)).min(1));

export const command = defineCommand({
  name: 'credentials',
  summary: 'write the NATS users of a run (one per role) for servers that listen beyond loopback',
  description:
    'Writes DIR/auth.conf (include it from every nats-server\'s config) and DIR/<role>.creds.json (mode 0600) for the\n' +
    'roles admin (the `ace` commands and supervisors), generator, verifier, normalizer and learner, each allowed only\n' +
    'its own subjects of the topology with that prefix. Point ACE_NATS_CREDS_DIR at DIR on every host (a host needs the\n' +
    'admin file and those of the roles it runs); ACE_NATS_CA at the CA file when the servers use TLS.\n' +
    'Also prints the route user and password the cluster\'s routes use. New passwords on every call: an existing\n' +
    'DIR/auth.conf is kept unless --force.',
  flags: {
    prefix: { schema: z.string().regex(TOPOLOGY_PREFIX_RE, 'a topology prefix: a lowercase letter, then up to 15 lowercase letters or digits'), help: "the topology's prefix (its subjects and streams)", value: 'P' },
    out: { schema: z.string().min(1), help: 'folder to write into (made 0700)', value: 'DIR' },
    roles: { schema: RolesList.optional(), range: `a comma-separated list of ${ROLES.join('|')}`, help: `roles to write (default all: ${ROLES.join(',')})`, value: 'R,...' },
    force: { schema: z.boolean().default(false), help: 'replace the users of an existing DIR/auth.conf (servers must reload it)' },
  },
  examples: ['ace credentials --prefix ace --out /etc/ace/ace-run'],
  async run(values) {
    if (values.prefix === undefined) throw new CliError('BAD_ARGS', '--prefix is required\nHINT: the prefix of the topology these users are for (its `prefix`, default ace)');
    if (values.out === undefined) throw new CliError('BAD_ARGS', '--out is required\nHINT: a folder to write auth.conf and the creds files into');
    const dir = resolve(values.out);
    if (existsSync(join(dir, 'auth.conf')) && !values.force) {
      throw new CliError('EXISTS', `${join(dir, 'auth.conf')} exists: its servers and hosts use those passwords\nHINT: write into another --out, or pass --force to replace them (then reload every server and copy the new files to every host)`);
    }
    const roles: readonly Role[] = values.roles ?? ROLES;
    if (!roles.includes('admin')) throw new CliError('BAD_ARGS', '--roles must include admin\nHINT: `ace` itself (up, train, status, the supervisors) connects as admin');
    const access = writeRunAccess(dir, { prefix: values.prefix, roles });
    const lines = [
      `wrote ${access.authConf}`,
      ...Object.values(access.creds).map((p) => `wrote ${p}`),
      `wrote ${access.routeFile} (the cluster routes' user: for the servers' configs only)`,
      '',
      'in each nats-server config:',
      `  include "${access.authConf}"   # a path relative to that config file, or absolute`,
      '  cluster {',
      `    authorization { user: "${access.route.user}", password: "${access.route.pass}" }`,
      `    routes: [ "nats-route://${access.route.user}:${access.route.pass}@HOST:6222", ... ]`,
      '  }',
      `on each host: export ACE_NATS_CREDS_DIR=${dir}   (and ACE_NATS_CA=CA.pem with TLS)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
});
