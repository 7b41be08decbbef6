import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { cacheSlot } from '../../src/cache/cacheable.js';
import { ClientCache } from '../../src/cache/client-cache.js';
import { pushKindOf, pushType } from '../../src/protocol/push-kind.js';

test('hits and misses are counted; a hit refreshes the LRU order; maxEntries evicts the least recently used', () => {
  const cache = new ClientCache(new SimulatedClock(), 2, 0);
  assert.is(cache.lookup('a'), undefined);
  cache.fill('a', 'a', '1', cache.currentGeneration());
  cache.fill('b', 'b', '2', cache.currentGeneration());
  assert.is(cache.lookup('a'), '1');
  cache.fill('c', 'c', '3', cache.currentGeneration());
  assert.is(cache.lookup('b'), undefined, 'b was the least recently used');
  assert.is(cache.lookup('a'), '1');
  assert.is(cache.lookup('c'), '3');
  assert.equal(cache.stats(), { hits: 3, misses: 2, invalidations: 0, evictions: 1, size: 2, flushes: 0 });
});

test('ttlMs: an entry older than it is a miss (and counted as an eviction)', () => {
  const clock = new SimulatedClock();
  const cache = new ClientCache(clock, 10, 1000);
  cache.fill('k', 'k', null, cache.currentGeneration());
  clock.increment(999);
  assert.is(cache.lookup('k'), null, 'a cached null (missing key) is a hit');
  clock.increment(1);
  assert.is(cache.lookup('k'), undefined);
  assert.equal(cache.stats(), { hits: 1, misses: 1, invalidations: 0, evictions: 1, size: 0, flushes: 0 });
});

test('a reply asked for before a flush does not refill the cache (generation)', () => {
  const cache = new ClientCache(new SimulatedClock(), 10, 0);
  const before = cache.currentGeneration();
  cache.flush();
  cache.fill('k', 'k', 'old', before);
  assert.is(cache.lookup('k'), undefined);
  cache.fill('k', 'k', 'new', cache.currentGeneration());
  assert.is(cache.lookup('k'), 'new');
  assert.is(cache.stats().flushes, 1);
});

test('invalidate: named keys drop every entry reading them (strings or Buffers); null flushes all', () => {
  const cache = new ClientCache(new SimulatedClock(), 10, 0);
  const g = cache.currentGeneration();
  cache.fill('h', 'h', 'v', g);
  cache.fill('HGET\u0000h\u0000f', 'h', 'x', g);
  cache.fill('other', 'other', 'o', g);
  cache.invalidate([Buffer.from('h'), 'unknown']);
  assert.is(cache.lookup('h'), undefined);
  assert.is(cache.lookup('HGET\u0000h\u0000f'), undefined);
  assert.is(cache.lookup('other'), 'o');
  assert.is(cache.stats().invalidations, 2);
  cache.invalidate('not a list');
  assert.is(cache.stats().size, 1);
  cache.invalidate(null);
  assert.equal(cache.stats().size, 0);
  assert.is(cache.stats().flushes, 1);
});

test('cacheSlot: only the listed read-only single-key commands with their exact arity and text arguments', () => {
  assert.equal(cacheSlot('GET', ['k']), { key: 'k', id: 'k' });
  assert.equal(cacheSlot('HGET', ['h', 'f']), { key: 'h', id: 'HGET\u0000h\u0000f' });
  assert.equal(cacheSlot('ZSCORE', ['z', 5]), { key: 'z', id: 'ZSCORE\u0000z\u00005' });
  assert.is(cacheSlot('GET', ['a', 'b']), undefined);
  assert.is(cacheSlot('GET', [Buffer.from('k')]), undefined);
  assert.is(cacheSlot('SET', ['k', 'v']), undefined);
  assert.is(cacheSlot('TTL', ['k']), undefined, 'time-dependent replies are not cached');
});

test('invalidate pushes are their own kind, with a text or Buffer head', () => {
  const kind = (frame: Parameters<typeof pushType>[0]) => pushKindOf(pushType(frame));
  assert.is(kind(['invalidate', ['k']]), 'invalidate');
  assert.is(kind([Buffer.from('invalidate'), null]), 'invalidate');
  assert.is(kind(['MOVING', 1, 15, 'h:1']), 'maintenance');
  assert.is(kind([Buffer.from('message')]), 'pubsub');
});

test.run();
