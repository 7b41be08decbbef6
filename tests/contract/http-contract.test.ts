import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintSimulator } from '../../src/simulator/index.js';
import { plain } from '../helpers/raw-resp-client.js';
import { rig, settle } from '../simulator/support.js';
import { FaultInjector } from './fault-injector.js';

const SHORT = {
  migrate: { time_s: 1, duration_s: 0.2, delay_ms: 0 },
  bind: { time_s: 1, serve_s: 0.2, close_s: 0.3 },
};

test('sequence_of_actions (sub-actions with params) runs migrate then bind under one action id', async () => {
  const r = await rig({ apiPort: 0, actionDefaults: SHORT });
  try {
    const fi = new FaultInjector(r.sim.api!);
    const client = await r.optedIn('external-ip');
    const { action_id: actionId } = await fi.migrateAndBind(1, 0);
    const done = await fi.wait(actionId);
    assert.is(done.status, 'success');
    const output = done.output as { actions: Array<{ type: string }> };
    assert.equal(output.actions.map((action) => action.type), ['migrate', 'bind']);
    await client.closed; // it never moved: the old node cut it at close_s
    assert.equal(client.pushes.map((push) => plain(push.elements[0]!)), ['MIGRATING', 'MIGRATED', 'MOVING']);
  } finally {
    await r.teardown();
  }
});

test("go-redis's sequence shape: bdb_id as a number, a step's delay in nanoseconds (time.Duration)", async () => {
  const r = await rig({ apiPort: 0, actionDefaults: SHORT });
  try {
    const fi = new FaultInjector(r.sim.api!);
    const started = Date.now();
    const done = await fi.run('sequence_of_actions', {
      bdb_id: 1,
      actions: [
        { type: 'migrate', params: { bdb_id: 1 } },
        { type: 'migrate', params: { bdb_id: 1 }, delay: 300_000_000 },
      ],
    });
    assert.is(done.status, 'success');
    assert.ok(Date.now() - started >= 300 + 2 * 200, 'the delay was waited before the second step');
  } finally {
    await r.teardown();
  }
});

test('a sequence with a bad sub-action is refused with 400 before anything runs, naming the step', async () => {
  const r = await rig({ apiPort: 0, actionDefaults: SHORT });
  try {
    const fi = new FaultInjector(r.sim.api!);
    const client = await r.optedIn('internal-ip');
    const bad = [
      { actions: [{ type: 'migrate', params: {} }, { type: 'bind', params: { time_s: 'soon' } }] },
      { actions: [] },
      { actions: [{ type: 'create_database', params: {} }] },
      { actions: [{ type: 'migrate', params: {}, extra: 1 }] },
      { actions: [{ type: 'sequence_of_actions', params: {} }] },
      { actions: [{ type: 'migrate', delay: -1 }] },
      { actions: 'migrate' },
    ];
    for (const parameters of bad) {
      const error = await fi.trigger('sequence_of_actions', parameters).then(() => null, (e: Error) => e.message);
      assert.match(String(error), /^HTTP 400 - .*parameters\.actions/, JSON.stringify(parameters));
    }
    await settle(client);
    assert.is(client.pushes.length, 0, 'nothing ran');
  } finally {
    await r.teardown();
  }
});

test('GET /action lists actions (empty at first), GET /actions the types, GET /<action>?effect= a trigger listing', async () => {
  const r = await rig({ apiPort: 0, actionDefaults: SHORT });
  try {
    const fi = new FaultInjector(r.sim.api!);
    const empty = await fi.request<{ actions: unknown[]; types: string[] }>('GET', '/action');
    assert.equal(empty.actions, []);
    assert.ok(empty.types.includes('sequence_of_actions') && empty.types.includes('update_cluster_config'));
    const done = await fi.run('migrate', { bdb_id: '1', cluster_index: 0 });
    const listed = await fi.request<{ actions: Array<{ action_id: string; status: string }> }>('GET', '/action');
    assert.equal(listed.actions.map((action) => [action.action_id, action.status]), [[done.action_id, 'success']]);
    const types = await fi.request<string[]>('GET', '/actions');
    assert.ok(Array.isArray(types) && types.includes('bind'));
    for (const path of ['/slot-migrate?effect=remove-add&cluster_index=0', '/failover?effect=x', '/sequence-of-actions?effect=y']) {
      const listing = await fi.request<{ effect: string; triggers: unknown[]; cluster: object }>('GET', path);
      assert.equal(listing.triggers, [], path);
      assert.type(listing.cluster, 'object');
      assert.is(listing.effect, new URL(path, 'http://x').searchParams.get('effect'));
    }
    assert.match(await fi.request('GET', '/nothing?effect=x').then(() => '', (e: Error) => e.message), 'HTTP 404');
  } finally {
    await r.teardown();
  }
});

