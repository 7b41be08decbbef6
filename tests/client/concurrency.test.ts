import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { clientFor } from '../helpers/client.js';

let server: RedisProcess;
test.before(async () => {
  server = await startRedis();
});
test.after(async () => {
  await server.stop();
});

test('10 000 concurrent calls from many callers each get their own reply', async () => {
  const { client } = clientFor(server, { poolSize: 4 });
  await client.connect();
  try {
    const n = 10_000;
    const writes = Array.from({ length: n }, (_, i) => client.set(`key:${i}`, `value:${i}:${'x'.repeat(i % 50)}`));
    assert.ok((await Promise.all(writes)).every((reply) => reply === 'OK'));
    const reads = await Promise.all(Array.from({ length: n }, (_, i) => client.get(`key:${i}`)));
    reads.forEach((value, i) => assert.is(value, `value:${i}:${'x'.repeat(i % 50)}`));
    // Interleaved callers of different commands on shared connections.
    const mixed = await Promise.all(
      Array.from({ length: n }, (_, i) => (i % 3 === 0 ? client.incr(`counter:${i % 7}`) : i % 3 === 1 ? client.call('STRLEN', `key:${i}`) : client.call('EXISTS', `key:${i}`, `missing:${i}`))),
    );
    mixed.forEach((reply, i) => {
      if (i % 3 === 1) assert.is(reply, `value:${i}:${'x'.repeat(i % 50)}`.length);
      if (i % 3 === 2) assert.is(reply, 1);
    });
    const counters = await Promise.all(Array.from({ length: 7 }, (_, k) => client.get(`counter:${k}`)));
    const expected = Array.from({ length: 7 }, (_, k) => Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 0 && i % 7 === k).length);
    assert.equal(counters.map(Number), expected);
    // The work was spread over the pool, not one connection.
    assert.is(client.state().connections.filter((c) => !c.dedicated).length, 4);
  } finally {
    await client.close();
  }
});

test('large values and binary arguments round-trip', async () => {
  const { client } = clientFor(server, { poolSize: 2 });
  await client.connect();
  try {
    const big = 'v'.repeat(300_000);
    await client.set('big', big);
    assert.is(await client.get('big'), big);
    const binary = Buffer.from([0, 1, 2, 255, 13, 10]);
    await client.set('bin', binary);
    assert.is(await client.call('STRLEN', 'bin'), 6);
  } finally {
    await client.close();
  }
});

test.run();
