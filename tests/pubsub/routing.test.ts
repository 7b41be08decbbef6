import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../src/log.js';
import { PushRouter } from '../../src/pool/push-router.js';
import { pushKindOf, pushType } from '../../src/protocol/push-kind.js';
import { ListenerRegistry, text } from '../../src/pubsub/registry.js';
import type { PubSubMessage } from '../../src/pubsub/types.js';

test('push kinds: maintenance, pub/sub, invalidation, other; the type read from strings or Buffers', () => {
  assert.is(pushKindOf(pushType(['MOVING', 1, 2, null])), 'maintenance');
  assert.is(pushKindOf(pushType([Buffer.from('smessage'), Buffer.from('c'), Buffer.from('m')])), 'pubsub');
  for (const type of ['message', 'pmessage', 'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']) assert.is(pushKindOf(type), 'pubsub');
  assert.is(pushKindOf(pushType(['invalidate', ['k']])), 'invalidate');
  assert.is(pushKindOf(pushType([42])), 'other');
  assert.is(pushType([]), '');
});

test('the push router: one consumer per kind, a remover that only removes its own, the rest to the fallback', () => {
  const seen: string[] = [];
  const router = new PushRouter<string>((source, type) => seen.push(`unrouted ${source} ${type}`));
  const remove = router.use('invalidate', (source, frame) => seen.push(`cache ${source} ${String(frame[1])}`));
  router.use('maintenance', (source) => seen.push(`maint ${source}`));
  router.route('c1', ['invalidate', 'k1']);
  router.route('c1', ['MIGRATED', 1, '[]']);
  router.route('c2', ['message', 'ch', 'x']);
  const replaced = router.use('invalidate', (source) => seen.push(`cache2 ${source}`));
  remove(); // no longer the consumer: nothing happens
  router.route('c3', ['invalidate', 'k2']);
  replaced();
  router.route('c4', ['invalidate', 'k3']);
  assert.equal(seen, ['cache c1 k1', 'maint c1', 'unrouted c2 message', 'cache2 c3', 'unrouted c4 invalidate']);
});

test('registry: names gain and lose listeners (the version moves only then); delivery by kind, as text or Buffer', () => {
  const registry = new ListenerRegistry(createLogger('error'));
  const got: Array<PubSubMessage<string> | PubSubMessage<Buffer>> = [];
  const asText = { listener: (m: PubSubMessage) => got.push(m), buffers: false };
  const asBytes = { listener: (m: PubSubMessage<Buffer>) => got.push(m), buffers: true };
  registry.add('channel', ['a'], asText);
  const version = registry.version;
  registry.add('channel', ['a'], asBytes);
  assert.is(registry.version, version, 'a second listener of a name changes nothing on the server');
  registry.add('channel', ['a'], asBytes);
  assert.is(registry.bufferListeners, 1, 'pushes are decoded as Buffers while a Buffer listener is registered');
  registry.deliver('message', ['message', 'a', 'hello']);
  registry.deliver('message', ['message', 'nobody', 'x']);
  assert.equal(got[0], { kind: 'message', channel: 'a', message: 'hello' });
  assert.ok(Buffer.isBuffer(got[1]?.message) && (got[1]?.message as Buffer).toString() === 'hello');
  registry.remove('channel', ['a', 'never'], asText);
  registry.remove('channel', ['a'], asText);
  assert.is(registry.version, version);
  registry.remove('channel', ['a'], asBytes);
  assert.ok(registry.empty);
  assert.ok(registry.version > version);
  registry.add('shard', ['s'], asText);
  registry.deliver('smessage', ['smessage', Buffer.from('s'), Buffer.from('payload')]);
  assert.equal(got[2], { kind: 'smessage', channel: 's', message: 'payload' });
  registry.add('shard', ['s'], asBytes);
  assert.is(registry.bufferListeners, 1);
  registry.drop('shard', ['s', 'unknown']);
  assert.is(registry.bufferListeners, 0, 'dropped with its name');
  assert.equal(registry.counts(), { channels: 0, patterns: 0, shardChannels: 0 });
  assert.is(text(null), '');
  assert.is(text(12), '12');
  assert.is(text(undefined), '');
});

test.run();