test('update_cluster_config turns notifications off server-side (the opt-in is refused as open-source Redis refuses it) and on again', async () => {
  const r = await rig({ apiPort: 0, actionDefaults: SHORT });
  try {
    const fi = new FaultInjector(r.sim.api!);
    const earlier = await r.optedIn('internal-ip');
    const off = await fi.run('update_cluster_config', { config: { client_maint_notifications: false } });
    assert.equal(off.output, { client_maint_notifications: false });
    const refused = await r.client();
    const replies = await refused.send(['HELLO', '3'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'internal-ip'], ['PING']);
    assert.equal(replies.slice(1).map(plain), ["ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.", 'PONG']);
    const status = await fi.run('execute_rladmin_command', { rladmin_command: 'status' });
    assert.match((status.output as { output: string }).output, 'CLIENT_MAINT_NOTIFICATIONS: disabled');
    await fi.run('migrate');
    await settle(earlier, refused);
    assert.is(earlier.pushes.length, 0, 'no notification while off, not even to a connection that opted in before');
    assert.is(refused.pushes.length, 0);

    await fi.run('update_cluster_config', { config: { client_maint_notifications: true } });
    const accepted = await r.optedIn('internal-ip');
    await fi.run('migrate');
    await settle(earlier, accepted);
    assert.equal(accepted.pushes.map((push) => plain(push.elements[0]!)), ['MIGRATING', 'MIGRATED']);
    assert.is(earlier.pushes.length, 2, 'back on for every opted-in connection');

    for (const config of [{ client_maint_notifications: 'no' }, { colour: true }]) {
      const error = await fi.trigger('update_cluster_config', { config }).then(() => '', (e: Error) => e.message);
      assert.match(error, /^HTTP 400 - .*parameters\.config/);
    }
  } finally {
    await r.teardown();
  }
});

test('execute_rladmin_command status answers with a text description; other rladmin commands are refused', async () => {
  const r = await rig({ apiPort: 0 });
  try {
    const fi = new FaultInjector(r.sim.api!);
    const status = await fi.run('execute_rladmin_command', { rladmin_command: 'status', bdb_id: '1' });
    const text = (status.output as { output: string }).output;
    assert.match(text, `${r.sim.activeEndpoint} serving active`);
    assert.match(text, 'CLIENT_MAINT_NOTIFICATIONS: enabled');
    for (const parameters of [{ rladmin_command: 'upgrade db db:1' }, { rladmin_command: 'bind db db:1' }, { rladmin_command: 'failover db db:1' }, { rladmin_command: 'migrate node 1 all_shards target_node 9' }, {}]) {
      assert.match(await fi.trigger('execute_rladmin_command', parameters).then(() => '', (e: Error) => e.message), 'HTTP 400');
    }
  } finally {
    await r.teardown();
  }
});

test('actionDefaults is validated', async () => {
  for (const actionDefaults of [[], { explode: {} }, { bind: 3 }]) {
    const error = await createMaintSimulator({ upstream: { host: '127.0.0.1', port: 1 }, actionDefaults: actionDefaults as never }).then(
      async (sim) => {
        await sim.close();
        return '';
      },
      (e: Error) => e.message,
    );
    assert.match(error, 'Invalid option actionDefaults');
  }
});

test.run();
