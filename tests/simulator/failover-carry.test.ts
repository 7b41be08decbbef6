/** Which connections a spawned failover may carry to the new primary, and which it must close. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plain } from '../helpers/raw-resp-client.js';
import { kinds, rig } from './support.js';

test('a failover closes connections whose replies cannot be counted (RESP2 bare UNSUBSCRIBE, MONITOR)', async () => {
  const r = await rig({ spawn: true });
  try {
    const unsubscribed = await r.client();
    assert.equal(plain((await unsubscribed.send(['SUBSCRIBE', 'fc:a']))[0]!), ['subscribe', 'fc:a', 1]);
    assert.equal(plain((await unsubscribed.send(['UNSUBSCRIBE']))[0]!), ['unsubscribe', 'fc:a', 0]);
    const monitor = await r.client();
    assert.is(plain(await monitor.command('MONITOR')), 'OK');
    const idle = await r.client();
    assert.is(plain(await idle.command('PING')), 'PONG');

    await r.sim.run({ type: 'failover', parameters: { time_s: 1 } });
    await unsubscribed.closed;
    await monitor.closed;
    assert.is(plain(await idle.command('PING')), 'PONG', 'a countable, idle connection is carried');
    assert.is(r.infoOf(idle)?.upstream, r.sim.upstream);
  } finally {
    await r.teardown();
  }
});

test('RESP2 pub/sub messages are not replies: the proxy answer after a PING waits for its pong', async () => {
  const r = await rig();
  try {
    const subscriber = await r.client();
    await subscriber.send(['SUBSCRIBE', 'fc:msg']);
    const publisher = await r.client();
    await publisher.send(['PUBLISH', 'fc:msg', 'one'], ['PUBLISH', 'fc:msg', 'two']);
    while (subscriber.replies.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    // Take the two messages the raw client holds as replies first.
    const messages = await subscriber.sendRaw(Buffer.alloc(0), 2);
    assert.equal(messages.map(plain), [['message', 'fc:msg', 'one'], ['message', 'fc:msg', 'two']]);
    const replies = await subscriber.send(['PING'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON']);
    assert.equal(kinds(replies), ['*', '-'], 'pong first, then the proxy answer (RESP2: an error)');
    assert.equal(plain(replies[0]!), ['pong', '']);
    assert.match(String(plain(replies[1]!)), /requires RESP3/);
  } finally {
    await r.teardown();
  }
});

test('a failover closes connections with WATCH or MULTI open, and carries one that UNWATCHed', async () => {
  const r = await rig({ spawn: true });
  try {
    const watcher = await r.client();
    assert.is(plain(await watcher.command('WATCH', 'fc:k')), 'OK');
    const queued = await r.client();
    assert.equal((await queued.send(['MULTI'], ['SET', 'fc:k', 'v'])).map(plain), ['OK', 'QUEUED']);
    const unwatched = await r.client();
    assert.equal((await unwatched.send(['WATCH', 'fc:k'], ['UNWATCH'])).map(plain), ['OK', 'OK']);
    const executed = await r.client();
    assert.equal((await executed.send(['MULTI'], ['SET', 'fc:k2', 'v'], ['EXEC'])).map(plain), ['OK', 'QUEUED', ['OK']]);

    await r.sim.run({ type: 'failover', parameters: { time_s: 1 } });
    await watcher.closed;
    await queued.closed;
    assert.is(plain(await unwatched.command('PING')), 'PONG');
    assert.is(plain(await executed.command('GET', 'fc:k2')), 'v');
    assert.is(r.infoOf(executed)?.upstream, r.sim.upstream);
  } finally {
    await r.teardown();
  }
});

test.run();
