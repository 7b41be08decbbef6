import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TransactionError, UsageError, type LifecycleEvent, type MaintClient } from '../../src/index.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { clientFor, until } from '../helpers/client.js';

async function withServer(run: (server: RedisProcess, client: MaintClient, other: MaintClient, events: LifecycleEvent[]) => Promise<void>, options = {}): Promise<void> {
  const server = await startRedis();
  const { client, events } = clientFor(server, { poolSize: 1, ...options });
  const { client: other } = clientFor(server, { poolSize: 1 });
  try {
    await client.connect();
    await other.connect();
    await run(server, client, other, events);
  } finally {
    await client.close();
    await other.close();
    await server.stop();
  }
}

const failure = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as Error);

test('watch: reads on the watched connection, MULTI … EXEC there, replies returned (maintenance disabled)', () =>
  withServer(
    async (_server, client) => {
      await client.set('balance:1', '100');
      const replies = await client.watch(['balance:1'], async (tx) => {
        const balance = Number(await tx.get('balance:1'));
        return tx.multi([['SET', 'balance:1', balance - 10], ['GET', 'balance:1']]);
      });
      assert.equal(replies, ['OK', '90']);
      assert.is(await client.get('balance:1'), '90');
      assert.is(client.state().connections.filter((c) => c.dedicated).length, 1, 'on a leased (dedicated) connection');
    },
    { maintNotifications: { mode: 'disabled' } },
  ));

test('a watched key changed by another client: ERR_TRANSACTION_ABORTED, nothing applied; with retries the callback runs again', () =>
  withServer(async (_server, client, other) => {
    await client.set('k', '1');
    const error = await failure(
      client.watch(['k'], async (tx) => {
        await tx.get('k');
        await other.set('k', 'changed');
        return tx.multi([['SET', 'k', 'mine']]);
      }),
    );
    assert.instance(error, TransactionError);
    assert.is((error as TransactionError).code, 'ERR_TRANSACTION_ABORTED');
    assert.is(await client.get('k'), 'changed');
    let runs = 0;
    const replies = await client.watch(
      ['k'],
      async (tx) => {
        runs++;
        const value = await tx.get('k');
        if (runs === 1) await other.set('k', 'again');
        return tx.multi([['SET', 'k', `${value}+1`]]);
      },
      { retries: 2 },
    );
    assert.is(runs, 2);
    assert.equal(replies, ['OK']);
    assert.is(await client.get('k'), 'again+1');
  }));

test('a failed command inside EXEC is not retried (it ran); its replies are attached', () =>
  withServer(async (_server, client) => {
    await client.set('text', 'abc');
    let runs = 0;
    const error = await failure(
      client.watch(['text'], async (tx) => {
        runs++;
        return tx.multi([['SET', 'n', '1'], ['INCR', 'text']]);
      }, { retries: 3 }),
    );
    assert.instance(error, TransactionError);
    assert.is(runs, 1);
    assert.is((error as TransactionError).replies[0], 'OK');
  }));

test('a callback that throws: the error comes out and the connection is UNWATCHed before it is lent again', () =>
  withServer(async (_server, client, other) => {
    const boom = new Error('boom');
    const error = await failure(
      client.watch(['guarded'], async (tx) => {
        await tx.get('guarded');
        throw boom;
      }),
    );
    assert.is(error, boom);
    // Had the WATCH stayed, this change would abort the next transaction on the same connection.
    await other.set('guarded', 'x');
    const replies = await client.watch(['other'], (tx) => tx.multi([['SET', 'other', '1']]));
    assert.equal(replies, ['OK']);
    assert.is(client.state().connections.filter((c) => c.dedicated).length, 1, 'the same leased connection');
  }));

