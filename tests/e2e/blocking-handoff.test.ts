import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConnectionError } from '../../src/index.js';
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

test.run();
