/**
 * redis-py's newest standalone suites: `GET /topology-change-standalone?effect=E&cluster_index=0`
 * lists the triggers and the `dbconfig` each needs; the suite creates that database
 * (`create_database`, the name without its last `-suffix`), then `topology_change_standalone
 * {bdb_id, cluster_index, effect, trigger}` on it, polled until success. node-redis on the created
 * database sees what the effect promises.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startContractRig, type ContractRig } from './suite-setup.js';

const test = suite<{ rig: ContractRig }>('topology_change_standalone');

test.before(async (context) => {
  context.rig = await startContractRig();
});
test.after.each(({ rig }) => {
  rig.destroyClients();
});
test.after(async ({ rig }) => {
  await rig.close();
});

interface Listing {
  effect: string;
  triggers: Array<{ name: string; requirements: Array<{ dbconfig: Record<string, unknown> }> }>;
}

const EXPECTED = {
  data_movement_no_conn_drop: ['MIGRATING', 'MIGRATED'],
  data_movement_conn_drop: ['MIGRATING', 'MIGRATED', 'MOVING'],
  dns_resolution_change: ['MOVING'],
  conn_drop: [],
} as const;

for (const [effect, pushes] of Object.entries(EXPECTED)) {
  test(`${effect}: listed trigger, its database created from the listing, then the effect on it (${pushes.join(', ') || 'connections dropped'})`, async ({ rig }) => {
    const listing = await rig.fi.request<Listing>('GET', `/topology-change-standalone?effect=${effect}&cluster_index=0`);
    assert.is(listing.effect, effect);
    const [trigger] = listing.triggers;
    const dbconfig = trigger!.requirements[0]!.dbconfig;
    // As redis-py's generate_params: the name without its random suffix.
    dbconfig['name'] = String(dbconfig['name']).split('-').slice(0, -1).join('-');
    const created = (await rig.fi.run('create_database', { database_config: dbconfig })).output as { bdb_id: number; raw_endpoints: Array<{ dns_name: string; port: number }> };
    const client = await rig.client({ socket: { host: created.raw_endpoints[0]!.dns_name, port: created.raw_endpoints[0]!.port } });
    await client.set('topology', effect);
    rig.log.length = 0;
    const done = await rig.fi.run('topology_change_standalone', { bdb_id: created.bdb_id, cluster_index: 0, effect, trigger: trigger!.name });
    assert.is((done.output as { effect: string }).effect, effect);
    // The pushes travel on the client's socket, the action's status on the API's: give the pushes a moment to land.
    const deadline = Date.now() + 5000;
    while (rig.log.length < pushes.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(rig.log.map((event) => event.type), [...pushes]);
    assert.is(await client.get('topology'), effect, 'traffic goes on afterwards');
    await rig.fi.run('delete_database', { bdb_id: created.bdb_id });
  });
}

test('an unknown effect lists no trigger and is refused; a trigger the effect does not have is refused', async ({ rig }) => {
  assert.equal((await rig.fi.request<Listing>('GET', '/topology-change-standalone?effect=nope')).triggers, []);
  const refused = (parameters: Record<string, unknown>) => rig.fi.trigger('topology_change_standalone', parameters).then(() => '', (error: Error) => error.message);
  assert.match(await refused({ effect: 'nope' }), /^HTTP 400 - .*parameters\.effect/);
  assert.match(await refused({ effect: 'conn_drop', trigger: 'migrate' }), /^HTTP 400 - .*parameters\.trigger.*dmc_restart/);
});

test.run();
