import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plain } from '../helpers/raw-resp-client.js';
import { rig } from './support.js';

test('bind with dns_follows_s: the old address keeps accepting; connections opened after DNS followed are neither told, held nor cut', async () => {
  const r = await rig();
  try {
    const [from] = r.sim.endpoints as [string, string];
    const before = await r.optedIn('none', from);
    const done = r.sim.run({ type: 'bind', parameters: { time_s: 2, serve_s: 0.4, close_s: 0.8, dns_follows_s: 0.2 } });
    await before.waitForPush((push) => push.elements[0]?.value === 'MOVING');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await r.optedIn('none', from);
    await done;
    await before.closed;
    assert.is(plain(await after.command('SET', 'dns:k', 'v')), 'OK', 'the re-pointed address serves new connections');
    assert.is(after.pushes.length, 0, 'not told: it reached the new node');
    assert.ok(r.sim.connections().some((c) => c.endpoint === from), 'the later connection is still open after close_s');
  } finally {
    await r.teardown();
  }
});

test('dns_follows_s after close_s is rejected', async () => {
  const r = await rig();
  try {
    await r.sim.run({ type: 'bind', parameters: { time_s: 1, close_s: 0.5, dns_follows_s: 0.6 } }).then(
      () => assert.unreachable('must be rejected'),
      (error: Error) => assert.match(error.message, /dns_follows_s/),
    );
  } finally {
    await r.teardown();
  }
});

test('by default the old address follows the move: it keeps accepting, and a later bind tells the connections that reached it after the first one', async () => {
  const r = await rig();
  try {
    const [first, second] = r.sim.endpoints as [string, string];
    const early = await r.optedIn('internal-ip', first);
    const bound = await r.sim.run({ type: 'bind', parameters: { time_s: 1, serve_s: 0.3, close_s: 0.4 } });
    assert.is(bound.output['retired'], false);
    await early.closed;
    const late = await r.optedIn('internal-ip', first);
    assert.is(r.infoOf(late)?.node, second, 'the configured address now leads to the new node');
    assert.is(late.pushes.length, 0);
    const another = await r.optedIn('internal-ip', first);
    const back = r.sim.run({ type: 'bind', parameters: { time_s: 1, serve_s: 0.3, close_s: 0.4 } });
    const push = await late.waitForPush((p) => p.elements[0]?.value === 'MOVING');
    assert.is(plain(push.elements[3]!), first, 'told to move to the node the database moves to');
    await back;
    assert.is(another.pushes.length, 1, 'every connection not on the target is told, wherever it is');
  } finally {
    await r.teardown();
  }
});

test('retire: true and dns_follows_s together are rejected', async () => {
  const r = await rig();
  try {
    await r.sim.run({ type: 'bind', parameters: { retire: true, dns_follows_s: 0.1 } }).then(
      () => assert.unreachable('must be rejected'),
      (error: Error) => assert.match(error.message, /dns_follows_s.*retire/),
    );
  } finally {
    await r.teardown();
  }
});

test.run();
