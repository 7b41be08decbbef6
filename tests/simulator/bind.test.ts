import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plain, type RawRespClient } from '../helpers/raw-resp-client.js';
import { dial, kinds, nextEvent, port, rig, settle, sleep } from './support.js';

test('MOVING names the new endpoint the way each connection asked for it; a connection that never opted in hears nothing', async () => {
  const r = await rig();
  try {
    const [from, to] = r.sim.endpoints as [string, string];
    const types = ['internal-ip', 'external-ip', 'internal-fqdn', 'external-fqdn', 'none'] as const;
    const clients = await Promise.all(types.map((type) => r.optedIn(type, from)));
    const silent = await r.optedIn(null, from);
    const elsewhere = await r.optedIn('internal-ip', to);
    const result = await r.sim.run({ type: 'bind', parameters: { time_s: 2, serve_s: 0.2, close_s: 0.3 } });
    const seq = result.output['seq'] as number;
    const expectedEndpoint: Record<(typeof types)[number], string | null> = {
      'internal-ip': `127.0.0.1:${port(to)}`,
      'external-ip': `127.0.0.1:${port(to)}`,
      'internal-fqdn': `localhost:${port(to)}`,
      'external-fqdn': `localhost:${port(to)}`,
      none: null,
    };
    types.forEach((type, i) => {
      const client = clients[i] as RawRespClient;
      assert.is(client.pushes.length, 1, `${type}: exactly one push`);
      const push = client.pushes[0]!;
      const endpoint = expectedEndpoint[type];
      const wire = `>4\r\n$6\r\nMOVING\r\n:${seq}\r\n:2\r\n${endpoint === null ? '_\r\n' : `$${endpoint.length}\r\n${endpoint}\r\n`}`;
      assert.is(push.raw.toString(), wire, `${type}: exact bytes`);
      assert.equal(kinds(push.elements), ['$', ':', ':', endpoint === null ? '_' : '$']);
      assert.equal(push.elements.map(plain), ['MOVING', seq, 2, endpoint]);
    });
    await settle(elsewhere);
    assert.is(silent.pushes.length, 0, 'no opt-in, no notification');
    assert.is(elsewhere.pushes.length, 0, 'connections on other endpoints are not moved');
    assert.is(r.sim.activeEndpoint, to);
  } finally {
    await r.teardown();
  }
});

test('with retire: the old endpoint serves, then holds, then cuts its connections at the deadline and stops accepting', async () => {
  const r = await rig();
  try {
    const [from, to] = r.sim.endpoints as [string, string];
    const stayer = await r.optedIn('internal-ip', from);
    const closedEvent = nextEvent(r.sim, 'connection.closed', (event) => event.endpoint === from, 10_000);
    const started = Date.now();
    const done = r.sim.run({ type: 'bind', parameters: { time_s: 1, serve_s: 0.6, close_s: 1, retire: true } });
    await stayer.waitForPush((push) => push.elements[0]?.value === 'MOVING');
    assert.is(plain(await stayer.command('PING')), 'PONG', 'still served right after MOVING');
    await nextEvent(r.sim, 'action.step', (event) => event.step === 'old-endpoint-stopped-serving');
    const held = stayer.command('SET', 'bind:late', 'x').then(
      () => 'answered',
      () => 'cut',
    );
    await done;
    assert.is(await held, 'cut', 'a command sent after the serving window is never answered: the socket is cut');
    await stayer.closed;
    assert.ok(Date.now() - started >= 950, 'not cut before close_s');
    assert.is((await closedEvent).reason, 'endpoint retired');
    assert.is(await dial(from), 'ECONNREFUSED');
    assert.is(await dial(to), 'connected');
    const checker = await r.client(to);
    assert.is(plain(await checker.command('EXISTS', 'bind:late')), 0, 'the held write never reached the server');
  } finally {
    await r.teardown();
  }
});

test('a connection opened on the old endpoint during the window is told, with the time left, after its +OK', async () => {
  const r = await rig();
  try {
    const [from, to] = r.sim.endpoints as [string, string];
    const done = r.sim.run({ type: 'bind', parameters: { time_s: 3, serve_s: 2.5, close_s: 2.6 } });
    await nextEvent(r.sim, 'action.step', (event) => event.step === 'moving-sent');
    await sleep(1050);
    const late = await r.client(from);
    const replies = await late.send(['HELLO', '3'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'internal-ip'], ['PING']);
    assert.equal(replies.slice(1).map(plain), ['OK', 'PONG']);
    const push = await late.waitForPush((p) => p.elements[0]?.value === 'MOVING');
    assert.ok(push.afterReplies >= 2, 'the MOVING comes after the +OK');
    const left = plain(push.elements[2]!) as number;
    assert.ok(left >= 1 && left <= 2, `the time left is announced, not the full 3 s (got ${left})`);
    assert.is(plain(push.elements[3]!), `127.0.0.1:${port(to)}`);
    const notOptedIn = await r.client(from);
    await notOptedIn.command('PING');
    await done;
    assert.is(notOptedIn.pushes.length, 0);
  } finally {
    await r.teardown();
  }
});

