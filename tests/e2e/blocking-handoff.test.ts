import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError } from '../../src/index.js';
import { count, portOf, simulatedClient } from '../helpers/simulated.js';
import { until } from '../helpers/client.js';

test('a blocking command in flight during a bind is carried to the new endpoint (no error) and is served there; its connection is reused', async () => {
  const setup = await simulatedClient({ poolSize: 1, maintNotifications: { endpointType: 'internal-ip' } });
  const { sim, client, events, metrics } = setup;
  try {
    const blocked = client.call('BLPOP', 'pushed:later', '0').then((value) => value, (error: unknown) => error as ConnectionError);
    await until(() => client.state().connections.some((c) => c.dedicated && c.inflight === 1), 5000, 'BLPOP in flight');
    await sim.run({ type: 'bind', parameters: { time_s: 1 } });
    await client.call('RPUSH', 'pushed:later', 'job');
    assert.equal(await blocked, ['pushed:later', 'job']);
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
  } finally {
    await setup.close();
  }
});

/**
 * The drain bound, timed: a wait that cannot be carried (endpoint type none: the address stays,
 * so a CLIENT UNBLOCK could reach another server) is drained until the bound — the MOVING's
 * deadline or the handoff budget less a margin, whichever comes first — then fails typed and
 * retryable. With `none` the handoff starts at timeS/2; timed from the MOVING's arrival.
 */
async function drainedThroughBind(handoffTimeout: number, timeS: number): Promise<number> {
  const setup = await simulatedClient({ poolSize: 1, maintNotifications: { endpointType: 'none', handoffTimeout } });
  try {
    const { sim, client, events } = setup;
    let movingAt = Number.NaN;
    client.events$.subscribe((e) => {
      if (e.type === 'notification.received' && e.notification.type === 'MOVING' && Number.isNaN(movingAt)) movingAt = performance.now();
    });
    const blocked = client.call('BLPOP', 'never:pushed', '0').then(
      () => null,
      (error: unknown) => ({ error: error as ConnectionError, at: performance.now() }),
    );
    await until(() => client.state().connections.some((c) => c.dedicated && c.inflight === 1), 5000, 'BLPOP in flight');
    const bind = sim.run({ type: 'bind', parameters: { time_s: timeS, dns_follows_s: 0.2 } });
    const failed = await blocked;
    await bind;
    assert.ok(failed !== null, 'the BLPOP did not succeed');
    const { error, at } = failed!;
    assert.instance(error, ConnectionError);
    assert.is(error.code, 'ERR_HANDOFF');
    assert.ok(error.retryable && error.sent, 'retryable, and it was sent');
    assert.is(count(events, 'command.carried'), 0);
    return at - movingAt;
  } finally {
    await setup.close();
  }
}

test('the MOVING deadline is the smaller bound (handoff at 1 s of a 2 s MOVING, 3 s handoffTimeout): the wait fails at the deadline', async () => {
  const failedAfterMs = await drainedThroughBind(3000, 2);
  assert.ok(failedAfterMs >= 1900 && failedAfterMs <= 2900, `failed ${failedAfterMs.toFixed(0)} ms after the MOVING, expected ≈ 2000`);
});

test('handoffTimeout is the smaller bound (handoff at 2 s of a 4 s MOVING, 800 ms budget): the wait fails within the budget', async () => {
  const failedAfterMs = await drainedThroughBind(800, 4);
  // The handoff begins at timeS/2 (2 s); the bound is the budget less a margin (min(100 ms, budget / 10)): 720 ms later.
  assert.ok(failedAfterMs >= 2650 && failedAfterMs <= 3500, `failed ${failedAfterMs.toFixed(0)} ms after the MOVING, expected ≈ 2720`);
});

test.run();
