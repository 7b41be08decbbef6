import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, take, toArray } from 'rxjs';
import type { PubSubMessage } from '../../src/index.js';
import { clientFor, openHandles, until } from '../helpers/client.js';
import { startRedis } from '../helpers/redis.js';

test('subscribe, psubscribe, ssubscribe: confirmed before they resolve, messages delivered in order, publish counts receivers', async () => {
  const server = await startRedis();
  const { client, events } = clientFor(server);
  try {
    await client.connect();
    const got: PubSubMessage[] = [];
    const off = await client.subscribe(['b:orders', 'b:audit'], (message) => got.push(message));
    const offPattern = await client.psubscribe(['b:p.*'], (message) => got.push(message));
    const offShard = await client.ssubscribe(['b:{cart}'], (message) => got.push(message));
    const offTwo = await client.ssubscribe(['b:{x}', 'b:{y}'], () => {}); // one SSUBSCRIBE per shard channel
    assert.is(await client.spublish('b:{y}', 'two'), 1);
    await offTwo();
    assert.is(await client.spublish('b:{y}', 'gone'), 0);
    assert.is(await client.publish('b:orders', 'paid'), 1, 'the subscription was confirmed when subscribe() resolved');
    assert.is(await client.publish('b:audit', 'seen'), 1);
    assert.is(await client.publish('b:p.x', 'pattern'), 1);
    assert.is(await client.spublish('b:{cart}', 'shard'), 1);
    await until(() => got.length === 4, 2000, 'four messages');
    assert.equal(got, [
      { kind: 'message', channel: 'b:orders', message: 'paid' },
      { kind: 'message', channel: 'b:audit', message: 'seen' },
      { kind: 'pmessage', channel: 'b:p.x', pattern: 'b:p.*', message: 'pattern' },
      { kind: 'smessage', channel: 'b:{cart}', message: 'shard' },
    ]);
    await off();
    assert.is(await client.publish('b:orders', 'gone'), 0, 'unsubscribed once the remover resolved');
    await offPattern();
    await offShard();
    assert.is(await client.publish('b:p.y', 'gone'), 0);
    assert.ok(events.some((e) => e.type === 'pubsub.connected'));
  } finally {
    await client.close();
    await server.stop();
  }
});

test('subscribe$: SUBSCRIBE with the first subscriber, UNSUBSCRIBE with the last, beside a pattern on the same socket', async () => {
  const server = await startRedis();
  const { client } = clientFor(server);
  try {
    await client.connect();
    const everything: PubSubMessage[] = [];
    await client.psubscribe(['*'], (message) => everything.push(message));
    const messages$ = client.subscribe$('s:one');
    const first: string[] = [];
    const second: string[] = [];
    const a = messages$.subscribe((m) => first.push(m.message));
    const b = messages$.subscribe((m) => second.push(m.message));
    await waitForReceivers(client, 's:one', 1);
    await client.publish('s:one', '1');
    await until(() => first.length === 1 && second.length === 1, 2000, 'both subscribers');
    a.unsubscribe();
    await client.publish('s:one', '2');
    await until(() => second.length === 2, 2000, 'the second subscriber still gets messages');
    assert.equal(first, ['1'], 'the first stopped at once');
    assert.is(await client.publish('s:one', '3'), 2, 'the channel and the pattern: still subscribed while one subscriber is left');
    await until(() => second.length === 3, 2000, 'the third message');
    b.unsubscribe();
    await waitForReceivers(client, 's:one', 0);
    assert.is(await client.publish('s:one', '4'), 1, 'only the pattern is left');
    await until(() => everything.length === 4, 2000, 'the pattern saw all four');
    assert.equal(second, ['1', '2', '3']);
  } finally {
    await client.close();
    await server.stop();
  }
});

test('subscribeBuffer$ and { buffers: true } deliver binary-safe Buffers', async () => {
  const server = await startRedis();
  const { client } = clientFor(server);
  try {
    await client.connect();
    const bytes = Buffer.from([0, 255, 128, 10, 13]);
    const buffered = firstValueFrom(client.subscribeBuffer$('bin:ch').pipe(take(1)));
    const viaListener: Buffer[] = [];
    await client.subscribe(['bin:ch'], (m) => viaListener.push(m.message), { buffers: true });
    await waitForReceivers(client, 'bin:ch', 1);
    await client.publish('bin:ch', bytes);
    const message = await buffered;
    assert.ok(Buffer.isBuffer(message.message));
    assert.ok(message.message.equals(bytes));
    await until(() => viaListener.length === 1, 2000);
    assert.ok((viaListener[0] as Buffer).equals(bytes));
  } finally {
    await client.close();
    await server.stop();
  }
});

test('the session machine is visible to the inspector like the pool machines', async () => {
  const server = await startRedis();
  const states: string[] = [];
  const inspect = (event: { type: string; snapshot?: { value?: unknown } }) => {
    if (event.type === '@xstate.snapshot') states.push(JSON.stringify(event.snapshot?.value));
  };
  const { client } = clientFor(server, { inspect });
  try {
    await client.connect();
    await client.subscribe(['i:ch'], () => {});
    assert.ok(states.includes('{"subscribed":"steady"}'), states.join(' '));
  } finally {
    await client.close();
    await server.stop();
  }
});

test('close() completes every stream and closes the subscriber socket; subscribing afterwards is refused', async () => {
  const before = openHandles();
  const server = await startRedis();
  const { client } = clientFor(server);
  try {
    await client.connect();
    const collected = client.subscribe$('c:ch').pipe(toArray());
    const done = firstValueFrom(collected);
    await waitForReceivers(client, 'c:ch', 1);
    await client.close();
    assert.equal(await done, [], 'the stream completed');
    const refused = await client.subscribe(['c:ch'], () => {}).then(() => null, (error: Error & { code?: string }) => error.code);
    assert.is(refused, 'ERR_CLIENT_CLOSED');
    const after = await new Promise<PubSubMessage[]>((resolve) => {
      const seen: PubSubMessage[] = [];
      client.subscribe$('c:ch').subscribe({ next: (m) => seen.push(m), complete: () => resolve(seen), error: () => resolve(seen) });
    });
    assert.equal(after, []);
  } finally {
    await client.close();
    await server.stop();
  }
  await until(() => openHandles().sockets <= before.sockets, 3000, 'sockets released');
});

async function waitForReceivers(client: { call(...args: string[]): Promise<unknown> }, channel: string, n: number): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const reply = (await client.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
    if (reply[1] === n) return;
    if (Date.now() > deadline) throw new Error(`${channel} has ${reply[1]} subscribers, not ${n}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test.run();
