import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import type { Connection } from '../../src/pool/connection.js';
import { Router } from '../../src/pool/router.js';
import type { PendingCommand } from '../../src/transport/command.js';

function fake(id: string) {
  const written: string[] = [];
  const connection = { id, ready: true, dedicated: false, inflight: 0, write: (command: { name: string }) => written.push(command.name) };
  return { connection: connection as unknown as Connection, written, state: connection };
}

const command = (name: string) => ({ name, relax() {}, deadline: Infinity, settled: false }) as unknown as PendingCommand;
const nextTick = () => new Promise((resolve) => process.nextTick(resolve));

test('commands of one tick go to one connection; idle connections take turns across ticks', async () => {
  const router = new Router(new SimulatedClock(), 1000);
  const a = fake('a');
  const b = fake('b');
  router.update(a.connection);
  router.update(b.connection);
  router.send(command('1'));
  router.send(command('2'));
  await nextTick();
  router.send(command('3'));
  await nextTick();
  router.send(command('4'));
  assert.equal(a.written, ['1', '2', '4']);
  assert.equal(b.written, ['3']);
});

test('the connection with the fewest in flight wins over the rotation', async () => {
  const router = new Router(new SimulatedClock(), 1000);
  const a = fake('a');
  const b = fake('b');
  router.update(a.connection);
  router.update(b.connection);
  a.state.inflight = 0;
  b.state.inflight = 5;
  router.send(command('1'));
  await nextTick();
  router.send(command('2'));
  assert.equal(a.written, ['1', '2'], 'b stays busier');
});

test('with no ready connection, commands are parked and flushed in order when one becomes ready', async () => {
  const router = new Router(new SimulatedClock(), 1000);
  const a = fake('a');
  a.state.ready = false;
  router.update(a.connection);
  router.send(command('1'));
  router.send(command('2'));
  assert.equal(a.written, []);
  a.state.ready = true;
  router.update(a.connection);
  assert.equal(a.written, ['1', '2']);
});

test.run();
