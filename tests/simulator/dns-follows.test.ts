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

test.run();
