import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plain } from '../helpers/raw-resp-client.js';
import { kinds, rig, settle } from './support.js';

test('drop_closing leaves out MIGRATED and FAILED_OVER', async () => {
  const r = await rig();
  try {
    const c = await r.optedIn('internal-ip');
    const migrate = await r.sim.run({ type: 'migrate', parameters: { duration_s: 0.1, delay_ms: 0, drop_closing: true } });
    const failover = await r.sim.run({ type: 'failover', parameters: { stall_s: 0.1, drop_closing: true } });
    await settle(c);
    assert.equal(c.pushes.map((push) => push.elements[0]?.value), ['MIGRATING', 'FAILING_OVER']);
    assert.is(migrate.output['migrated_sent'], false);
    assert.is(failover.output['failed_over_sent'], false);
    const sentTypes = r.infoOf(c)?.sent.map((frame) => frame.frameType);
    assert.equal(sentTypes, ['MIGRATING', 'FAILING_OVER'], 'the per-connection log shows what went out');
  } finally {
    await r.teardown();
  }
});

test('duplicate sends each notification twice with the same seq', async () => {
  const r = await rig();
  try {
    const c = await r.optedIn('internal-fqdn');
    const result = await r.sim.run({ type: 'migrate', parameters: { duration_s: 0.1, delay_ms: 0, duplicate: true } });
    await settle(c);
    const seq = result.output['seq'];
    assert.equal(c.pushes.map((push) => [push.elements[0]?.value, push.elements[1]?.value]), [
      ['MIGRATING', seq],
      ['MIGRATING', seq],
      ['MIGRATED', seq],
      ['MIGRATED', seq],
    ]);
    assert.is(c.pushes[0]!.raw.toString(), c.pushes[1]!.raw.toString());
  } finally {
    await r.teardown();
  }
});

test('malformed sends a readable push whose fields cannot be parsed, ahead of the real one, and the stream stays intact', async () => {
  const r = await rig();
  try {
    const [from] = r.sim.endpoints as [string, string];
    const c = await r.optedIn('internal-ip', from);
    const done = r.sim.run({ type: 'bind', parameters: { time_s: 1, serve_s: 0.2, close_s: 0.3, malformed: true } });
    await c.waitForPush((push) => push.elements[0]?.value === 'MOVING' && push.elements[1]?.kind === ':');
    const [bad, good] = c.pushes;
    assert.equal(kinds(bad!.elements), ['$', '$', '$', '$']);
    assert.equal(bad!.elements.map(plain), ['MOVING', 'not-a-number', 'soon', '127.0.0.1:notaport']);
    assert.equal(kinds(good!.elements), ['$', ':', ':', '$']);
    assert.is(plain(await c.command('PING')), 'PONG');
    await done;
    assert.is(r.sim.connections().length, 0, 'the old endpoint was retired with its connection');
  } finally {
    await r.teardown();
  }
});

test.run();
