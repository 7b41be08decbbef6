import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plain } from '../helpers/raw-resp-client.js';
import { kinds, nextEvent, rig, settle } from './support.js';

test('migrate sends MIGRATING then MIGRATED with the same seq, in the documented shapes, to every opted-in connection', async () => {
  const r = await rig();
  try {
    const [first, second] = r.sim.endpoints as [string, string];
    const a = await r.optedIn('internal-ip', first);
    const b = await r.optedIn('none', second);
    const silent = await r.optedIn(null, first);
    const result = await r.sim.run({ type: 'migrate', parameters: { time_s: 5, duration_s: 0.3, delay_ms: 20, shards: ['1', '2'] } });
    const seq = result.output['seq'] as number;
    await settle(a, b, silent);
    for (const client of [a, b]) {
      assert.equal(client.pushes.map((push) => push.raw.toString()), [
        `>4\r\n$9\r\nMIGRATING\r\n:${seq}\r\n:5\r\n$9\r\n["1","2"]\r\n`,
        `>3\r\n$8\r\nMIGRATED\r\n:${seq}\r\n$9\r\n["1","2"]\r\n`,
      ]);
      assert.equal(kinds(client.pushes[0]!.elements), ['$', ':', ':', '$']);
      assert.equal(kinds(client.pushes[1]!.elements), ['$', ':', '$']);
    }
    assert.is(silent.pushes.length, 0);
  } finally {
    await r.teardown();
  }
});

test('replies slow down while migrating and the default shard list is ["1"]', async () => {
  const r = await rig();
  try {
    const c = await r.optedIn('internal-ip');
    const done = r.sim.run({ type: 'migrate', parameters: { duration_s: 0.6, delay_ms: 150 } });
    const migrating = await c.waitForPush((push) => push.elements[0]?.value === 'MIGRATING');
    assert.equal(migrating.elements.map(plain).slice(2), [15, '["1"]'], 'realistic default time, default shard');
    const sent = Date.now();
    assert.is(plain(await c.command('PING')), 'PONG');
    assert.ok(Date.now() - sent >= 140, 'a reply during the migration waits for the configured delay');
    await done;
    await settle(c);
    assert.equal(c.pushes.map((push) => push.elements[0]?.value), ['MIGRATING', 'MIGRATED']);
  } finally {
    await r.teardown();
  }
});

test('a connection that opts in during the migration is told too, and hears the end', async () => {
  const r = await rig();
  try {
    const done = r.sim.run({ type: 'migrate', parameters: { time_s: 10, duration_s: 0.4, delay_ms: 0 } });
    await nextEvent(r.sim, 'action.step', (event) => event.step === 'migrating');
    const late = await r.optedIn('external-ip');
    const push = await late.waitForPush((p) => p.elements[0]?.value === 'MIGRATING');
    assert.ok((plain(push.elements[2]!) as number) <= 10);
    await done;
    await settle(late);
    assert.equal(late.pushes.map((p) => p.elements[0]?.value), ['MIGRATING', 'MIGRATED']);
  } finally {
    await r.teardown();
  }
});

test.run();