test('the watched connection lost between WATCH and EXEC: ERR_WATCH_INTERRUPTED, EXEC never sent; retries run it again', () =>
  withServer(async (_server, client, other, events) => {
    await client.set('n', '5');
    const killThenWrite = (retries: number) => {
      let runs = 0;
      return {
        runs: () => runs,
        result: client.watch(
          ['n'],
          async (tx) => {
            runs++;
            const value = Number(await tx.get('n'));
            if (runs === 1) {
              const id = await tx.call('CLIENT', 'ID');
              const lost = events.filter((e) => e.type === 'connection.lost').length;
              await other.call('CLIENT', 'KILL', 'ID', String(id));
              await until(() => events.filter((e) => e.type === 'connection.lost').length > lost, 2000, 'the loss to be seen');
            }
            return tx.multi([['SET', 'n', value + 1]]);
          },
          { retries },
        ),
      };
    };
    const first = killThenWrite(0);
    const error = (await failure(first.result)) as TransactionError;
    assert.instance(error, TransactionError);
    assert.is(error.code, 'ERR_WATCH_INTERRUPTED');
    assert.ok(error.retryable && !error.sent, 'retryable, not sent');
    assert.is(await client.get('n'), '5', 'nothing executed');
    const second = killThenWrite(1);
    assert.equal(await second.result, ['OK']);
    assert.is(second.runs(), 2);
    assert.is(await client.get('n'), '6');
  }));

test('misuse: bad arguments, multi twice, tx after the callback, WATCH/UNWATCH/CLIENT TRACKING through call()', () =>
  withServer(async (_server, client) => {
    for (const bad of [
      client.watch([], async () => 1),
      client.watch([null as never], async () => 1),
      client.watch(['k'], 'nope' as never),
      client.watch(['k'], async () => 1, { retries: -1 }),
      client.watch(['k'], async () => 1, { retries: 1.5 }),
    ]) {
      const error = await failure(bad);
      assert.instance(error, UsageError);
      assert.is((error as UsageError).code, 'ERR_INVALID_ARGUMENT');
    }
    const twice = await failure(
      client.watch(['k'], async (tx) => {
        await tx.multi([['SET', 'k', '1']]);
        return tx.multi([['SET', 'k', '2']]);
      }),
    );
    assert.match(twice?.message ?? '', /once/);
    let leaked: Parameters<Parameters<MaintClient['watch']>[1]>[0] | undefined;
    await client.watch(['k'], async (tx) => {
      leaked = tx;
    });
    assert.instance(await failure(leaked!.get('k')), UsageError);
    assert.instance(await failure(client.watch(['k'], (tx) => tx.call(''))), UsageError);
    assert.instance(await failure(client.watch(['k'], (tx) => tx.call('GET', null as never))), UsageError);
    assert.match((await failure(client.watch(['k'], (tx) => tx.call('SELECT', '1'))))?.message ?? '', /inside watch\(\)/);
    assert.equal(await client.watch(['k'], async (tx) => [await tx.call('WATCH', 'k2'), await tx.call('BLPOP', 'nothing', '0.01')]), ['OK', null]);
    const inside = await failure(client.watch(['k'], (tx) => tx.call('EXEC')));
    assert.match(inside?.message ?? '', /tx\.multi/);
    assert.instance(await failure(client.watch(['k'], (tx) => tx.multi([['SELECT', '1']]))), UsageError);
    for (const [command, ...args] of [['WATCH', 'k'], ['UNWATCH'], ['CLIENT', 'TRACKING', 'ON']] as const) {
      const error = await failure(client.call(command, ...args));
      assert.instance(error, UsageError);
      assert.match(error?.message ?? '', command === 'CLIENT' ? /clientSideCache/ : /client\.watch/);
    }
  }));

test('after a plain redis-server restart, watch() works again', async () => {
  let server = await startRedis();
  const port = server.port;
  const { client } = clientFor(server, { poolSize: 1, connectTimeout: 300 });
  try {
    await client.connect();
    assert.equal(await client.watch(['r'], (tx) => tx.multi([['SET', 'r', '1']])), ['OK']);
    await server.kill();
    server = await startRedis({ port });
    await until(() => client.state().connections.every((c) => c.state === 'idle'), 5000, 'reconnected');
    const replies = await client.watch(['r'], async (tx) => tx.multi([['INCR', 'r']]), { retries: 3 });
    assert.equal(replies, [1]);
  } finally {
    await client.close();
    await server.stop();
  }
});

test.run();
