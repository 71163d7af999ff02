// Test support: a throwaway CA and one server certificate signed by it, made with the openssl
// CLI in a temporary folder. The certificate names the given IPs plus 127.0.0.1 and localhost,
// and serves both as a server and as a client certificate (cluster routes present it to each
// other). P-256 keys: quick to make, and both Go (nats-server) and Node accept them. For tests
// only: one day of validity, keys unencrypted.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`openssl ${args.join(' ')}: ${r.error?.message ?? r.stderr.trim()}\nHINT: install it with \`apt-get install openssl\``);
  }
}

/** Whether the openssl CLI runs here, and why not when it does not. */
export function opensslAvailable(): { ok: true } | { ok: false; why: string } {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? { ok: false, why: `the openssl CLI does not run: ${r.error?.message ?? r.stderr}` } : { ok: true };
}

export function makeTestCerts(ips: string[]): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'ace-certs-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=ace test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    openssl(['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=ace test server'], dir);
    const sans = [...new Set([...ips, '127.0.0.1'])].map((ip) => `IP:${ip}`);
    writeFileSync(
      join(dir, 'server.ext'),
      [
        `subjectAltName=${[...sans, 'DNS:localhost'].join(',')}`,
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth,clientAuth',
        '',
      ].join('\n'),
    );
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '1', '-extfile', 'server.ext', '-out', 'server.pem'], dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
