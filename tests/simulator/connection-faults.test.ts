import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plain, RawRespClient } from '../helpers/raw-resp-client.js';
import { dial, nextEvent, rig } from './support.js';

test('refuse_target_s: dials to the new endpoint are refused for a while, then accepted', async () => {
  const r = await rig();
  try {
    const [from, to] = r.sim.endpoints as [string, string];
    const c = await r.optedIn('internal-ip', from);
    const done = r.sim.run({ type: 'bind', parameters: { time_s: 2, serve_s: 1, close_s: 1.1, refuse_target_s: 0.6 } });
    await c.waitForPush((push) => push.elements[0]?.value === 'MOVING');
    assert.is(await dial(to), 'ECONNREFUSED');
    await nextEvent(r.sim, 'endpoint.state', (event) => event.endpoint === to && event.state === 'serving');
    const moved = await r.client(to);
    assert.is(plain(await moved.command('PING')), 'PONG');
    await done;
  } finally {
    await r.teardown();
  }
});

test('stall_target_s: dials to the new endpoint connect but are not served until the stall ends', async () => {
  const r = await rig();
  try {
    const [from, to] = r.sim.endpoints as [string, string];
    await r.optedIn('internal-ip', from);
    const done = r.sim.run({ type: 'bind', parameters: { time_s: 2, serve_s: 0.8, close_s: 0.9, stall_target_s: 0.6 } });
    const moving = await nextEvent(r.sim, 'action.step', (event) => event.step === 'moving-sent');
    const moved = await r.client(to);
    const reply = moved.command('PING');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.is(r.infoOf(moved)?.held, true, 'the dial is accepted but held');
    assert.is(plain(await reply), 'PONG');
    assert.ok(Date.now() - moving.at >= 590, 'answered only once the stall ended');
    await done;
  } finally {
    await r.teardown();
  }
});

test('cut ends a connection in the middle of a reply; other connections carry on', async () => {
  const r = await rig();
  try {
    const c = await r.client();
    const bystander = await r.client();
    const big = 'x'.repeat(200_000);
    await c.command('SET', 'cut:big', big);
    const id = r.infoOf(c)?.id as string;
    const cut = r.sim.run({ type: 'cut', parameters: { connection_id: id } });
    await nextEvent(r.sim, 'action.step', (event) => event.step === 'armed');
    const reply = c.command('GET', 'cut:big').then(() => 'answered', () => 'cut');
    assert.equal((await cut).output['cut'], [id]);
    assert.is(await reply, 'cut');
    await c.closed;
    assert.is(c.replies.length, 1, 'only the SET reply arrived whole');
    assert.is(plain(await bystander.command('STRLEN', 'cut:big')), big.length);
  } finally {
    await r.teardown();
  }
});

test('cut waits for a reply to cut and fails when none comes in time; mid_reply false cuts at once', async () => {
  const r = await rig();
  try {
    const idle = await r.client();
    const id = r.infoOf(idle)?.id as string;
    try {
      await r.sim.run({ type: 'cut', parameters: { connection_id: id, timeout_s: 0.2 } });
      assert.unreachable('should fail');
    } catch (error) {
      assert.match((error as Error).message, 'no reply to cut');
    }
    assert.is(plain(await idle.command('PING')), 'PONG', 'a cut that gave up is disarmed');
    await r.sim.run({ type: 'cut', parameters: { connection_id: id, mid_reply: false } });
    await idle.closed;
    await r.sim.run({ type: 'cut', parameters: { connection_id: 'c999' } }).then(
      () => assert.unreachable('unknown connection'),
      (error: Error) => assert.match(error.message, 'no open connection c999'),
    );
  } finally {
    await r.teardown();
  }
});

test('latency delays every reply until removed', async () => {
  const r = await rig();
  try {
    const c = await r.client();
    await r.sim.run({ type: 'latency', parameters: { delay_ms: 120 } });
    const late = await RawRespClient.connect(r.sim.activeEndpoint);
    r.clients.push(late);
    for (const client of [c, late]) {
      const sent = Date.now();
      assert.is(plain(await client.command('PING')), 'PONG');
      assert.ok(Date.now() - sent >= 110, 'slowed, including connections opened after the fault');
    }
    await r.sim.run({ type: 'latency', parameters: { delay_ms: 0 } });
    const timed = await r.sim.run({ type: 'latency', parameters: { delay_ms: 50, duration_s: 0.1 } });
    assert.equal(timed.output, { delay_ms: 50, duration_s: 0.1 });
    assert.is(plain(await c.command('PING')), 'PONG');
    await r.sim.run({ type: 'latency', parameters: {} as never }).then(
      () => assert.unreachable('delay_ms is required'),
      (error: Error) => assert.match(error.message, 'parameters.delay_ms'),
    );
  } finally {
    await r.teardown();
  }
});

test.run();
