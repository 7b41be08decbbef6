/**
 * node-redis's timeout scenarios (timeout-during-notifications.e2e.ts, to-failover.e2e.ts) with
 * their own numbers: a 50 ms command timeout, relaxed to 2000 ms during maintenance. A command
 * node-redis cannot write (setImmediate held back, as the suites' `blockCommand` does) times out
 * after its timeout: the normal one outside maintenance, the relaxed one — typed as a timeout
 * during maintenance — while relaxed. The failover lasts longer than the relaxed timeout.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import diagnostics from 'node:diagnostics_channel';
import { blockCommand, startContractRig, type ContractRig, type NodeRedisClient } from './suite-setup.js';

const NORMAL = 50;
const RELAXED = 2000;

const test = suite<{ rig: ContractRig; client: NodeRedisClient }>('node-redis timeout scenarios');

test.before(async (context) => {
  context.rig = await startContractRig();
});

test.before.each(async (context) => {
  context.rig.log.length = 0;
  context.client = await context.rig.client({ commandOptions: { timeout: NORMAL }, maintRelaxedCommandTimeout: RELAXED });
  await context.client.flushAll();
});

test.after.each(({ rig }) => {
  rig.destroyClients();
});

test.after(async ({ rig }) => {
  await rig.close();
});

function assertNormalTimeout(result: { error: unknown; duration: number }, when: string): void {
  assert.is((result.error as Error | undefined)?.constructor.name, 'TimeoutError', `${when}: a plain TimeoutError`);
  // A timer may fire a fraction of a millisecond early as performance.now() measures it.
  assert.ok(result.duration >= NORMAL - 2 && result.duration < NORMAL * 1.2 + 30, `${when}: timed out after the normal ${NORMAL} ms (${result.duration.toFixed(1)} ms)`);
}

function assertRelaxedTimeout(result: { error: unknown; duration: number } | undefined, when: string): void {
  assert.ok(result, `${when}: a command was tried`);
  assert.is((result.error as Error | undefined)?.constructor.name, 'CommandTimeoutDuringMaintenanceError', `${when}: a timeout during maintenance`);
  assert.ok(result.duration >= RELAXED - 2 && result.duration < RELAXED * 1.2, `${when}: timed out after the relaxed ${RELAXED} ms (${result.duration.toFixed(1)} ms)`);
}

/** On each of `types`, tries a blocked command at once, as the suites' notification handler does. */
function blockOn(client: NodeRedisClient, types: string[]): { results: Record<string, { error: unknown; duration: number }>; settled: () => Promise<void>; stop: () => void } {
  const results: Record<string, { error: unknown; duration: number }> = {};
  const pending: Array<Promise<void>> = [];
  const handler = (message: unknown) => {
    const type = (message as { type: string }).type;
    if (!types.includes(type) || results[type] !== undefined || pending.length >= types.length) return;
    pending.push(
      new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        results[type] = await blockCommand(() => client.set('key', 'value'));
      }),
    );
  };
  diagnostics.subscribe('redis.maintenance', handler);
  return {
    results,
    settled: async () => {
      await Promise.all(pending);
    },
    stop: () => diagnostics.unsubscribe('redis.maintenance', handler),
  };
}

test('the command timeout is relaxed on MIGRATING and on MOVING', async ({ rig, client }) => {
  assertNormalTimeout(await blockCommand(() => client.set('key', 'value')), 'before any maintenance');
  const blocked = blockOn(client, ['MIGRATING', 'MOVING']);
  try {
    await rig.fi.wait((await rig.fi.migrateAndBind(rig.db.bdbId, 0)).action_id);
    await blocked.settled();
  } finally {
    blocked.stop();
  }
  assertRelaxedTimeout(blocked.results['MIGRATING'], 'MIGRATING');
  assertRelaxedTimeout(blocked.results['MOVING'], 'MOVING');
});

test('the command timeout is back to normal after MIGRATED and after the MOVING handoff', async ({ rig, client }) => {
  await rig.fi.run('migrate', { cluster_index: 0, bdb_id: String(rig.db.bdbId) });
  assertNormalTimeout(await blockCommand(() => client.set('key', 'value')), 'after the migration');
  await rig.fi.run('bind', { bdb_id: String(rig.db.bdbId), cluster_index: 0 });
  assertNormalTimeout(await blockCommand(() => client.set('key', 'value')), 'after the bind');
});

test('the command timeout is relaxed on FAILING_OVER, for longer than the relaxed timeout, and normal after FAILED_OVER', async ({ rig, client }) => {
  const blocked = blockOn(client, ['FAILING_OVER']);
  try {
    await rig.fi.run('failover', { bdb_id: String(rig.db.bdbId), cluster_index: 0 });
    await blocked.settled();
  } finally {
    blocked.stop();
  }
  assertRelaxedTimeout(blocked.results['FAILING_OVER'], 'FAILING_OVER');
  const at = (type: string) => rig.log.find((event) => event.type === type)?.at ?? NaN;
  const lasted = at('FAILED_OVER') - at('FAILING_OVER');
  assert.ok(lasted >= RELAXED * 1.2, `the failover outlasted the relaxed timeout (${lasted} ms)`);
  assertNormalTimeout(await blockCommand(() => client.set('key', 'value')), 'after FAILED_OVER');
  assert.is(await client.set('key', 'written'), 'OK', 'the promoted replica takes writes');
});

test.run();
