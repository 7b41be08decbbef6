import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mismatches, startLoad } from '../helpers/load.js';
import { handoffOutcomes, portOf, received, simulatedClient } from '../helpers/simulated.js';
import { until } from '../helpers/client.js';

/**
 * A target that refuses dials for a while after the MOVING: the dial attempts are spread over the
 * handoff's window (cut to the MOVING's deadline), so the handoff still reaches the target once it
 * is up, while the old socket serves meanwhile.
 */
test('a target that refuses dials for 0.6 s of a 2 s MOVING is still handed off to, every connection, no command failed', async () => {
  const setup = await simulatedClient({ poolSize: 4, maintNotifications: { endpointType: 'internal-ip' } });
  try {
    const { sim, client, events } = setup;
    const load = startLoad(client, 20, 'refused');
    try {
      await until(() => load.stats.latencies.length > 200, 10_000, 'steady load');
      const from = events.length;
      const succeededAt: number[] = [];
      const subscription = client.events$.subscribe((e) => e.type === 'handoff.succeeded' && succeededAt.push(performance.now()));
      const bindAt = performance.now();
      const result = await sim.run({ type: 'bind', parameters: { time_s: 2, refuse_target_s: 0.6 } });
      subscription.unsubscribe();
      const seq = result.output['seq'] as number;
      assert.is(received(events, 'MOVING', from, seq), 4, 'every connection heard the MOVING');
      const outcomes = handoffOutcomes(events, seq, from);
      assert.equal({ ...outcomes, retried: outcomes.retried > 0 }, { started: 4, succeeded: 4, failed: 0, fellBack: 0, retried: true }, JSON.stringify(outcomes));
      const attempts = events.slice(from).flatMap((e) => (e.type === 'handoff.succeeded' ? [e.attempts] : []));
      // 2 workers: the first two jobs met the refusing target, the next two a target that was up.
      assert.ok(attempts.filter((n) => n >= 2).length >= 2, `attempts per handoff: ${attempts.join(', ')}`);
      assert.ok(succeededAt.every((at) => at - bindAt >= 550), `no handoff before the target came up: ${succeededAt.map((at) => (at - bindAt).toFixed(0)).join(', ')} ms`);
      const after = load.stats.latencies.length;
      await until(() => load.stats.latencies.length > after + 100, 10_000, 'load after the bind');
    } finally {
      await load.stop();
    }
    assert.equal(load.stats.failures, [], 'no command failed');
    assert.equal(await mismatches(client, load.stats), [], 'nothing lost, nothing doubled');
    for (const connection of client.state().connections) assert.is(portOf(connection.endpoint), portOf(sim.activeEndpoint));
  } finally {
    await setup.close();
  }
});

test('a target that stays refused past the window: each handoff makes its attempts, then falls back to a reconnect that recovers', async () => {
  const setup = await simulatedClient({ poolSize: 2, maintNotifications: { endpointType: 'internal-ip', handoffTimeout: 1000 } });
  try {
    const { sim, client, events } = setup;
    const from = events.length;
    const result = await sim.run({ type: 'bind', parameters: { time_s: 1, refuse_target_s: 1.3, retire: true } });
    const seq = result.output['seq'] as number;
    await until(() => handoffOutcomes(events, seq, from).failed === 2, 5000, 'both handoffs to give up');
    const outcomes = handoffOutcomes(events, seq, from);
    assert.equal(outcomes, { started: 2, succeeded: 0, failed: 2, fellBack: 2, retried: 4 }, JSON.stringify(outcomes));
    await until(() => client.state().connections.every((c) => c.state === 'idle' || c.state === 'relaxed'), 5000, 'reconnected');
    assert.is(await client.set('after:refused', 'ok'), 'OK');
    for (const connection of client.state().connections) assert.is(portOf(connection.endpoint), portOf(sim.activeEndpoint));
  } finally {
    await setup.close();
  }
});

test.run();
