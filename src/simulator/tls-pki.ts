/**
 * The TLS mode's throw-away PKI (`tls: true`): a CA and one server certificate it signed, naming
 * `localhost` and every loopback address the endpoints listen on, made with `openssl` (on PATH)
 * in a temporary directory that is removed at once. Clients trust `sim.tlsCa`. EC P-256 keys:
 * quick to make; valid for 7 days, a new PKI each start.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SimulatorPki {
  ca: string;
  cert: string;
  key: string;
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA and a server certificate for these host names and IP addresses. */
export async function makePki(hosts: readonly string[], openssl = 'openssl'): Promise<SimulatorPki> {
  const dir = await mkdtemp(join(tmpdir(), 'hitless-simulator-pki-'));
  const sh = (args: string[]) => run(openssl, args, { cwd: dir });
  try {
    await sh(['req', '-x509', ...KEY, '-days', '7', '-subj', '/CN=hitless simulator CA', '-keyout', 'ca.key', '-out', 'ca.crt']);
    await sh(['req', ...KEY, '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
    const sans = [...new Set(hosts)].map((host) => (/^[\d.]+$/.test(host) ? `IP:${host}` : `DNS:${host}`));
    await writeFile(join(dir, 'server.ext'), `subjectAltName=${sans.join(',')}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
    await sh(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '7', '-extfile', 'server.ext', '-out', 'server.crt']);
    const [ca, cert, key] = await Promise.all(['ca.crt', 'server.crt', 'server.key'].map((file) => readFile(join(dir, file), 'utf8')));
    return { ca: ca!, cert: cert!, key: key! };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${openssl} is not on PATH` : (error as Error).message;
    throw new Error(`tls: true makes its certificates with openssl: ${reason}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
