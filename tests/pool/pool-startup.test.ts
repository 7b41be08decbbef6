import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { clientFor, until } from '../helpers/client.js';

/**
 * A pool's cold start: connect() resolves with the first connection; the others are dialled once
 * the caller's first commands were answered (so that their replies do not wait behind three
 * dials and handshakes), at most ~20 ms later; a pool whose first command is still running after
 * that opens the rest anyway.
 */
let server: RedisProcess;
test.before(async () => {
  server = await startRedis();
});
test.after(async () => {
  await server.stop();
});

/** A script that keeps the server busy for `ms` (the server answers nothing else meanwhile). */
const busyFor = (ms: number) => [
  'EVAL',
  `local s = redis.call('TIME') while true do local n = redis.call('TIME') if (n[1] - s[1]) * 1000000 + (n[2] - s[2]) > ${ms * 1000} then return 1 end end`,
  '0',
];

test('the rest of the pool is dialled after the first commands were answered', async () => {
  const { client, events } = clientFor(server, { poolSize: 3 });
  try {
    await client.connect();
    const reply = client.call(...(busyFor(10) as [string, ...string[]]));
    let answeredAt = -1;
    void reply.then(() => (answeredAt = events.length)); // the index the next event will get
    assert.is(await reply, 1);
    await until(() => events.filter((event) => event.type === 'connection.created').length === 3, 2000, 'three connections');
    const created = events.flatMap((event, index) => (event.type === 'connection.created' ? [index] : []));
    assert.ok(created[0]! < answeredAt, 'the first connection before the reply');
    assert.ok(created[1]! >= answeredAt && created[2]! >= answeredAt, `the others after it (created at ${created.join(', ')}, answered at ${answeredAt})`);
  } finally {
    await client.close();
  }
});

test('a first command that runs long does not hold the rest back for more than ~20 ms', async () => {
  const { client, events } = clientFor(server, { poolSize: 2 });
  try {
    await client.connect();
    const reply = client.call(...(busyFor(300) as [string, ...string[]]));
    let answered = false;
    void reply.then(() => (answered = true));
    await until(() => events.filter((event) => event.type === 'connection.created').length === 2, 1000, 'the second connection');
    assert.not.ok(answered, 'created while the first command still ran');
    assert.is(await reply, 1);
  } finally {
    await client.close();
  }
});

test.run();
