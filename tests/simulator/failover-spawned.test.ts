import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encode, plain } from '../helpers/raw-resp-client.js';
import { kinds, nextEvent, port, rig, settle } from './support.js';

test('a spawned failover promotes the replica: FAILING_OVER, commands held then answered by the new primary, FAILED_OVER, data kept', async () => {
  const r = await rig({ spawn: true });
  try {
    const before = r.sim.upstream;
    const c = await r.optedIn('internal-ip');
    await c.send(['SET', 'fo:key', 'kept'], ['RPUSH', 'fo:list', 'a', 'b', 'c']);
    const named = await r.optedIn('internal-ip');
    await named.send(['CLIENT', 'SETNAME', 'carried'], ['SELECT', '2'], ['SET', 'fo:db2', 'two']);
    assert.equal(plain(await named.command('CONFIG', 'GET', 'port')), ['port', String(port(before))]);

    const promoting = nextEvent(r.sim, 'action.step', (event) => event.step === 'promoting');
    const promoted = nextEvent(r.sim, 'action.step', (event) => event.step === 'promoted', 15_000);
    const done = r.sim.run({ type: 'failover', parameters: { time_s: 3 } });
    await c.waitForPush((push) => push.elements[0]?.value === 'FAILING_OVER');
    await promoting;
    const during = c.send(['INCR', 'fo:counter'], ['GET', 'fo:key']);
    const answeredAt = during.then(() => Date.now());
    const result = await done;
    assert.equal((await during).map(plain), [1, 'kept'], 'held during the failover, answered after it');
    // Timed by the replies: they came from the new primary, after the promotion, not before it.
    const promotedAt = (await promoted).at;
    assert.ok((await answeredAt) >= promotedAt, `answered ${promotedAt - (await answeredAt)} ms before the promotion finished`);

    const seq = result.output['seq'] as number;
    await settle(c, named);
    assert.equal(c.pushes.map((push) => push.raw.toString()), [
      `>4\r\n$12\r\nFAILING_OVER\r\n:${seq}\r\n:3\r\n$5\r\n["1"]\r\n`,
      `>3\r\n$11\r\nFAILED_OVER\r\n:${seq}\r\n$5\r\n["1"]\r\n`,
    ]);
    assert.equal(kinds(c.pushes[0]!.elements), ['$', ':', ':', '$']);
    assert.equal(kinds(c.pushes[1]!.elements), ['$', ':', '$']);

    assert.is.not(r.sim.upstream, before);
    assert.equal(result.output['to'], r.sim.upstream);
    assert.equal(plain(await c.command('LRANGE', 'fo:list', '0', '-1')), ['a', 'b', 'c']);
    assert.equal(plain(await c.command('SET', 'fo:after', 'writable')), 'OK', 'the new primary takes writes');
    assert.is((plain(await c.command('ROLE')) as unknown[])[0], 'master');
    assert.equal(plain(await named.command('CONFIG', 'GET', 'port')), ['port', String(port(r.sim.upstream))]);
    assert.is(plain(await named.command('GET', 'fo:db2')), 'two', 'the SELECTed db was carried to the new server');
    assert.is(plain(await named.command('CLIENT', 'GETNAME')), 'carried', 'so was the client name');
    assert.is(r.infoOf(named)?.upstream, r.sim.upstream);
  } finally {
    await r.teardown();
  }
});

test('a second failover goes back to the first server, which caught up as a replica', async () => {
  const r = await rig({ spawn: true });
  try {
    const first = r.sim.upstream;
    const c = await r.optedIn('internal-ip');
    await c.command('SET', 'fo2:a', '1');
    await r.sim.run({ type: 'failover', parameters: { time_s: 1 } });
    await c.command('SET', 'fo2:b', '2');
    const back = await r.sim.run({ type: 'failover', parameters: { time_s: 1 } });
    assert.is(back.output['to'], first);
    assert.is(r.sim.upstream, first);
    assert.equal(plain(await c.command('MGET', 'fo2:a', 'fo2:b')), ['1', '2']);
    const fresh = await r.client();
    assert.equal(plain(await fresh.command('CONFIG', 'GET', 'port')), ['port', String(port(first))], 'new connections go to the current primary');
  } finally {
    await r.teardown();
  }
});

test('subscriptions are carried over a spawned failover, with no stray confirmations (RESP3 and RESP2)', async () => {
  const r = await rig({ spawn: true });
  try {
    const resp3 = await r.optedIn('internal-ip');
    await resp3.sendRaw(Buffer.concat([encode(['SUBSCRIBE', 'fo:ch', 'fo:gone']), encode(['PSUBSCRIBE', 'fo:p*']), encode(['UNSUBSCRIBE', 'fo:gone'])]), 0);
    await resp3.waitForPush((push) => push.elements[0]?.value === 'unsubscribe');
    const resp2 = await r.client();
    const [confirmation] = await resp2.send(['SUBSCRIBE', 'fo:ch2']);
    assert.equal(plain(confirmation!), ['subscribe', 'fo:ch2', 1]);

    await r.sim.run({ type: 'failover', parameters: { time_s: 1 } });
    const publisher = await r.client();
    assert.is(plain(await publisher.command('PUBLISH', 'fo:ch', 'one')), 1, 'the new primary knows the subscriber');
    assert.is(plain(await publisher.command('PUBLISH', 'fo:px', 'two')), 1);
    assert.is(plain(await publisher.command('PUBLISH', 'fo:gone', 'nobody')), 0, 'an unsubscribed channel stays unsubscribed');
    assert.is(plain(await publisher.command('PUBLISH', 'fo:ch2', 'three')), 1);
    await resp3.waitForPush((push) => push.elements[0]?.value === 'pmessage');
    const types = resp3.pushes.map((push) => push.elements[0]?.value);
    assert.equal(types, ['subscribe', 'subscribe', 'psubscribe', 'unsubscribe', 'FAILING_OVER', 'FAILED_OVER', 'message', 'pmessage']);
    assert.equal(plain(await resp2.sendRaw('', 1).then((replies) => replies[0]!)), ['message', 'fo:ch2', 'three'], 'RESP2: the message, not a stray confirmation');
  } finally {
    await r.teardown();
  }
});

test.run();
