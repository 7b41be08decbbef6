import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintClient, type LifecycleEvent, type PubSubMessage } from '../../src/index.js';
import { createMaintSimulator } from '../../src/simulator/index.js';
import { clientFor, until } from '../helpers/client.js';
import { startRedis } from '../helpers/redis.js';

test('a plain redis-server restart: lost, reconnected with backoff, resubscribed (event with the downtime), delivering again', async () => {
  let server = await startRedis();
  const port = server.port;
  const { client, events } = clientFor(server, { commandTimeout: 500, connectTimeout: 300, maintNotifications: { mode: 'disabled' } });
  const got: string[] = [];
  const patterned: string[] = [];
  try {
    await client.connect();
    await client.subscribe(['r:ch'], (m) => got.push(m.message));
    await client.psubscribe(['r:p*'], (m) => patterned.push(m.message));
    await client.ssubscribe(['r:{s}'], (m) => got.push(m.message));
    await client.publish('r:ch', 'before');
    await until(() => got.length === 1, 2000, 'the first message');
    await server.kill();
    await until(() => events.some((e) => e.type === 'pubsub.lost'), 5000, 'pubsub.lost');
    await new Promise((resolve) => setTimeout(resolve, 300));
    server = await startRedis({ port });
    await until(() => events.some((e) => e.type === 'pubsub.resubscribed'), 10_000, 'pubsub.resubscribed');
    const resubscribed = events.find((e) => e.type === 'pubsub.resubscribed');
    assert.ok(resubscribed?.type === 'pubsub.resubscribed');
    if (resubscribed?.type === 'pubsub.resubscribed') {
      assert.ok(resubscribed.downtimeMs >= 300, `downtime ${resubscribed.downtimeMs} ms`);
      assert.equal([resubscribed.channels, resubscribed.patterns, resubscribed.shardChannels], [1, 1, 1]);
    }
    await until(() => client.state().status === 'ready' && client.state().connections.some((c) => c.state === 'idle'), 10_000, 'the pool back');
    assert.is(await client.publish('r:ch', 'after'), 1, 'subscribed again before the event');
    assert.is(await client.publish('r:pattern', 'p'), 1);
    assert.is(await client.spublish('r:{s}', 'shard'), 1);
    await until(() => got.length === 3 && patterned.length === 1, 2000, 'messages after the restart');
    assert.equal(got, ['before', 'after', 'shard']);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("mode 'disabled' through a bind: no MOVING, so the subscriber socket is cut with the old endpoint; it resubscribes where DNS now points and says so", async () => {
  const sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
  const [host, port] = (sim.endpoints[0] as string).split(':');
  const options = { host: host as string, port: Number(port), poolSize: 1, commandTimeout: 400, connectTimeout: 300, maintNotifications: { mode: 'disabled' as const } };
  const subscriber = createMaintClient(options);
  const publisher = createMaintClient(options);
  const events: LifecycleEvent[] = [];
  subscriber.events$.subscribe((event) => events.push(event));
  const got: number[] = [];
  try {
    await Promise.all([subscriber.connect(), publisher.connect()]);
    await subscriber.subscribe(['dis:ch'], (m: PubSubMessage) => got.push(Number(m.message)));
    let n = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        await publisher.publish('dis:ch', String(n++)).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await sim.run({ type: 'bind', parameters: { time_s: 1, dns_follows_s: 0.3 } });
    await until(() => events.some((e) => e.type === 'pubsub.resubscribed'), 5000, 'resubscribed');
    const mark = n;
    await until(() => got.some((x) => x > mark + 20), 5000, 'messages after the resubscribe');
    running = false;
    await loop;
    assert.ok(events.some((e) => e.type === 'pubsub.lost'), 'the loss was reported');
    assert.is(events.filter((e) => e.type === 'pubsub.moved').length, 0, 'no MOVING in disabled mode');
    for (let i = 1; i < got.length; i++) assert.ok((got[i] as number) > (got[i - 1] as number), 'in order, never doubled (a gap is allowed: the event said so)');
  } finally {
    await Promise.all([subscriber.close(), publisher.close()]);
    await sim.close();
  }
});

test('a channel the ACL forbids: that subscribe() rejects with the server error, the other subscriptions keep working', async () => {
  const server = await startRedis();
  const admin = clientFor(server).client;
  const warnings: string[] = [];
  const { client, events } = clientFor(server, { username: 'limited', password: 'pw', commandTimeout: 500, connectTimeout: 300, maintNotifications: { logLevel: 'warn' }, logger: { warn: (text: string) => warnings.push(text) } });
  try {
    await admin.connect();
    await admin.call('ACL', 'SETUSER', 'limited', 'on', '>pw', '~*', 'resetchannels', '&ok:*', '+@all');
    await client.connect();
    const got: string[] = [];
    await client.subscribe(['ok:one'], (m) => got.push(m.message));
    const refused = await client.subscribe(['forbidden'], () => {}).then(
      () => 'resolved',
      (error: Error & { code?: string }) => `${error.code}: ${error.message}`,
    );
    assert.match(refused, /^ERR_REDIS_REPLY: NOPERM/);
    // The refusal took the reply slot of the PING behind it; that PONG is skipped, so the socket (and ok:one) stays.
    assert.is(await admin.publish('ok:one', 'probe'), 1);
    assert.is(await admin.publish('forbidden', 'x'), 0);
    await until(() => got.includes('probe'), 2000);
    await client.subscribe(['ok:two'], (m) => got.push(m.message));
    assert.is(await admin.publish('ok:two', 'second'), 1);
    await until(() => got.includes('second'), 2000);
    assert.not.ok(events.some((e) => e.type === 'pubsub.lost' || e.type === 'pubsub.resubscribed'), 'the subscriber socket was kept');
    assert.ok(warnings.some((w) => w.includes('fence channel')), 'the missing fence permission was logged');
  } finally {
    await client.close();
    await admin.close();
    await server.stop();
  }
});

test('refusals and bad input: typed errors that name what to use', async () => {
  const server = await startRedis();
  const { client } = clientFor(server);
  const resp2 = clientFor(server, { protocol: 2, maintNotifications: { mode: 'disabled' } }).client;
  const code = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: Error & { code?: string }) => `${error.code}: ${error.message}`);
  try {
    assert.match(await code(client.subscribe(['x'], () => {})), /^ERR_NOT_CONNECTED/);
    await client.connect();
    await resp2.connect();
    for (const [command, method] of [['SUBSCRIBE', 'client.subscribe('], ['PSUBSCRIBE', 'client.psubscribe('], ['SSUBSCRIBE', 'client.ssubscribe('], ['UNSUBSCRIBE', 'client.subscribe()']] as const) {
      const text = await code(client.call(command, 'ch'));
      assert.ok(text.startsWith('ERR_UNSUPPORTED_COMMAND') && text.includes(method), text);
    }
    assert.match(await code(client.subscribe([], () => {})), /^ERR_INVALID_ARGUMENT: subscribe\(\) takes at least one name/);
    assert.match(await code(client.psubscribe([''], () => {})), /^ERR_INVALID_ARGUMENT/);
    assert.match(await code(client.subscribe(['ok'], 'nope' as never)), /^ERR_INVALID_ARGUMENT: .*listener must be a function/);
    assert.match(await code(client.subscribe(['__hitless:fence:x'], () => {})), /private channel/);
    assert.match(await code(resp2.subscribe(['ok'], () => {})), /^ERR_UNSUPPORTED_COMMAND: subscribe\(\) needs RESP3/);
    let streamError = '';
    client.subscribe$().subscribe({ error: (error: Error & { code?: string }) => (streamError = error.code ?? '') });
    await until(() => streamError !== '', 1000);
    assert.is(streamError, 'ERR_INVALID_ARGUMENT');
  } finally {
    await client.close();
    await resp2.close();
    await server.stop();
  }
});

test('a listener that throws does not break delivery to the others', async () => {
  const server = await startRedis();
  const errors: unknown[] = [];
  const { client } = clientFor(server, { logger: { error: (_: string, error: unknown) => errors.push(error) } });
  try {
    await client.connect();
    const got: string[] = [];
    await client.subscribe(['t:ch'], () => {
      throw new Error('listener bug');
    });
    await client.subscribe(['t:ch'], (m) => got.push(m.message));
    await client.publish('t:ch', '1');
    await client.publish('t:ch', '2');
    await until(() => got.length === 2, 2000);
    assert.equal(got, ['1', '2']);
    assert.is(errors.length, 2);
  } finally {
    await client.close();
    await server.stop();
  }
});

test.run();
