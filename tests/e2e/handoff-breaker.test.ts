import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handoffOutcomes, portOf, simulatedClient } from '../helpers/simulated.js';
import { until } from '../helpers/client.js';

/**
 * The per-endpoint circuit breaker, through the pool: a target that refuses every dial of a bind
 * opens the circuit after 5 failures, so most of the handoffs' later attempts are refused by the
 * client without dialling; every handoff falls back to a reconnect, and a later bind to the same
 * endpoint, once it is up, goes through (half-open probe, then closed).
 */
test('a target refusing every handoff dial opens the circuit; later binds to it succeed once it is up', async () => {
  const setup = await simulatedClient({ poolSize: 12, maintNotifications: { endpointType: 'internal-ip', maxWorkers: 6, handoffTimeout: 2000 } });
  try {
    const { sim, client, events } = setup;
    const refusedTarget = sim.endpoints[1] as string;
    const from = events.length;
    const result = await sim.run({ type: 'bind', parameters: { time_s: 2, refuse_target_s: 2.6, retire: true } });
    const seq = result.output['seq'] as number;
    await until(() => handoffOutcomes(events, seq, from).failed === 12, 8000, 'every handoff to give up');
    const outcomes = handoffOutcomes(events, seq, from);
    assert.equal({ ...outcomes, retried: 0 }, { started: 12, succeeded: 0, failed: 12, fellBack: 12, retried: 0 });
    const reasons = events.slice(from).flatMap((e) => ((e.type === 'handoff.retried' || e.type === 'handoff.failed') && e.seq === seq ? [e.reason] : []));
    assert.is(reasons.length, 36, 'three attempts per handoff');
    const refusedByBreaker = reasons.filter((reason) => reason.startsWith('circuit open')).length;
    const dialled = reasons.length - refusedByBreaker;
    assert.ok(refusedByBreaker >= 18, `most attempts never dialled: ${refusedByBreaker} refused by the breaker, ${dialled} dialled`);
    assert.ok(dialled >= 5, `the circuit opened after 5 dial failures (${dialled} dialled)`);

    await until(() => client.state().connections.every((c) => c.state === 'idle' || c.state === 'relaxed'), 8000, 'reconnected');
    // Back to the first endpoint, then to the one that refused: it answers now, and the circuit lets the handoffs through.
    await sim.run({ type: 'bind', parameters: { time_s: 1 } });
    const again = events.length;
    const back = await sim.run({ type: 'bind', parameters: { time_s: 1.5 } });
    assert.is(sim.activeEndpoint, refusedTarget);
    const backSeq = back.output['seq'] as number;
    await until(() => handoffOutcomes(events, backSeq, again).succeeded === 12, 8000, 'the handoffs to the recovered endpoint');
    assert.equal(handoffOutcomes(events, backSeq, again), { started: 12, succeeded: 12, failed: 0, fellBack: 0, retried: 0 });
    for (const connection of client.state().connections) assert.is(portOf(connection.endpoint), portOf(refusedTarget));
  } finally {
    await setup.close();
  }
});

test.run();
