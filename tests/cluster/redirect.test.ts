import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { redirectOf, retryDelay } from '../../src/cluster/redirect.js';
import { RecentlySeen } from '../../src/cluster/seen.js';
import { ConnectionError, RedisReplyError } from '../../src/index.js';

const from = { host: '10.0.0.9', port: 7000 };
const reply = (text: string) => new RedisReplyError(text);

test('MOVED and ASK name a slot and an endpoint; an empty host is the node that answered', () => {
  assert.equal(redirectOf(reply('MOVED 3999 127.0.0.1:6381'), from), { kind: 'moved', slot: 3999, endpoint: { host: '127.0.0.1', port: 6381 } });
  assert.equal(redirectOf(reply('ASK 0 :6390'), from), { kind: 'ask', slot: 0, endpoint: { host: '10.0.0.9', port: 6390 } });
  assert.equal(redirectOf(reply('MOVED 16383 [::1]:7001'), from), { kind: 'moved', slot: 16383, endpoint: { host: '::1', port: 7001 } });
});

test('TRYAGAIN, CLUSTERDOWN and LOADING are retried; anything else (or a malformed redirect) is the caller’s', () => {
  for (const text of ['TRYAGAIN Multiple keys request during rehashing of slot', 'CLUSTERDOWN Hash slot not served', 'LOADING Redis is loading']) assert.equal(redirectOf(reply(text), from), { kind: 'retry' });
  for (const text of ['ERR wrong', 'WRONGTYPE x', 'MOVED x 1.2.3.4:5', 'MOVED 16384 1.2.3.4:5', 'MOVED 1 1.2.3.4:notaport', 'ASK 1']) assert.is(redirectOf(reply(text), from), null, text);
  assert.is(redirectOf(new ConnectionError('ERR_CONNECTION_LOST', 'MOVED 1 1.2.3.4:5'), from), null);
});

test('retry backoff is jittered, grows and is capped', () => {
  assert.is(retryDelay(0, () => 0), 5);
  assert.is(retryDelay(0, () => 1), 10);
  assert.is(retryDelay(3, () => 1), 80);
  assert.is(retryDelay(50, () => 1), 250);
  assert.is(retryDelay(50, () => 0), 125);
});

test('RecentlySeen: once per key within the TTL, bounded by capacity', () => {
  const clock = new SimulatedClock();
  const seen = new RecentlySeen(clock, 1000, 3);
  assert.ok(seen.firstTime('SMIGRATED:1'));
  assert.not.ok(seen.firstTime('SMIGRATED:1'));
  clock.increment(1000);
  assert.ok(seen.firstTime('SMIGRATED:1'), 'forgotten after the TTL');
  for (const key of ['a', 'b', 'c', 'd']) assert.ok(seen.firstTime(key));
  assert.is(seen.size, 3);
  assert.ok(seen.firstTime('SMIGRATED:1'), 'the oldest went first');
});

test.run();
