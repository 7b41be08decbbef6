/**
 * The actions the official suites send beyond migrate/bind/failover, with node-redis on the
 * endpoints file's address and the API called as their fault-injector clients call it:
 * dmc_restart and network_failure with only `{bdb_id}` (the suites' connection interruption
 * tests), execute_rlutil_command pause_bdb / resume_bdb, reshard.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CONTRACT_DEFAULTS, startContractRig, type ContractRig } from './suite-setup.js';

const test = suite<{ rig: ContractRig }>('node-redis through connection interruptions');

test.before(async (context) => {
  context.rig = await startContractRig({ ...CONTRACT_DEFAULTS, migrate: { time_s: 2, duration_s: 0.3, delay_ms: 0 }, dmc_restart: { down_s: 0.5 } });
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

async function until(condition: () => Promise<boolean> | boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('dmc_restart {bdb_id}: every connection dropped, dials refused for down_s, then node-redis reconnects and traffic resumes', async ({ rig }) => {
  const client = await rig.client();
  let reconnects = 0;
  client.on('reconnecting', () => reconnects++);
  const [before] = await rig.connections();
  const started = Date.now();
  const done = await rig.fi.run('dmc_restart', { bdb_id: String(rig.db.bdbId) });
  assert.ok(Date.now() - started >= 500, 'the action lasted down_s');
  const output = done.output as { dropped: string[]; down_s: number };
  assert.ok(output.dropped.includes((before as unknown as { id: string }).id), 'the client connection was dropped');
  await until(() => client.isReady, 'node-redis ready again');
  assert.ok(reconnects >= 1, 'node-redis saw the disconnect');
  assert.is(await client.set('restart:key', 'v'), 'OK');
  const after = await rig.connections();
  assert.is(after.length, 1);
  assert.is.not((after[0] as unknown as { id: string }).id, (before as unknown as { id: string }).id, 'a new connection');
});

test('network_failure {bdb_id, cluster_index, delay}: nothing is answered for the duration (the socket stays), then the same connection answers', async ({ rig }) => {
  const client = await rig.client();
  const [before] = await rig.connections();
  const { action_id: actionId } = await rig.fi.trigger('network_failure', { bdb_id: rig.db.bdbId, cluster_index: 0, delay: 1 });
  await until(async () => (await rig.fi.request<{ status: string }>('GET', `/action/${actionId}`)).status === 'running', 'the failure running');
  const sent = Date.now();
  let answered = false;
  const pong = client.ping().then((reply) => {
    answered = true;
    return reply;
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.is(answered, false, 'a command during the failure gets no answer');
  const done = await rig.fi.wait(actionId);
  assert.equal(done.output, { duration_s: 1 });
  assert.is(await pong, 'PONG', 'answered once the network is back');
  assert.ok(Date.now() - sent >= 700, 'not before');
  const after = await rig.connections();
  assert.ok(after.some((connection) => (connection as unknown as { id: string }).id === (before as unknown as { id: string }).id), 'the socket was never closed by the simulator');
});

test('execute_rlutil_command pause_bdb holds every request until resume_bdb', async ({ rig }) => {
  const client = await rig.client();
  const paused = await rig.fi.run('execute_rlutil_command', { bdb_id: rig.db.bdbId, rlutil_command: 'pause_bdb' });
  assert.equal(paused.output, { output: 'paused', paused: true });
  let answered = false;
  const pong = client.ping().then((reply) => {
    answered = true;
    return reply;
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.is(answered, false, 'not answered while paused');
  await rig.fi.run('execute_rlutil_command', { bdb_id: rig.db.bdbId, rlutil_command: 'resume_bdb' });
  assert.is(await pong, 'PONG');
  const refused = await rig.fi.trigger('execute_rlutil_command', { rlutil_command: 'upgrade_bdb' }).then(() => '', (error: Error) => error.message);
  assert.match(refused, /^HTTP 400 - .*pause_bdb, resume_bdb/);
});

test('reshard {bdb_id}: a single-shard database reshards as a migration (MIGRATING, MIGRATED)', async ({ rig }) => {
  const client = await rig.client();
  const done = await rig.fi.run('reshard', { bdb_id: String(rig.db.bdbId), cluster_index: 0 });
  assert.equal(rig.log.map((event) => event.type), ['MIGRATING', 'MIGRATED']);
  assert.is((done.output as { migrated_sent: boolean }).migrated_sent, true);
  assert.is(await client.ping(), 'PONG');
  // The shard now sits on the next node: the following bind moves the database there.
  await rig.fi.run('bind', { bdb_id: String(rig.db.bdbId) });
});

test.run();
