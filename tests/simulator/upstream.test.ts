/** How client connections follow what happens to the server behind them. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, createServer, type Server } from 'node:net';
import { createMaintSimulator } from '../../src/simulator/index.js';
import { plain, RawRespClient } from '../helpers/raw-resp-client.js';
import { nextEvent, port, rig } from './support.js';

test('when the upstream server dies, its client connections are closed', async () => {
  const r = await rig();
  try {
    const c = await r.client();
    assert.is(plain(await c.command('PING')), 'PONG');
    const closed = nextEvent(r.sim, 'connection.closed');
    await r.redis!.kill();
    await c.closed;
    assert.match((await closed).reason, /upstream/);
  } finally {
    await r.teardown();
  }
});

test('garbage from the upstream closes that connection instead of passing it on', async () => {
  const fake: Server = createServer((socket) => socket.on('data', () => socket.write('+OK\r\n?garbage\r\n')));
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  const sim = await createMaintSimulator({ upstream: { host: '127.0.0.1', port: (fake.address() as { port: number }).port } });
  try {
    const c = await RawRespClient.connect(sim.endpoints[0]!);
    const closed = nextEvent(sim, 'connection.closed');
    assert.equal(plain(await c.command('PING')), 'OK', 'the complete frame before the garbage went through');
    await c.closed;
    assert.match((await closed).reason, 'protocol error from upstream');
    assert.is(c.replies.length, 1);
  } finally {
    await sim.close();
    await new Promise((resolve) => fake.close(resolve));
  }
});

test('a slow reader gets every byte of a large reply (backpressure both ways)', async () => {
  const r = await rig();
  try {
    const size = 16 * 1024 * 1024;
    const writer = await r.client();
    await writer.command('SET', 'bp:big', Buffer.alloc(size, 0x62));
    const header = `$${size}\r\n`;
    const expected = header.length + size + 2;
    const socket = connect({ host: '127.0.0.1', port: port(r.sim.activeEndpoint) });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('*2\r\n$3\r\nGET\r\n$6\r\nbp:big\r\n');
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    let received = 0;
    let head = '';
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        if (head.length < header.length) head += chunk.subarray(0, header.length).toString();
        received += chunk.length;
        if (received >= expected) resolve();
      });
      socket.resume();
    });
    socket.destroy();
    assert.is(received, expected);
    assert.ok(head.startsWith(header));
    assert.is(plain(await writer.command('PING')), 'PONG');
  } finally {
    await r.teardown();
  }
});

test('a spawned failover cannot carry a connection whose reply has not been delivered: that one is closed, the others move', async () => {
  const r = await rig({ spawn: true });
  try {
    const pending = await r.optedIn('internal-ip');
    const idle = await r.optedIn('internal-ip');
    const pendingId = r.infoOf(pending)!.id;
    await r.sim.run({ type: 'latency', parameters: { delay_ms: 5000 } });
    const reply = pending.command('PING').then(() => 'answered', () => 'closed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = nextEvent(r.sim, 'connection.closed', (event) => event.connectionId === pendingId, 10_000);
    const result = await r.sim.run({ type: 'failover', parameters: { time_s: 1, drain_timeout_s: 0.2 } });
    assert.is((await closed).reason, 'failover with replies in flight');
    assert.is(await reply, 'closed');
    await r.sim.run({ type: 'latency', parameters: { delay_ms: 0 } });
    assert.is(r.infoOf(idle)?.upstream, result.output['to']);
    assert.is(plain(await idle.command('PING')), 'PONG');
  } finally {
    await r.teardown();
  }
});

test.run();
