/** TLS against a real TLS-only redis-server, with certificates made at test time. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintClient, HitlessError, type MaintClient } from '../../src/index.js';
import type { RedisProcess } from '../helpers/redis.js';
import { LOCAL_SANS, startTlsRedis, testPki } from '../helpers/tls.js';

async function failure(promise: Promise<unknown>): Promise<HitlessError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, HitlessError);
    return error as HitlessError;
  }
  throw new Error('it succeeded');
}

test('rediss:// with the CA in tls: commands run over TLS on a server that has no plain port', async () => {
  let server: RedisProcess | undefined;
  const clients: MaintClient[] = [];
  try {
    const pki = testPki();
    server = await startTlsRedis(pki.issue(LOCAL_SANS));
    const client = createMaintClient({ url: `rediss://localhost:${server.port}`, tls: { ca: pki.ca }, poolSize: 2, connectTimeout: 2000 });
    clients.push(client);
    await client.connect();
    assert.is(await client.set('tls:k', 'v'), 'OK');
    assert.is(await client.get('tls:k'), 'v');
    // The same port spoken to in plain TCP gets nowhere: the commands above went over TLS.
    const plain = createMaintClient({ host: '127.0.0.1', port: server.port, poolSize: 1, connectTimeout: 500 });
    clients.push(plain);
    const error = await failure(plain.connect());
    assert.ok(['ERR_CONNECT', 'ERR_HANDSHAKE', 'ERR_CONNECTION_LOST'].includes(error.code), error.code);
  } finally {
    for (const client of clients) await client.close();
    await server?.stop();
  }
});

test('tls: { ca } with an IP host verifies the certificate\'s IP SAN', async () => {
  let server: RedisProcess | undefined;
  let client: MaintClient | undefined;
  try {
    const pki = testPki();
    server = await startTlsRedis(pki.issue(['IP:127.0.0.1']));
    client = createMaintClient({ host: '127.0.0.1', port: server.port, tls: { ca: pki.ca }, poolSize: 1 });
    await client.connect();
    assert.is(await client.call('PING'), 'PONG');
  } finally {
    await client?.close();
    await server?.stop();
  }
});

test('a certificate from a CA the client does not trust fails connect() with ERR_TLS', async () => {
  let server: RedisProcess | undefined;
  let client: MaintClient | undefined;
  try {
    const pki = testPki();
    server = await startTlsRedis(pki.issueUntrusted(LOCAL_SANS));
    client = createMaintClient({ url: `rediss://localhost:${server.port}`, tls: { ca: pki.ca }, poolSize: 1, connectTimeout: 2000 });
    const error = await failure(client.connect());
    assert.is(error.code, 'ERR_TLS');
    assert.match(error.message, /certificate/);
  } finally {
    await client?.close();
    await server?.stop();
  }
});

test('a certificate for another name fails with ERR_TLS; tls.servername naming it is honoured for the configured host', async () => {
  let server: RedisProcess | undefined;
  const clients: MaintClient[] = [];
  try {
    const pki = testPki();
    server = await startTlsRedis(pki.issue(['DNS:cache.example.test']));
    const mismatched = createMaintClient({ url: `rediss://localhost:${server.port}`, tls: { ca: pki.ca }, poolSize: 1, connectTimeout: 2000 });
    clients.push(mismatched);
    const error = await failure(mismatched.connect());
    assert.is(error.code, 'ERR_TLS');
    assert.match(error.message, /cache\.example\.test|altnames|Hostname/i);
    const named = createMaintClient({ host: 'localhost', port: server.port, tls: { ca: pki.ca, servername: 'cache.example.test' }, poolSize: 1 });
    clients.push(named);
    await named.connect();
    assert.is(await named.call('PING'), 'PONG');
  } finally {
    for (const client of clients) await client.close();
    await server?.stop();
  }
});

test.run();
