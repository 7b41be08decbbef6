import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintClient, ConnectionError, RedisReplyError, UsageError, type RespArgument, type RespValue } from '../../src/index.js';
import { defineScript } from '../../src/commands/scripts.js';
import { scanKeys, SCAN_RETRIES } from '../../src/commands/scan.js';
import type { CommandCaller } from '../../src/commands/methods.js';
import { startRedis } from '../helpers/redis.js';
import { simulatedClient, count } from '../helpers/simulated.js';

test('scan iterators walk keys, hash fields, set members and sorted-set members once each', async () => {
  const server = await startRedis();
  const client = createMaintClient({ host: server.host, port: server.port, poolSize: 2, maintNotifications: { mode: 'disabled' } });
  try {
    await client.connect();
    await client.mset(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`it:k${i}`, String(i)])));
    await client.hset('it:h', Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`])));
    await client.sadd('it:s', ...Array.from({ length: 300 }, (_, i) => `m${i}`));
    await client.zadd('it:z', ...Array.from({ length: 300 }, (_, i) => [i, `z${i}`]).flat());
    const keys: string[] = [];
    for await (const key of client.scanIterator({ match: 'it:k*', count: 50 })) keys.push(key);
    assert.is(keys.length, 500);
    assert.is(new Set(keys).size, 500);
    const typed: string[] = [];
    for await (const key of client.scanIterator({ type: 'hash' })) typed.push(key);
    assert.equal(typed, ['it:h']);
    const fields = new Map<string, string>();
    for await (const [field, value] of client.hscanIterator('it:h', { count: 20 })) fields.set(field, value);
    assert.is(fields.size, 300);
    assert.is(fields.get('f7'), 'v7');
    let members = 0;
    for await (const member of client.sscanIterator('it:s', { match: 'm1*' })) members += member.startsWith('m1') ? 1 : 100;
    assert.is(members, 111);
    const scores = new Map<string, number>();
    for await (const [member, score] of client.zscanIterator('it:z')) scores.set(member, score);
    assert.is(scores.size, 300);
    assert.is(scores.get('z42'), 42);
  } finally {
    await client.close();
    await server.stop();
  }
});

test('a scan yields an item the server returns twice once, and retries a call lost to a reconnect with the same cursor', async () => {
  const sent: string[] = [];
  let failures = 1;
  const replies: RespValue[][] = [
    ['7', ['a', 'b']],
    ['0', ['b', 'c']],
  ];
  const caller: CommandCaller = {
    async call(_name: string, ...args: RespArgument[]) {
      sent.push(String(args[0]));
      if (sent.length === 2 && failures-- > 0) throw new ConnectionError('ERR_CONNECTION_LOST', 'lost', { retryable: true, sent: true });
      return replies.shift() as RespValue;
    },
    callBuffer: () => Promise.reject(new Error('unused')),
  };
  const keys: string[] = [];
  for await (const key of scanKeys(caller)) keys.push(key);
  assert.equal(keys, ['a', 'b', 'c']);
  assert.equal(sent, ['0', '7', '7']);

  let attempts = 0;
  const broken: CommandCaller = {
    call: () => {
      attempts++;
      return Promise.reject(new ConnectionError('ERR_CONNECTION_LOST', 'lost', { retryable: true }));
    },
    callBuffer: () => Promise.reject(new Error('unused')),
  };
  const walk = scanKeys(broken);
  await walk.next().then(
    () => assert.unreachable('the walk went on'),
    (error: unknown) => assert.ok(error instanceof ConnectionError),
  );
  assert.is(attempts, SCAN_RETRIES + 1);
});

test('defineScript sends EVALSHA, loads on NOSCRIPT once, and checks its definition and key count', async () => {
  const server = await startRedis();
  const client = createMaintClient({ host: server.host, port: server.port, poolSize: 1, maintNotifications: { mode: 'disabled' } });
  try {
    await client.connect();
    const add = client.defineScript({ lua: "return redis.call('INCRBY', KEYS[1], ARGV[1])", keys: 1 });
    assert.is(await add(['sc:n'], [5]), 5);
    assert.is(await add(['sc:n'], [5]), 10);
    const read = client.defineScript({ lua: "return redis.call('GET', KEYS[1])", readOnly: true });
    assert.is(await read(['sc:n']), '10');
    await client.call('SCRIPT', 'FLUSH');
    assert.is(await add(['sc:n'], [1]), 11, 'reloaded after the server forgot it');
    const info = String(await client.info('commandstats'));
    assert.match(info, /cmdstat_evalsha:calls=3/);
    assert.match(info, /cmdstat_eval:calls=2/);
    assert.match(info, /cmdstat_evalsha_ro:calls=1/);
    await add(['a', 'b']).then(
      () => assert.unreachable('wrong key count was sent'),
      (error: unknown) => assert.ok(error instanceof UsageError),
    );
    const failing = client.defineScript({ lua: "return redis.error_reply('BOOM no')" });
    await failing().then(
      () => assert.unreachable('an error reply resolved'),
      (error: unknown) => assert.ok(error instanceof RedisReplyError && error.prefix === 'BOOM'),
    );
    assert.throws(() => client.defineScript({ lua: '' }), (error: unknown) => error instanceof UsageError);
    assert.throws(() => client.defineScript({ lua: 'return 1', keys: -1 }), (error: unknown) => error instanceof UsageError);
    assert.throws(() => defineScript(client, null as never), (error: unknown) => error instanceof UsageError);
  } finally {
    await client.close();
    await server.stop();
  }
});

test('a script survives a failover to a node that never saw it (NOSCRIPT → loaded again), through the simulator', async () => {
  const setup = await simulatedClient({ poolSize: 1 });
  try {
    const add = setup.client.defineScript({ lua: "return redis.call('INCRBY', KEYS[1], ARGV[1])", keys: 1 });
    assert.is(await add(['sc:f'], [2]), 2);
    await setup.sim.run({ type: 'failover', parameters: { time_s: 1 } });
    assert.is(await add(['sc:f'], [3]), 5, 'ran once on the promoted replica');
    const info = String(await setup.client.info('commandstats'));
    assert.match(info, /cmdstat_eval:calls=1/, 'the promoted node had to load it');
    assert.is(await setup.client.get('sc:f'), '5');
    assert.is(count(setup.events, 'connection.lost') + count(setup.events, 'handoff.failed'), 0);
  } finally {
    await setup.close();
  }
});

test.run();
