import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mismatches, startLoad } from '../helpers/load.js';
import { count, portOf, simulatedClient } from '../helpers/simulated.js';
import { until } from '../helpers/client.js';

/**
 * The whole drill of issue 4 under a steady load of 50 callers, for pool sizes 1, 4 and 50:
 * migrate (replies slower than commandTimeout, faster than relaxedTimeout), failover, bind,
 * a dropped closing notification, a duplicated MOVING, and a target that refuses dials.
 */
for (const poolSize of [1, 4, 50]) {
  test(`pool of ${poolSize}: zero failed commands through migrate, failover and binds`, async () => {
    const setup = await simulatedClient({ poolSize, maintNotifications: { endpointType: 'internal-ip' } });
    const { sim, client, events, metrics } = setup;
    const load = startLoad(client, 50, `drill${poolSize}`);
    try {
      await until(() => load.stats.latencies.length > 500, 10_000, 'steady load');
      await sim.run({ type: 'migrate', parameters: { time_s: 1, duration_s: 0.8, delay_ms: 700 } });
      await sim.run({ type: 'failover', parameters: { time_s: 1 } });
      await sim.run({ type: 'bind', parameters: { time_s: 1.2 } });
      await sim.run({ type: 'migrate', parameters: { time_s: 1, duration_s: 0.3, delay_ms: 100, drop_closing: true } });
      await sim.run({ type: 'bind', parameters: { time_s: 1.2, duplicate: true } });
      await sim.run({ type: 'bind', parameters: { time_s: 2, refuse_target_s: 0.4 } });
      const settled = load.stats.latencies.length;
      await until(() => load.stats.latencies.length > settled + 200, 10_000, 'load after the drill');
    } finally {
      await load.stop();
    }
    try {
      assert.equal(load.stats.failures, [], 'no command failed');
      assert.equal(await mismatches(client, load.stats), [], 'nothing lost, nothing doubled');
      const pooled = client.state().connections.filter((c) => !c.dedicated);
      assert.is(pooled.length, poolSize);
      for (const connection of pooled) assert.is(portOf(connection.endpoint), portOf(sim.activeEndpoint), `${connection.id} on the new endpoint`);
      // Events and metrics tell the same story.
      const m = metrics.getMetrics();
      assert.is(m.handoffs.succeeded, count(events, 'handoff.succeeded'));
      assert.is(m.handoffs.started, count(events, 'handoff.started'));
      assert.ok(m.handoffs.succeeded >= 3 * poolSize - count(events, 'handoff.failed'), `handoffs: ${JSON.stringify(m.handoffs)}`);
      assert.is(m.notificationCounts.MOVING, count(events, 'notification.received') - ['MIGRATING', 'MIGRATED', 'FAILING_OVER', 'FAILED_OVER'].reduce((sum, type) => sum + (m.notificationCounts[type as 'MIGRATING'] ?? 0), 0));
      assert.ok((m.notificationCounts.MIGRATING ?? 0) >= 2 && (m.notificationCounts.FAILING_OVER ?? 0) >= 1);
      assert.ok(count(events, 'connection.relaxed') >= poolSize, 'relaxed during migrate');
      assert.ok(events.some((e) => e.type === 'notification.ignored' && e.reason === 'duplicate' && e.notification.type === 'MOVING'), 'duplicate MOVING ignored');
      assert.is(count(events, 'endpoint.moved'), 3);
    } finally {
      await setup.close();
    }
  });
}

test.run();
