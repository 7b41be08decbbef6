import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handoffOutcomes, received, simulatedClient } from '../helpers/simulated.js';
import { until } from '../helpers/client.js';

/**
 * The relax backstop end to end: a MIGRATING whose MIGRATED is lost relaxes fresh connections
 * (not in a post-handoff relaxation) for 3 × relaxedTimeout, then the backstop ends it.
 */
test('a dropped MIGRATED: relaxed (replies slower than commandTimeout succeed), unrelaxed by the backstop at 3 × relaxedTimeout', async () => {
  const setup = await simulatedClient({ poolSize: 2, commandTimeout: 400, maintNotifications: { relaxedTimeout: 600 } });
  try {
    const { sim, client, events } = setup;
    await until(() => client.state().connections.every((c) => c.state === 'idle'), 5000, 'ready');
    const relaxedAt = new Map<string, number>();
    const unrelaxed: Array<{ id: string; afterMs: number; reason: string }> = [];
    const subscription = client.events$.subscribe((e) => {
      if (e.type === 'connection.relaxed') relaxedAt.set(e.connectionId, performance.now());
      if (e.type === 'connection.unrelaxed') unrelaxed.push({ id: e.connectionId, afterMs: performance.now() - (relaxedAt.get(e.connectionId) ?? Number.NaN), reason: e.reason });
    });
    try {
      const from = events.length;
      const migrating = sim.run({ type: 'migrate', parameters: { time_s: 1, duration_s: 0.4, delay_ms: 500, drop_closing: true } });
      await until(() => relaxedAt.size === 2, 3000, 'both connections relaxed');
      // 500 ms replies: past the 400 ms commandTimeout, within the 600 ms relaxed timeout.
      assert.is(await client.set('backstop:k', 'v'), 'OK');
      const result = await migrating;
      const seq = result.output['seq'] as number;
      assert.is(received(events, 'MIGRATING', from, seq), 2);
      assert.is(received(events, 'MIGRATED', from, seq), 0, 'the closing notification was dropped');
      for (const connection of client.state().connections) assert.is(connection.relaxedTimeout, 600);
      await until(() => unrelaxed.length === 2, 4000, 'the backstop to end both relaxations');
      for (const { id, afterMs, reason } of unrelaxed) {
        assert.is(reason, 'backstop', id);
        assert.ok(afterMs >= 1750 && afterMs <= 2500, `${id} unrelaxed ${afterMs.toFixed(0)} ms after relaxing, expected ≈ 1800`);
      }
      for (const connection of client.state().connections) assert.is(connection.relaxedTimeout, null);
      assert.equal(handoffOutcomes(events, seq, from), { started: 0, succeeded: 0, failed: 0, fellBack: 0, retried: 0 });
    } finally {
      subscription.unsubscribe();
    }
  } finally {
    await setup.close();
  }
});

test.run();
