import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/errors.js';
import { parseDatabaseConfig } from '../../src/simulator/databases/database-config.js';
import { validateDatabasesOptions } from '../../src/simulator/databases/options.js';
import { createMaintSimulator } from '../../src/simulator/index.js';

/** create_database's validation and the routes' refusals, on a simulator fronting a server it never dials. */
const message = (run: () => unknown) => {
  try {
    run();
    return '';
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
};

test('databases options: each field checked, unknown ones refused; createMaintSimulator checks them in both modes', async () => {
  assert.is(message(() => validateDatabasesOptions({ max: 2, name: 'a', bdbId: 3, endpointsConfig: '/tmp/x' }, 'databases')), '');
  assert.match(message(() => validateDatabasesOptions([], 'databases')), 'databases');
  assert.match(message(() => validateDatabasesOptions({ colour: 1 }, 'databases')), 'databases.colour');
  assert.match(message(() => validateDatabasesOptions({ max: 17 }, 'databases')), 'databases.max');
  assert.match(message(() => validateDatabasesOptions({ name: '' }, 'databases')), 'databases.name');
  assert.match(message(() => validateDatabasesOptions({ bdbId: 0 }, 'databases')), 'databases.bdbId');
  assert.match(message(() => validateDatabasesOptions({ endpointsConfig: 3 }, 'databases')), 'databases.endpointsConfig');
  await createMaintSimulator({ upstream: { host: '127.0.0.1', port: 1 }, databases: { max: -1 } }).then(() => assert.unreachable(), (error: Error) => assert.match(error.message, 'databases.max'));
  await createMaintSimulator({ cluster: { primaries: 1, databases: { max: 99 } } }).then(() => assert.unreachable(), (error: Error) => assert.match(error.message, 'cluster.databases.max'));
});

test('database_config: name required, booleans and shards_count checked; oss_cluster makes a cluster of 3 by default', () => {
  assert.equal(parseDatabaseConfig({ database_config: { name: 'a', port: 1, module_list: [] } }), { name: 'a', kind: 'standalone', shards: 1, replication: false });
  assert.equal(parseDatabaseConfig({ database_config: { name: 'c', oss_cluster: true, replication: true } }), { name: 'c', kind: 'cluster', shards: 3, replication: true });
  assert.match(message(() => parseDatabaseConfig(null)), /parameters/);
  assert.match(message(() => parseDatabaseConfig({ database_config: [] })), 'database_config');
  assert.match(message(() => parseDatabaseConfig({ database_config: { name: 'x'.repeat(129) } })), 'database_config.name');
  assert.match(message(() => parseDatabaseConfig({ database_config: { name: 'a', oss_cluster: 'yes' } })), 'database_config.oss_cluster');
  assert.match(message(() => parseDatabaseConfig({ database_config: { name: 'a', shards_count: 0 } })), 'database_config.shards_count');
  assert.match(message(() => parseDatabaseConfig({ database_config: { name: 'a', oss_cluster: true, shards_count: 7 } })), 'at most 6');
});

test('routes: POST /rladmin only, as text/plain; create_database refused with max 0; delete of an unknown id fails; status without databases is the simulator’s own', async () => {
  const sim = await createMaintSimulator({
    upstream: { host: '127.0.0.1', port: 1 },
    apiPort: 0,
    hosts: ['127.0.0.1', '127.0.0.1'],
    internalHosts: ['127.0.0.1', '127.0.0.1'],
    redisServer: 'redis-server',
    actionDefaults: { bind: { time_s: 1 } },
    databases: { max: 0, name: 'solo', bdbId: 5 },
  });
  try {
    const call = (method: string, path: string, body?: string, type = 'application/json') => fetch(`${sim.api}${path}`, { method, headers: { 'Content-Type': type }, ...(body === undefined ? {} : { body }) });
    assert.is((await call('GET', '/rladmin')).status, 405);
    assert.is((await call('POST', '/rladmin', 'status')).status, 415);
    const created = await call('POST', '/action', JSON.stringify({ type: 'create_database', parameters: { database_config: { name: 'x' } } }));
    assert.equal([created.status, ((await created.json()) as { error: string }).error.includes('at most 0')], [400, true]);
    const deleted = (await (await call('POST', '/action', JSON.stringify({ type: 'delete_database', parameters: { bdb_id: '5' } }))).json()) as { action_id: string };
    const status = () => call('GET', `/action/${deleted.action_id}`).then((response) => response.json() as Promise<{ status: string; error?: string }>);
    for (let i = 0; i < 50 && ['pending', 'running'].includes((await status()).status); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(String((await status()).error), "database 5 is the simulator's own");
    const rladmin = (await (await call('POST', '/rladmin', 'rladmin status', 'text/plain')).json()) as { action_id: string };
    for (let i = 0; i < 50 && sim.action(rladmin.action_id)?.status !== 'success'; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(String(sim.action(rladmin.action_id)?.output?.['output']), /DATABASES:\n.*\ndb:1 /);
    assert.is((await call('POST', '/slot-migrate?effect=remove&bdb_id=5')).status, 404, 'no created cluster database: the standalone routes answer');
  } finally {
    await sim.close();
  }
});

test.run();
