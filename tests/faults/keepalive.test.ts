/** TCP keepalive is on for every socket the client dials, so a silent peer is found even with nothing in flight. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, Socket, type Server } from 'node:net';
import { dial, KEEPALIVE_DELAY_MS } from '../../src/transport/dial.js';

test('dial() turns keepalive on (probes after 30 s idle) and Nagle off', async () => {
  let server: Server | undefined;
  const original = { keepAlive: Socket.prototype.setKeepAlive, noDelay: Socket.prototype.setNoDelay };
  const calls: unknown[][] = [];
  try {
    Socket.prototype.setKeepAlive = function (this: Socket, ...args: Parameters<Socket['setKeepAlive']>) {
      calls.push(['keepAlive', ...args]);
      return original.keepAlive.apply(this, args);
    };
    Socket.prototype.setNoDelay = function (this: Socket, ...args: Parameters<Socket['setNoDelay']>) {
      calls.push(['noDelay', ...args]);
      return original.noDelay.apply(this, args);
    };
    const listening = createServer((socket) => socket.end());
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const address = listening.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const socket = await dial({ host: '127.0.0.1', port }, { tls: false, connectTimeout: 1000 });
    socket.destroy();
    assert.is(KEEPALIVE_DELAY_MS, 30_000);
    assert.ok(calls.some((c) => c[0] === 'keepAlive' && c[1] === true && c[2] === KEEPALIVE_DELAY_MS), JSON.stringify(calls));
    assert.ok(calls.some((c) => c[0] === 'noDelay' && c[1] === true));
  } finally {
    Socket.prototype.setKeepAlive = original.keepAlive;
    Socket.prototype.setNoDelay = original.noDelay;
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  }
});

test.run();
