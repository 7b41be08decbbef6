/**
 * The contract's leftovers at library level: `tls: true` (the made CA), the CA given with a
 * certificate, the new actions' parameter checks and edges (dmc_restart during close, the status
 * table's states), the ones the contract tests do not reach.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as tlsConnect } from 'node:tls';
import { createMaintSimulator, endpointsConfig } from '../../src/simulator/index.js';
import { makePki } from '../../src/simulator/tls-pki.js';
import { LOCAL_SANS, testPki } from '../helpers/tls.js';
import { dial, rig } from './support.js';

function verify(address: string, ca: string, servername?: string): Promise<string> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, ca, ...(servername === undefined ? {} : { servername }) }, () => {
      resolve(socket.authorized ? 'authorized' : String(socket.authorizationError));
      socket.destroy();
    });
    socket.once('error', (error) => resolve(error.message));
  });
}

test('tls: true makes a CA and one certificate naming localhost and every address (nodes, internal forms, database endpoint); the endpoints file and GET /endpoints say so', async () => {
  const r = await rig({ tls: true, hosts: 'distinct', databaseEndpoint: true, apiPort: 0 });
  try {
    assert.is(r.sim.tls, true);
    const ca = r.sim.tlsCa!;
    assert.match(ca, 'BEGIN CERTIFICATE');
    const internal = r.sim.endpoints.map((address) => address.replace(/^127\.0\./, '127.1.'));
    for (const address of [...r.sim.endpoints, ...internal, r.sim.databaseEndpoint!]) assert.is(await verify(address, ca), 'authorized', address);
    assert.is(await verify(`127.0.0.1:${r.sim.endpoints[0]!.split(':')[1]}`, ca, 'localhost'), 'authorized', 'the name form');
    const entry = endpointsConfig(r.sim)['standalone'] as { tls: boolean; endpoints: string[] };
    assert.is(entry.tls, true);
    assert.equal(entry.endpoints, [`rediss://${r.sim.databaseEndpoint}`]);
    const endpoints = (await (await fetch(`${r.sim.api}/endpoints`)).json()) as { tls: boolean; ca: string };
    assert.equal([endpoints.tls, endpoints.ca], [true, ca]);
  } finally {
    await r.teardown();
  }
});

test("a certificate given with its ca reports that CA; without one, tlsCa is null; plain TCP says tls false; tls is validated", async () => {
  const pki = testPki();
  const certificate = pki.issue(LOCAL_SANS);
  const withCa = await rig({ tls: { ...certificate, ca: Buffer.from(pki.ca) } });
  const without = await rig({ tls: [certificate, certificate], databaseEndpoint: true });
  const plain = await rig();
  try {
    assert.equal([withCa.sim.tls, withCa.sim.tlsCa], [true, pki.ca]);
    assert.equal([without.sim.tls, without.sim.tlsCa], [true, null]);
    assert.is(await verify(without.sim.databaseEndpoint!, pki.ca, 'localhost'), 'authorized', 'with one entry per node, the database endpoint speaks TLS too');
    assert.equal([plain.sim.tls, plain.sim.tlsCa], [false, null]);
    assert.is((endpointsConfig(plain.sim)['standalone'] as { tls: boolean }).tls, false);
  } finally {
    await Promise.all([withCa.teardown(), without.teardown(), plain.teardown()]);
  }
  const error = await createMaintSimulator({ upstream: { host: '127.0.0.1', port: 1 }, tls: false as never }).then(
    async (sim) => {
      await sim.close();
      return '';
    },
    (e: Error) => e.message,
  );
  assert.match(error, /Invalid option tls.*true, \{ cert, key, ca\? \}/);
});

test('without openssl, tls: true fails naming it', async () => {
  const error = await makePki(['localhost'], '/nonexistent/openssl').then(() => '', (e: Error) => e.message);
  assert.match(error, 'tls: true makes its certificates with openssl: /nonexistent/openssl is not on PATH');
  const failing = await makePki(['localhost'], 'false').then(() => '', (e: Error) => e.message);
  assert.match(failing, 'tls: true makes its certificates with openssl:');
});

test('parameters are checked: network_failure delay or duration_s, bdb_id, rlutil and rladmin commands, migrate endpoint', async () => {
  const r = await rig();
  try {
    const refused = async (type: string, parameters: unknown) => r.sim.run({ type, parameters } as never).then(() => '', (e: Error) => e.message);
    assert.match(await refused('network_failure', { delay: 1, duration_s: 1 }), 'parameters.duration_s');
    assert.match(await refused('network_failure', { delay: 0 }), 'parameters.delay');
    assert.match(await refused('execute_rladmin_command', { rladmin_command: 'status', bdb_id: 'one' }), 'parameters.bdb_id');
    assert.match(await refused('execute_rladmin_command', { rladmin_command: 'status', bdb_id: 0 }), 'parameters.bdb_id');
    assert.match(await refused('execute_rlutil_command', {}), 'parameters.rlutil_command');
    assert.match(await refused('migrate', { endpoint: 5 }), 'parameters.endpoint');
    assert.match(await refused('dmc_restart', { down_s: -1 }), 'parameters.down_s');
    const short = await r.sim.run({ type: 'network_failure', parameters: { duration_s: 0.05 } });
    assert.equal(short.output, { duration_s: 0.05 });
    const paused = await r.sim.run({ type: 'execute_rlutil_command', parameters: { rlutil_command: 'rlutil pause_bdb bdb=1' } });
    assert.is(paused.output['paused'], true);
    await r.sim.run({ type: 'execute_rlutil_command', parameters: { rlutil_command: 'resume_bdb' } });
    const c = await r.client();
    assert.equal((await c.send(['PING'])).length, 1, 'served again after resume_bdb');
    const status = await r.sim.run({ type: 'execute_rladmin_command', parameters: { rladmin_command: 'rladmin -b 4 status', bdb_id: 1 } as never });
    assert.match(String(status.output['output']), /^db:4\s+standalone\s+redis:1\s+node:1\s+master\s+0-16383/m, '-b names the database');
    assert.match(String(status.output['output']), /^db:4\s+standalone\s+redis\s+active\s+1\s+dense\s+disabled\s+disabled\s+127\.0\.0\.1:\d+$/m, 'no database endpoint: the active node');
  } finally {
    await r.teardown();
  }
});

test('migrate moves the shard to the endpoint given, the next bind follows it; a retired node shows in the status', async () => {
  const r = await rig({ endpoints: 3 });
  try {
    const migrated = await r.sim.run({ type: 'migrate', parameters: { endpoint: 2, duration_s: 0.05, delay_ms: 0, time_s: 1 } });
    assert.is(migrated.output['shard_endpoint'], r.sim.endpoints[2]);
    const bound = await r.sim.run({ type: 'bind', parameters: { time_s: 1, serve_s: 0.05, close_s: 0.1, retire: true } });
    assert.equal([bound.output['from'], bound.output['to']], [r.sim.endpoints[0], r.sim.endpoints[2]]);
    const status = String((await r.sim.run({ type: 'execute_rladmin_command', parameters: { rladmin_command: 'status' } })).output['output']);
    assert.match(status, /^\*node:1\s+master\s+\S+\s+\S+\s+localhost\s+0\/100\s+RETIRED$/m);
    assert.match(status, /^node:3\s+slave\s+\S+\s+\S+\s+localhost\s+1\/100\s+OK$/m);
  } finally {
    await r.teardown();
  }
});

test('dmc_restart: a simulator closed while the proxy is down stays closed (the addresses are not reopened)', async () => {
  const r = await rig();
  const restart = r.sim.run({ type: 'dmc_restart', parameters: { down_s: 5 } }).catch((e: Error) => e.message);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await r.teardown();
  assert.type(await restart, 'string', 'the action failed with the close');
  for (const address of r.sim.endpoints) assert.is(await dial(address), 'ECONNREFUSED', address);
});

test.run();
