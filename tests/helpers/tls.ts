/**
 * Certificates made at test time with `openssl` (none committed): one CA and server certificates
 * it signed, each with the subject alternative names asked for. Also starts a TLS-only
 * redis-server (`--port 0 --tls-port P`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/simulator/redis-process.js';
import { startRedis, type RedisProcess } from './redis.js';

export interface ServerCertificate {
  cert: string;
  key: string;
}

export interface TestPki {
  /** The CA's certificate (PEM): what a client trusts. */
  ca: string;
  /** A server certificate signed by the CA for these SANs (`DNS:localhost`, `IP:127.0.0.1`). */
  issue(sans: readonly string[]): ServerCertificate;
  /** The same SANs, signed by a CA nobody trusts. */
  issueUntrusted(sans: readonly string[]): ServerCertificate;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`]);
}

let issued = 0;

function sign(dir: string, caName: string, sans: readonly string[]): ServerCertificate {
  const name = `server${++issued}`;
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${sans[0]?.replace(/^\w+:/, '') ?? 'server'}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${sans.join(',')}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
  return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}

let cached: TestPki | undefined;

/** One PKI per test process (RSA key generation costs ~100 ms a key). Files live in a temp dir removed at exit. */
export function testPki(): TestPki {
  if (cached !== undefined) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'hitless-pki-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  makeCa(dir, 'ca');
  makeCa(dir, 'rogue');
  cached = {
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    issue: (sans) => sign(dir, 'ca', sans),
    issueUntrusted: (sans) => sign(dir, 'rogue', sans),
  };
  return cached;
}

/** The default server certificate: `localhost` and 127.0.0.1. */
export const LOCAL_SANS = ['DNS:localhost', 'IP:127.0.0.1'] as const;

/** A redis-server that speaks only TLS on a free loopback port (clients need no certificate). */
export async function startTlsRedis(certificate: ServerCertificate, extraArgs: string[] = []): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'hitless-tls-redis-'));
  const pki = testPki();
  writeFileSync(join(dir, 'server.crt'), certificate.cert);
  writeFileSync(join(dir, 'server.key'), certificate.key);
  writeFileSync(join(dir, 'ca.crt'), pki.ca);
  const port = await freePort();
  try {
    return await startRedis({
      port,
      args: [
        '--port', '0', '--tls-port', String(port),
        '--tls-cert-file', join(dir, 'server.crt'), '--tls-key-file', join(dir, 'server.key'), '--tls-ca-cert-file', join(dir, 'ca.crt'),
        '--tls-auth-clients', 'no',
        ...extraArgs,
      ],
    });
  } finally {
    // redis-server has read the files by the time it is ready.
    rmSync(dir, { recursive: true, force: true });
  }
}
