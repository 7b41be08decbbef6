import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintSimulator } from '../../src/simulator/index.js';
import { plain } from '../helpers/raw-resp-client.js';
import { dial, port, rig } from './support.js';

test("hosts 'distinct': each endpoint its own loopback address, and a MOVING tells internal-ip, external-ip and the name form apart", async () => {
  const r = await rig({ hosts: 'distinct', databaseEndpoint: true });
  try {
    const [first, second] = r.sim.endpoints as [string, string];
    assert.equal([first.split(':')[0], second.split(':')[0]], ['127.0.0.2', '127.0.0.3']);
    const database = r.sim.databaseEndpoint!;
    assert.is(database.split(':')[0], '127.0.0.4');
    const types = ['internal-ip', 'external-ip', 'internal-fqdn', 'external-fqdn', 'none'] as const;
    const clients = await Promise.all(types.map((type) => r.optedIn(type, database)));
    assert.ok(clients.every((client) => r.infoOf(client)?.node === first), 'the database address leads to the active node');
    await r.sim.run({ type: 'bind', parameters: { time_s: 1, serve_s: 0.3, close_s: 0.4 } });
    const announced = clients.map((client) => plain(client.pushes[0]!.elements[3]!));
    const p = port(second);
    assert.equal(announced, [`127.1.0.3:${p}`, `127.0.0.3:${p}`, `localhost:${p}`, `localhost:${p}`, null]);
    for (const address of [`127.1.0.3:${p}`, `127.0.0.3:${p}`, `127.0.0.1:${p}`]) {
      const c = await r.client(address);
      assert.is(plain(await c.command('SET', 'hosts:k', address)), 'OK', `${address} serves`);
      assert.is(r.infoOf(c)?.endpoint, second, `${address} is the same endpoint`);
    }
    const later = await r.optedIn('external-ip', database);
    assert.is(r.infoOf(later)?.node, second, 'the database address followed the move');
    assert.is(await dial(database), 'connected');
  } finally {
    await r.teardown();
  }
});

test('hosts as a list, with internalHosts; the database endpoint takes the last address and port', async () => {
  const r = await rig({ hosts: ['127.0.0.21', '127.0.0.22', '127.0.0.23'], internalHosts: ['127.0.9.21', '127.0.9.22', '127.0.9.23'], databaseEndpoint: true });
  try {
    assert.equal(r.sim.endpoints.map((e) => e.split(':')[0]), ['127.0.0.21', '127.0.0.22']);
    assert.is(r.sim.databaseEndpoint!.split(':')[0], '127.0.0.23');
    const c = await r.optedIn('internal-ip', r.sim.databaseEndpoint!);
    await r.sim.run({ type: 'bind', parameters: { time_s: 1, serve_s: 0.2, close_s: 0.3 } });
    assert.is(plain(c.pushes[0]!.elements[3]!), `127.0.9.22:${port(r.sim.endpoints[1]!)}`);
  } finally {
    await r.teardown();
  }
});

test('with retire: true the database endpoint follows when the old node is retired', async () => {
  const r = await rig({ databaseEndpoint: true });
  try {
    const database = r.sim.databaseEndpoint!;
    const [first, second] = r.sim.endpoints as [string, string];
    const before = await r.client(database);
    assert.is(r.infoOf(before)?.node, first);
    await r.sim.run({ type: 'bind', parameters: { time_s: 1, serve_s: 0.2, close_s: 0.3, retire: true } });
    assert.is(await dial(first), 'ECONNREFUSED', 'the old node is retired');
    const after = await r.client(database);
    assert.is(r.infoOf(after)?.node, second);
  } finally {
    await r.teardown();
  }
});

test('hosts, internalHosts and databaseEndpoint are validated', async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ hosts: 'everywhere' }, 'hosts'],
    [{ hosts: ['127.0.0.2'] }, 'hosts'],
    [{ hosts: ['10.0.0.1', '127.0.0.3'] }, 'hosts'],
    [{ hosts: ['127.0.0.2', '127.0.0.300'] }, 'hosts'],
    [{ internalHosts: ['127.0.0.2', '127.0.0.3'] }, 'internalHosts'],
    [{ hosts: ['127.0.0.2', '127.0.0.3'], internalHosts: ['127.0.0.2'] }, 'internalHosts'],
    [{ databaseEndpoint: 'yes' }, 'databaseEndpoint'],
    [{ databaseEndpoint: true, ports: [0, 0] }, 'ports'],
  ];
  for (const [options, name] of cases) {
    const error = await createMaintSimulator({ upstream: { host: '127.0.0.1', port: 1 }, ...options }).then(
      async (sim) => {
        await sim.close();
        return null;
      },
      (e: Error) => e,
    );
    assert.match(String(error?.message), `Invalid option ${name}`, JSON.stringify(options));
  }
});

test.run();
