import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError } from '../../src/index.js';
import { startRedis } from '../helpers/redis.js';
import { clientFor, until } from '../helpers/client.js';

test('maintenance disabled, plain redis-server restart: a waiting BLPOP fails typed, a later one works on the reconnected connection', async () => {
  let server = await startRedis();
  const port = server.port;
  const { client } = clientFor(server, { poolSize: 1, connectTimeout: 300, maintNotifications: { mode: 'disabled' } });
  try {
    await client.connect();
    await client.call('RPUSH', 'q', 'first');
    assert.equal(await client.call('BLPOP', 'q', '1'), ['q', 'first']);
    const waiting = client.call('BLPOP', 'q', '0').then(() => null, (error: unknown) => error as ConnectionError);
    await until(() => client.state().connections.some((c) => c.dedicated && c.inflight === 1), 2000, 'waiting');
    await server.kill();
    const error = await waiting;
    assert.instance(error, ConnectionError);
    assert.is(error?.code, 'ERR_CONNECTION_LOST');
    assert.ok(error?.retryable);
    server = await startRedis({ port });
    await until(() => client.state().connections.every((c) => c.state === 'idle'), 5000, 'reconnected');
    const again = client.call('BLPOP', 'q', '5');
    await client.call('RPUSH', 'q', 'after');
    assert.equal(await again, ['q', 'after']);
  } finally {
    await client.close();
    await server.stop();
  }
});

test.run();
