import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, type MaintClientOptions } from '../../src/index.js';
import { count, portOf, simulatedClient } from '../helpers/simulated.js';
import { until } from '../helpers/client.js';

/**
 * A BLPOP 0 in flight when a bind starts: the drain waits for it until the bound — the MOVING's
 * deadline or the handoff budget (less a margin), whichever comes first — then fails it typed and
 * retryable. Timed from the MOVING's arrival to the error's.
 */
async function blockedThroughBind(maint: MaintClientOptions['maintNotifications'], timeS: number) {
  const setup = await simulatedClient({ poolSize: 1, maintNotifications: { endpointType: 'internal-ip', ...maint } });
  try {
    const { sim, client, events, metrics } = setup;
    let movingAt = Number.NaN;
    client.events$.subscribe((e) => {
      if (e.type === 'notification.received' && e.notification.type === 'MOVING' && Number.isNaN(movingAt)) movingAt = performance.now();
    });
    const blocked = client.call('BLPOP', 'never:pushed', '0').then(
      () => null,
      (error: unknown) => ({ error: error as ConnectionError, at: performance.now() }),
    );
    await until(() => client.state().connections.some((c) => c.dedicated && c.inflight === 1), 5000, 'BLPOP in flight');
    const bind = sim.run({ type: 'bind', parameters: { time_s: timeS } });
    const failed = await blocked;
    await bind;
    assert.ok(failed !== null, 'the BLPOP did not succeed');
    const { error, at } = failed!;
    assert.instance(error, ConnectionError);
    assert.is(error.code, 'ERR_HANDOFF');
    assert.ok(error.retryable && error.sent, 'retryable, and it was sent');
    // Both connections (pooled and dedicated) moved, with an outcome reported for each.
    assert.is(count(events, 'handoff.started'), 2);
    assert.is(count(events, 'handoff.succeeded'), 2);
    assert.equal(metrics.getMetrics().handoffs, { started: 2, succeeded: 2, failed: 0 });
    await until(() => client.state().connections.every((c) => c.state === 'idle' || c.state === 'relaxed'), 5000, 'settled');
    for (const connection of client.state().connections) assert.is(portOf(connection.endpoint), portOf(sim.activeEndpoint));
    // The retry runs on the same (moved) dedicated connection.
    await client.call('RPUSH', 'later', 'x');
    assert.equal(await client.call('BLPOP', 'later', '1'), ['later', 'x']);
    assert.is(client.state().connections.filter((c) => c.dedicated).length, 1);
    return { failedAfterMs: at - movingAt };
  } finally {
    await setup.close();
  }
}

test('the MOVING deadline is the smaller bound (1 s against a 3 s handoffTimeout): the BLPOP fails at the deadline', async () => {
  const { failedAfterMs } = await blockedThroughBind({ handoffTimeout: 3000 }, 1);
  assert.ok(failedAfterMs >= 900 && failedAfterMs <= 2000, `failed ${failedAfterMs.toFixed(0)} ms after the MOVING, expected ≈ 1000`);
});

test('handoffTimeout is the smaller bound (800 ms against a 3 s MOVING): the BLPOP fails within the handoff budget', async () => {
  const { failedAfterMs } = await blockedThroughBind({ handoffTimeout: 800 }, 3);
  // The bound is the budget less a margin (min(100 ms, budget / 10)): 720 ms after the handoff began.
  assert.ok(failedAfterMs >= 650 && failedAfterMs <= 2000, `failed ${failedAfterMs.toFixed(0)} ms after the MOVING, expected ≈ 720`);
});

test.run();
