import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plain } from '../helpers/raw-resp-client.js';
import { nextEvent, rig, settle } from './support.js';

const PUSH = (n: number) => `>2\r\n$6\r\nINJECT\r\n:${n}\r\n`;

test('injected frames never split a reply under a concurrent pipelined load of large values', async () => {
  const r = await rig();
  try {
    const readers = await Promise.all([r.client(), r.client()]);
    const values = Array.from({ length: 8 }, (_, i) => String.fromCharCode(97 + i).repeat(300_000 + i * 7919));
    await readers[0]!.send(...values.map((value, i) => ['SET', `inj:${i}`, value]));
    let injected = 0;
    let loading = true;
    const storm = (async () => {
      while (loading) {
        r.sim.inject(PUSH(injected++));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const rounds = await Promise.all(
      readers.map(async (client) => {
        for (let round = 0; round < 5; round++) {
          const replies = await client.send(...values.map((_, i) => ['GET', `inj:${i}`]), ['PING']);
          replies.slice(0, -1).forEach((reply, i) => assert.ok(reply.kind === '$' && reply.value === values[i], `value ${i} intact`));
          assert.is(plain(replies.at(-1)!), 'PONG');
        }
      }),
    );
    loading = false;
    await storm;
    assert.is(rounds.length, 2);
    await settle(...readers);
    for (const client of readers) {
      assert.is(client.pushes.length, injected, 'every injected frame arrived whole');
      assert.equal(client.pushes.map((push) => plain(push.elements[1]!)), Array.from({ length: injected }, (_, n) => n), 'in order');
      assert.ok(client.pushes.every((push) => push.raw.toString() === PUSH(plain(push.elements[1]!) as number)));
    }
    assert.ok(injected > 10, `the storm ran during the load (${injected} frames)`);
  } finally {
    await r.teardown();
  }
});

test('raw injection reaches one connection or all, is logged per connection and reported as frame.sent', async () => {
  const r = await rig();
  try {
    const a = await r.client();
    const b = await r.client();
    const idA = r.infoOf(a)!.id;
    const sentEvent = nextEvent(r.sim, 'frame.sent', (event) => event.connectionId === idA);
    assert.equal(r.sim.inject(Buffer.from(PUSH(1)), { connectionId: idA }), [idA]);
    const event = await sentEvent;
    assert.equal([event.frameType, event.seq, event.bytes.toString()], ['raw', null, PUSH(1)]);
    const all = r.sim.inject(PUSH(2));
    assert.equal(all.sort(), [idA, r.infoOf(b)!.id].sort());
    await settle(a, b);
    assert.equal(a.pushes.map((push) => push.raw.toString()), [PUSH(1), PUSH(2)]);
    assert.equal(b.pushes.map((push) => push.raw.toString()), [PUSH(2)]);
    assert.equal(r.infoOf(a)!.sent.map((frame) => frame.bytes.toString()), [PUSH(1), PUSH(2)]);
    assert.throws(() => r.sim.inject(PUSH(3), { connectionId: 'c404' }), /no open connection c404/);
  } finally {
    await r.teardown();
  }
});

test('any bytes can be injected, even ones that break the client: that is the point of a fault', async () => {
  const r = await rig();
  try {
    const c = await r.client();
    await c.command('PING');
    r.sim.inject('+UNSOLICITED\r\n');
    const [reply] = await c.send(['ECHO', 'next']);
    assert.equal(plain(reply!), 'UNSOLICITED', 'the raw client takes the injected simple string as the next reply');
  } finally {
    await r.teardown();
  }
});

test('raw injection must be whole RESP frames: partial or garbage bytes are refused with a ConfigError and nothing is written', async () => {
  const r = await rig();
  try {
    const c = await r.client();
    await c.command('PING');
    for (const bad of ['>2\r\n$4\r\nTEST\r\n', '$10\r\nabc', '+OK', '?what\r\n', '+OK\r\n>1\r\n', '']) {
      assert.throws(() => r.sim.inject(bad), (error: Error) => error.name === 'ConfigError' && /complete RESP frames/.test(error.message), JSON.stringify(bad));
    }
    assert.equal(plain((await c.send(['ECHO', 'clean']))[0]!), 'clean', 'the stream was left untouched');
    assert.is(c.pushes.length, 0);
    assert.equal(r.infoOf(c)?.sent, []);
    assert.equal(r.sim.inject('>1\r\n$1\r\na\r\n>1\r\n$1\r\nb\r\n'), [r.infoOf(c)!.id], 'several whole frames are fine');
    await c.command('PING');
    assert.equal(c.pushes.map((push) => plain(push.elements[0]!)), ['a', 'b']);
  } finally {
    await r.teardown();
  }
});

test.run();
