import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { ConnectionError, TimeoutError } from '../../src/errors.js';
import type { Connection } from '../../src/pool/connection.js';
import { DEDICATED_IDLE_MS, DedicatedConnections } from '../../src/pool/dedicated.js';

type Fake = { id: string; ready: boolean; state: string; leased: boolean; whenChanged: (() => void) | undefined };

function setup(capacity = Infinity) {
  const clock = new SimulatedClock();
  const spawned: Fake[] = [];
  const stopped: string[] = [];
  const dedicated = new DedicatedConnections({
    clock,
    capacity,
    spawn: () => {
      const fake: Fake = { id: `d${spawned.length + 1}`, ready: false, state: 'connecting', leased: false, whenChanged: undefined };
      spawned.push(fake);
      return fake as unknown as Connection;
    },
    stop: (connection) => {
      stopped.push(connection.id);
      (connection as unknown as Fake).state = 'closed';
    },
    lastError: () => new ConnectionError('ERR_CONNECT', 'refused', { retryable: true }),
    commandTimeout: 1000,
    emit: () => {},
    unblock: async () => 'failed' as const,
  });
  const becomeReady = (fake: Fake) => {
    fake.ready = true;
    fake.state = 'idle';
    fake.whenChanged?.();
  };
  return { clock, spawned, stopped, dedicated, becomeReady };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test('a lease opens a connection, waits until it is ready, and is reused after release', async () => {
  const { spawned, dedicated, becomeReady } = setup();
  const first = dedicated.lease(1000);
  await flush();
  assert.is(spawned.length, 1);
  becomeReady(spawned[0] as Fake);
  const connection = await first;
  assert.is(connection.id, 'd1');
  assert.ok(connection.leased);
  dedicated.release(connection);
  assert.not.ok(connection.leased);
  const again = await dedicated.lease(1000);
  assert.is(again, connection, 'reused, not dialled again');
  assert.is(spawned.length, 1);
  dedicated.closeAll();
});

test('an idle dedicated connection is closed after DEDICATED_IDLE_MS, not before', async () => {
  const { clock, spawned, stopped, dedicated, becomeReady } = setup();
  const lease = dedicated.lease(1000);
  becomeReady(spawned[0] as Fake);
  dedicated.release(await lease);
  clock.increment(DEDICATED_IDLE_MS - 1);
  assert.equal(stopped, []);
  clock.increment(1);
  assert.equal(stopped, ['d1']);
  dedicated.onClosed(spawned[0] as unknown as Connection);
  dedicated.closeAll();
});

test('a connection not ready at release (handing off) is kept and lent again once ready', async () => {
  const { spawned, stopped, dedicated, becomeReady } = setup();
  const lease = dedicated.lease(1000);
  becomeReady(spawned[0] as Fake);
  const connection = await lease;
  (connection as unknown as Fake).ready = false;
  (connection as unknown as Fake).state = 'handingOff';
  dedicated.release(connection);
  assert.equal(stopped, [], 'not thrown away mid-handoff');
  const second = dedicated.lease(1000);
  await flush();
  assert.is(spawned.length, 2, 'a new one while the first is not ready');
  becomeReady(spawned[1] as Fake);
  await second;
  becomeReady(connection as unknown as Fake);
  dedicated.release(connection);
  assert.is(await dedicated.lease(1000), connection);
  dedicated.closeAll();
});

test('capacity: a lease beyond it waits for a release, or times out (never sent)', async () => {
  const { clock, spawned, dedicated, becomeReady } = setup(1);
  const lease = dedicated.lease(1000);
  becomeReady(spawned[0] as Fake);
  const held = await lease;
  const waiting = dedicated.lease(500);
  const timingOut = dedicated.lease(200).then(() => null, (error: unknown) => error);
  await flush();
  assert.is(spawned.length, 1, 'no second connection beyond capacity');
  clock.increment(200);
  const timeout = (await timingOut) as TimeoutError;
  assert.instance(timeout, TimeoutError);
  assert.is(timeout.sent, false);
  dedicated.release(held);
  assert.is(await waiting, held, 'handed straight to the waiter');
  dedicated.closeAll();
});

test('closeAll rejects waiters and refuses new leases with ERR_CLIENT_CLOSED', async () => {
  const { spawned, dedicated, becomeReady } = setup(1);
  const lease = dedicated.lease(1000);
  becomeReady(spawned[0] as Fake);
  await lease;
  const waiting = dedicated.lease(Infinity).then(() => null, (error: unknown) => error as ConnectionError);
  dedicated.closeAll();
  assert.is((await waiting)?.code, 'ERR_CLIENT_CLOSED');
  const late = await dedicated.lease(10).then(() => null, (error: unknown) => error as ConnectionError);
  assert.is(late?.code, 'ERR_CLIENT_CLOSED');
});

test('a dedicated connection that cannot connect fails the lease with its dial error and is stopped', async () => {
  const { spawned, stopped, dedicated } = setup();
  const lease = dedicated.lease(1000).then(() => null, (error: unknown) => error as ConnectionError);
  await flush();
  const fake = spawned[0] as Fake;
  fake.state = 'reconnecting';
  fake.whenChanged?.();
  assert.is((await lease)?.code, 'ERR_CONNECT');
  assert.equal(stopped, ['d1']);
  dedicated.closeAll();
});

test.run();
