/**
 * node-redis driven through the standalone scenarios of its own e2e suites
 * (packages/client/lib/tests/test-scenario: configuration, connection-handoff, push-notification),
 * against `hitless-simulator --spawn` in its own process, through the HTTP API as the suites call
 * it. One simulator for the whole file, as a suite run has one cluster: each scenario starts where
 * the previous one left the database.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CONTRACT_DEFAULTS, startContractRig, type ContractRig } from './suite-setup.js';

const test = suite<{ rig: ContractRig }>('node-redis standalone scenarios');

test.before(async (context) => {
  // No timeout is measured here: a shorter migration keeps the file quick.
  context.rig = await startContractRig({ ...CONTRACT_DEFAULTS, migrate: { time_s: 2, duration_s: 0.4, delay_ms: 0 } });
});

test.before.each(({ rig }) => {
  rig.log.length = 0;
});

test.after.each(({ rig }) => {
  rig.destroyClients();
});

test.after(async ({ rig }) => {
  await rig.close();
});

interface TcpOptions {
  host: string;
  port: number;
}

// configuration.e2e.ts "clientHandshakeWithEndpointType": the new socket goes where the MOVING
// said, a host other than the configured one — except for `none`, which reconnects to the same.
for (const endpointType of ['auto', 'external-ip', 'external-fqdn', 'none'] as const) {
  test(`endpoint type ${endpointType}: MOVING received, the client reconnects where it says (another host), traffic resumes`, async ({ rig }) => {
    const client = await rig.client({ maintEndpointType: endpointType });
    const before = { ...(client.options?.socket as TcpOptions) };
    const { action_id: actionId } = await rig.fi.migrateAndBind(rig.db.bdbId, 0);
    await rig.fi.wait(actionId);
    const moving = rig.log.find((event) => event.type === 'MOVING');
    assert.ok(moving, "didn't receive MOVING");
    const after = client.options?.socket as TcpOptions;
    if (endpointType === 'none') {
      assert.is(moving.push[3], 'null', 'no endpoint in the MOVING (RESP3 null)');
      assert.is(after.host, before.host, 'none: the same host as configured');
    } else {
      assert.is(`${after.host}:${after.port}`, moving.push[3], 'the client went where the MOVING said');
      assert.is.not(after.host, before.host, 'old and new host differ');
      if (endpointType === 'external-fqdn') assert.match(String(moving.push[3]), /^localhost:/);
      else assert.match(String(moving.push[3]), /^127\.0\.0\.\d+:/);
    }
    const value = String(Date.now());
    await client.set('contract:key', value);
    assert.is(await client.get('contract:key'), value, 'traffic resumes after the handoff');
  });
}

// configuration.e2e.ts "connectionHandshakeIncludesEnablingNotifications" and push-notification.e2e.ts.
test('notifications received per type: MIGRATING, MIGRATED, MOVING for migrate+bind; FAILING_OVER, FAILED_OVER for failover', async ({ rig }) => {
  const client = await rig.client({ maintNotifications: 'enabled' });
  const { action_id: sequenceId } = await rig.fi.migrateAndBind(rig.db.bdbId, 0);
  await rig.fi.wait(sequenceId);
  assert.equal(rig.log.map((event) => event.type), ['MIGRATING', 'MIGRATED', 'MOVING']);
  rig.log.length = 0;
  await rig.fi.run('failover', { bdb_id: String(rig.db.bdbId), cluster_index: 0 });
  assert.equal(rig.log.map((event) => event.type), ['FAILING_OVER', 'FAILED_OVER']);
  assert.is(await client.ping(), 'PONG');
  client.destroy();
});

// connection-handoff.e2e.ts: a new connection to the new node, the old one shut down.
test('handoff: the connection ends up on the node the database moved to, none is left on the old one', async ({ rig }) => {
  const client = await rig.client({ maintEndpointType: 'external-ip' });
  const [mine] = await rig.connections();
  assert.ok(mine, 'one connection');
  const { action_id: actionId } = await rig.fi.migrateAndBind(rig.db.bdbId, 0);
  const done = await rig.fi.wait(actionId);
  const bind = (done.output as { actions: Array<{ type: string; from: string; to: string }> }).actions[1]!;
  assert.is(bind.from, mine.node, 'moved away from the node it was on');
  const now = await rig.connections();
  assert.equal(now.map((connection) => connection.endpoint), [bind.to], 'exactly one connection, on the new node');
  assert.is(await client.ping(), 'PONG');
  client.destroy();
});

// connection-handoff.e2e.ts "Traffic resumed after handoff" and "should establish new connection":
// commands fired without pause through the whole migrate + bind, none rejected, one new socket.
test('traffic fired through the whole migrate + bind: no command rejected, exactly one new connection made', async ({ rig }) => {
  const client = await rig.client({ maintEndpointType: 'external-ip' });
  // The simulator numbers the connections it accepts (c1, c2, …).
  const number = (id: string) => Number(id.slice(1));
  const [before] = (await rig.connections()) as unknown as Array<{ id: string }>;
  const done = rig.fi.wait((await rig.fi.migrateAndBind(rig.db.bdbId, 0)).action_id);
  let finished = false;
  void done.finally(() => (finished = true));
  const results: Array<Promise<'ok' | 'rejected'>> = [];
  for (let i = 0; !finished; i++) {
    results.push(client.set(`traffic:${i % 10}`, String(i)).then(() => 'ok' as const, () => 'rejected' as const));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await done;
  const outcomes = await Promise.all(results);
  assert.ok(outcomes.length > 100, `commands were fired throughout (${outcomes.length})`);
  assert.is(outcomes.filter((outcome) => outcome === 'rejected').length, 0, 'none rejected');
  const after = (await rig.connections()) as unknown as Array<{ id: string; endpoint: string }>;
  assert.is(after.length, 1);
  assert.is(number(after[0]!.id), number(before!.id) + 1, 'exactly one new connection was made, to the new node');
  client.destroy();
});

// configuration.e2e.ts "disabledDontReceiveNotifications".
test('maintNotifications disabled: no notification reaches the client', async ({ rig }) => {
  const client = await rig.client({ maintNotifications: 'disabled' });
  await rig.fi.wait((await rig.fi.migrateAndBind(rig.db.bdbId, 0)).action_id);
  assert.equal(rig.log, []);
  client.destroy();
});

// The newer push-notification suite: the server-side switch (update_cluster_config).
test('server-side disabled: the opt-in is refused quietly (auto) or fails the connection (enabled), no notification; on again afterwards', async ({ rig }) => {
  await rig.fi.run('update_cluster_config', { config: { client_maint_notifications: false } });
  try {
    const client = await rig.client({ maintNotifications: 'auto' });
    await rig.fi.wait((await rig.fi.migrateAndBind(rig.db.bdbId, 0)).action_id);
    assert.equal(rig.log, [], 'no notification while the server has them off');
    // Not told to move, node-redis's socket is cut with the old node and it reconnects: wait for it.
    let connections = await rig.connections();
    for (let i = 0; i < 100 && connections.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      connections = await rig.connections();
    }
    assert.equal(connections.map((connection) => connection.endpointType), [null], 'never opted in');
    assert.is(await client.ping(), 'PONG', 'the client works on without notifications');
    const refused = await rig.client({ maintNotifications: 'enabled', socket: { host: rig.db.host, port: rig.db.port, reconnectStrategy: false } }).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    assert.match(refused, 'unknown subcommand', "'enabled' fails on the refused opt-in");
  } finally {
    await rig.fi.run('update_cluster_config', { config: { client_maint_notifications: true } });
  }
  const client = await rig.client();
  await rig.fi.wait((await rig.fi.migrateAndBind(rig.db.bdbId, 0)).action_id);
  assert.equal(rig.log.map((event) => event.type), ['MIGRATING', 'MIGRATED', 'MOVING'], 'back on');
  client.destroy();
});

test.run();
