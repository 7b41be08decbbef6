/** A node killed (SIGKILL) and restarted on the same port: every client reconnects, with capped and jittered backoff. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HitlessError, type LifecycleEvent, type MaintClient } from '../../src/index.js';
import { clientFor, until } from '../helpers/client.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';

test('kill -9 then the same port again: 4 clients reconnect, their redials spread by jitter, none past the 2 s cap', async () => {
  let server: RedisProcess | undefined;
  const clients: MaintClient[] = [];
  try {
    server = await startRedis();
    const port = server.port;
    const events: LifecycleEvent[] = [];
    for (let i = 0; i < 4; i++) {
      const { client } = clientFor(server, { poolSize: 2, commandTimeout: 500, connectTimeout: 300 });
      clients.push(client);
      client.events$.subscribe((e) => events.push(e));
      await client.connect();
      assert.is(await client.incr('restart:n'), i + 1);
    }
    await server.kill();
    const down = Date.now();
    // Commands while the node is down fail typed (or wait for a connection and time out typed).
    const during = await clients[0]?.call('PING').catch((e: unknown) => e);
    assert.instance(during, HitlessError);
    await until(() => events.filter((e) => e.type === 'connection.reconnecting' && e.attempt >= 3).length >= 8, 5000, 'a few rounds of redials');
    server = await startRedis({ port });
    await until(() => clients.every((c) => c.state().connections.filter((x) => x.state === 'idle').length === 2), 8000, 'every client reconnected');
    const upAfter = Date.now() - down;
    for (const client of clients) assert.is(await client.call('PING'), 'PONG');
    const delays = events.flatMap((e) => (e.type === 'connection.reconnecting' ? [{ attempt: e.attempt, delay: e.delayMs }] : []));
    assert.ok(delays.every(({ delay }) => delay <= 2000), 'capped');
    assert.ok(delays.every(({ attempt, delay }) => delay >= Math.min(2000, 50 * 2 ** (attempt - 1)) / 2), 'never below half the ceiling');
    const third = delays.filter((d) => d.attempt === 3).map((d) => d.delay);
    assert.ok(third.length >= 8 && new Set(third).size > third.length / 2, `the 8 connections' third redials are spread, not in lockstep: ${third.join(', ')}`);
    assert.ok(upAfter < 8000, `back within ${upAfter} ms`);
  } finally {
    for (const client of clients) await client.close();
    await server?.stop();
  }
});

test.run();