test('data written through either endpoint is visible through the other, and a later bind moves back', async () => {
  const r = await rig();
  try {
    const [first, second] = r.sim.endpoints as [string, string];
    const a = await r.optedIn('internal-ip', first);
    const b = await r.optedIn('internal-ip', second);
    await a.command('SET', 'bind:from-first', '1');
    assert.is(plain(await b.command('GET', 'bind:from-first')), '1');
    const moved = r.sim.run({ type: 'bind', parameters: { time_s: 1, serve_s: 0.8, close_s: 0.9, retire: true } });
    await a.waitForPush((push) => push.elements[0]?.value === 'MOVING');
    await b.command('SET', 'bind:from-second', '2');
    assert.is(plain(await a.command('GET', 'bind:from-second')), '2', 'the old endpoint still serves the same data');
    await moved;
    assert.is(await dial(first), 'ECONNREFUSED');

    const back = await r.sim.run({ type: 'moving', parameters: { time_s: 1, serve_s: 0.1, close_s: 0.2, endpoint: first } });
    assert.equal([back.output['from'], back.output['to']], [second, first]);
    assert.ok(b.pushes.some((push) => plain(push.elements[3]!) === `127.0.0.1:${port(first)}`));
    const c = await r.client(first);
    assert.equal([plain(await c.command('GET', 'bind:from-first')), plain(await c.command('GET', 'bind:from-second'))], ['1', '2']);
    assert.is(r.sim.activeEndpoint, first);
  } finally {
    await r.teardown();
  }
});

test('refuse_target_s: the target refuses dials for that long after the MOVING, then accepts', async () => {
  const r = await rig();
  try {
    const [, to] = r.sim.endpoints as [string, string];
    const c = await r.optedIn('internal-ip');
    const done = r.sim.run({ type: 'bind', parameters: { time_s: 1, serve_s: 0.8, close_s: 0.9, refuse_target_s: 0.4 } });
    const movedAt = Date.now();
    await c.waitForPush((push) => push.elements[0]?.value === 'MOVING');
    assert.is(await dial(to), 'ECONNREFUSED', 'refused right after the MOVING');
    while (Date.now() - movedAt < 300) await sleep(20);
    assert.is(await dial(to), 'ECONNREFUSED', 'still refused 0.3 s in');
    while (Date.now() - movedAt < 550) await sleep(20);
    assert.is(await dial(to), 'connected', 'accepting after 0.4 s');
    await done;
  } finally {
    await r.teardown();
  }
});

test('stall_target_s: the target accepts but answers nothing for that long', async () => {
  const r = await rig();
  try {
    const [, to] = r.sim.endpoints as [string, string];
    const c = await r.optedIn('internal-ip');
    const done = r.sim.run({ type: 'bind', parameters: { time_s: 1, serve_s: 0.8, close_s: 0.9, stall_target_s: 0.5 } });
    await c.waitForPush((push) => push.elements[0]?.value === 'MOVING');
    const target = await r.client(to);
    const sentAt = Date.now();
    assert.is(plain(await target.command('PING')), 'PONG');
    assert.ok(Date.now() - sentAt >= 350, `answered after the stall (${Date.now() - sentAt} ms)`);
    await done;
  } finally {
    await r.teardown();
  }
});

test('bind parameters are checked: serve_s and dns_follows_s at most close_s, a second endpoint needed', async () => {
  const r = await rig();
  try {
    for (const [parameters, option] of [
      [{ serve_s: 2, close_s: 1 }, 'parameters.serve_s'],
      [{ dns_follows_s: 2, close_s: 1 }, 'parameters.dns_follows_s'],
    ] as const) {
      await r.sim.run({ type: 'bind', parameters }).then(
        () => assert.unreachable(`${JSON.stringify(parameters)} should be refused`),
        (error: Error & { option?: string }) => {
          assert.is(error.name, 'ConfigError');
          assert.is(error.option, option);
        },
      );
    }
    assert.is(r.sim.activeEndpoint, r.sim.endpoints[0], 'nothing moved');
  } finally {
    await r.teardown();
  }
});

test.run();
