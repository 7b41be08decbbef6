import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { count, simulatedClient } from '../helpers/simulated.js';
import { until } from '../helpers/client.js';

test('an unreadable MOVING is reported (event, hook, metric) and ignored; commands are unaffected', async () => {
  const setup = await simulatedClient({ poolSize: 1 });
  const { sim, client, events, metrics } = setup;
  try {
    const invalid: string[] = [];
    client.addNotificationHook({ onInvalid: (_context, type, reason) => invalid.push(`${type}: ${reason}`) });
    sim.inject('>4\r\n$6\r\nMOVING\r\n$4\r\nsoon\r\n:15\r\n$14\r\n10.0.0.7:12075\r\n');
    await until(() => count(events, 'notification.invalid') === 1, 5000, 'the invalid notification');
    assert.is(invalid.length, 1);
    assert.match(invalid[0] ?? '', /^MOVING: /);
    assert.is(metrics.getMetrics().errorCounts.MOVING, 1);
    assert.is(count(events, 'handoff.queued'), 0, 'nothing acted on');
    assert.is(await client.set('still', 'fine'), 'OK');
  } finally {
    await setup.close();
  }
});

test('state snapshots show relaxation: relaxedTimeout and relaxedUntil (the backstop) while relaxed', async () => {
  const setup = await simulatedClient({ poolSize: 2, maintNotifications: { relaxedTimeout: 2000 } });
  const { sim, client } = setup;
  try {
    await until(() => client.state().connections.every((c) => c.state === 'idle'), 5000, 'ready');
    const before = Date.now();
    // The closing notification is dropped: the relaxation lasts until its backstop.
    await sim.run({ type: 'migrate', parameters: { time_s: 1, duration_s: 0.1, delay_ms: 1, drop_closing: true } });
    await until(() => client.state().connections.every((c) => c.state === 'relaxed'), 5000, 'relaxed');
    for (const connection of client.state().connections) {
      assert.is(connection.relaxedTimeout, 2000);
      assert.ok(connection.relaxedUntil !== null && connection.relaxedUntil >= before + 6000 && connection.relaxedUntil <= Date.now() + 6000, `relaxedUntil ${connection.relaxedUntil}`);
    }
  } finally {
    await setup.close();
  }
});

test.run();
