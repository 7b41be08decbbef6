import { createServer, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveClientOptions } from '../../src/config.js';
import { systemClock } from '../../src/transport/clock.js';
import { unblockClient } from '../../src/pool/unblock.js';
import { startRedis } from '../helpers/redis.js';
import { RawRespClient, plain } from '../helpers/raw-resp-client.js';

test('unblockClient: 1 for a blocked client (which gets -UNBLOCKED), 0 for one that is not blocked, failed when nothing answers', async () => {
  const server = await startRedis();
  const raw = await RawRespClient.connect({ host: server.host, port: server.port });
  const silent = createServer((socket: Socket) => socket.on('data', () => {}));
  const options = resolveClientOptions({ host: server.host, port: server.port, connectTimeout: 200 });
  try {
    const id = Number(plain(await raw.command('CLIENT', 'ID')));
    assert.is(await unblockClient(options, systemClock, { host: server.host, port: server.port }, id, 500), 'not-blocked');
    const blocked = raw.command('BLPOP', 'nothing', '0');
    const admin = await RawRespClient.connect({ host: server.host, port: server.port });
    for (let i = 0; i < 50 && !String(plain(await admin.command('CLIENT', 'LIST'))).includes('cmd=blpop'); i++) await new Promise((r) => setTimeout(r, 5));
    await admin.close();
    assert.is(await unblockClient(options, systemClock, { host: server.host, port: server.port }, id, 500), 'unblocked');
    const reply = await blocked;
    assert.is(reply.kind, '-');
    assert.match(String(plain(reply)), /^UNBLOCKED/);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    assert.is(await unblockClient(options, systemClock, { host: '127.0.0.1', port }, id, 300), 'failed');
  } finally {
    await raw.close();
    await new Promise((resolve) => silent.close(resolve));
    await server.stop();
  }
});

test.run();
