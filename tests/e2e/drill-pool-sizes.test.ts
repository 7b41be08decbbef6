import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LifecycleEvent, MaintClient } from '../../src/index.js';
import type { ActionRequest as SimulatorAction, MaintSimulator } from '../../src/simulator/index.js';
import { mismatches, startLoad } from '../helpers/load.js';
import { count, handoffOutcomes, portOf, received, simulatedClient, type HandoffOutcomes } from '../helpers/simulated.js';
import { until } from '../helpers/client.js';

interface Step {
  seq: number;
  from: number;
  outcomes: HandoffOutcomes;
}

/** Runs one action and reports its handoffs, once every one of them has ended. */
async function step(sim: MaintSimulator, events: LifecycleEvent[], action: SimulatorAction): Promise<Step> {
  const from = events.length;
  const result = await sim.run(action);
  const seq = result.output['seq'] as number;
  await until(() => {
    const o = handoffOutcomes(events, seq, from);
    return o.succeeded + o.failed === o.started;
  }, 10_000, `the handoffs of ${action.type} #${seq} to end`);
  return { seq, from, outcomes: handoffOutcomes(events, seq, from) };
}

/** Waits (a while) for `n` notifications of `type` from the action's seq, then asserts exactly `n` arrived. */
async function expectReceived(events: LifecycleEvent[], at: Step, type: string, n: number, what: string): Promise<void> {
  await until(() => received(events, type, at.from, at.seq) >= n, 3000, what).catch(() => {});
  assert.is(received(events, type, at.from, at.seq), n, what);
}

const noHandoffs: HandoffOutcomes = { started: 0, succeeded: 0, failed: 0, fellBack: 0, retried: 0 };
const allMoved = (n: number) => ({ started: n, succeeded: n, failed: 0, fellBack: 0 });
const withoutRetries = ({ retried: _retried, ...outcomes }: HandoffOutcomes) => outcomes;

function pooledOnActiveEndpoint(client: MaintClient, sim: MaintSimulator, poolSize: number): void {
  const pooled = client.state().connections.filter((c) => !c.dedicated);
  assert.is(pooled.length, poolSize);
  for (const connection of pooled) assert.is(portOf(connection.endpoint), portOf(sim.activeEndpoint), `${connection.id} on the new endpoint`);
}

/**
 * The whole drill of issue 4 under a steady load of 50 callers, for pool sizes 1, 4 and 50:
 * migrate (replies slower than commandTimeout, faster than relaxedTimeout), failover, bind,
 * a dropped closing notification, a duplicated MOVING, and a target that refuses dials — each
 * step checked for the notifications it sent and for what became of every handoff.
 */
for (const poolSize of [1, 4, 50]) {
  test(`pool of ${poolSize}: zero failed commands through migrate, failover and binds, every handoff accounted for`, async () => {
    const setup = await simulatedClient({ poolSize, maintNotifications: { endpointType: 'internal-ip' } });
    try {
      const { sim, client, events, metrics } = setup;
      const load = startLoad(client, 50, `drill${poolSize}`);
      try {
        await until(() => load.stats.latencies.length > 500, 10_000, 'steady load');

        const migrate = await step(sim, events, { type: 'migrate', parameters: { time_s: 1, duration_s: 0.8, delay_ms: 700 } });
        await expectReceived(events, migrate, 'MIGRATING', poolSize, 'migrate: MIGRATING on every connection');
        await expectReceived(events, migrate, 'MIGRATED', poolSize, 'migrate: MIGRATED on every connection');
        assert.is(count(events.slice(migrate.from), 'connection.relaxed'), poolSize, 'migrate: every connection relaxed');
        assert.equal(migrate.outcomes, noHandoffs);

        const failover = await step(sim, events, { type: 'failover', parameters: { time_s: 1 } });
        await expectReceived(events, failover, 'FAILING_OVER', poolSize, 'failover: FAILING_OVER');
        await expectReceived(events, failover, 'FAILED_OVER', poolSize, 'failover: FAILED_OVER');
        assert.equal(failover.outcomes, noHandoffs);

        const bind = await step(sim, events, { type: 'bind', parameters: { time_s: 1.2 } });
        await expectReceived(events, bind, 'MOVING', poolSize, 'bind: MOVING on every connection');
        assert.equal(withoutRetries(bind.outcomes), allMoved(poolSize), `bind: ${JSON.stringify(bind.outcomes)}`);
        pooledOnActiveEndpoint(client, sim, poolSize);

        const dropped = await step(sim, events, { type: 'migrate', parameters: { time_s: 1, duration_s: 0.3, delay_ms: 100, drop_closing: true } });
        await expectReceived(events, dropped, 'MIGRATING', poolSize, 'dropped closing: MIGRATING');
        await expectReceived(events, dropped, 'MIGRATED', 0, 'dropped closing: no MIGRATED arrived');
        assert.equal(dropped.outcomes, noHandoffs);

        const duplicate = await step(sim, events, { type: 'bind', parameters: { time_s: 1.2, duplicate: true } });
        await expectReceived(events, duplicate, 'MOVING', 2 * poolSize, 'duplicate: every MOVING arrived twice');
        const ignored = events.slice(duplicate.from).filter((e) => e.type === 'notification.ignored' && e.reason === 'duplicate' && e.notification.type === 'MOVING');
        assert.is(ignored.length, poolSize, 'duplicate: the second MOVING ignored on every connection');
        assert.equal(withoutRetries(duplicate.outcomes), allMoved(poolSize), `duplicate: ${JSON.stringify(duplicate.outcomes)}`);
        pooledOnActiveEndpoint(client, sim, poolSize);

        const refused = await step(sim, events, { type: 'bind', parameters: { time_s: 2, refuse_target_s: 0.4 } });
        await expectReceived(events, refused, 'MOVING', poolSize, 'refused target: MOVING on every connection');
        assert.equal(withoutRetries(refused.outcomes), allMoved(poolSize), `refused target: handed off, not fallen back: ${JSON.stringify(refused.outcomes)}`);
        assert.ok(refused.outcomes.retried >= 1, 'refused target: the first dials were refused and retried');

        const settled = load.stats.latencies.length;
        await until(() => load.stats.latencies.length > settled + 200, 10_000, 'load after the drill');
      } finally {
        await load.stop();
      }
      assert.equal(load.stats.failures, [], 'no command failed');
      assert.equal(await mismatches(client, load.stats), [], 'nothing lost, nothing doubled');
      pooledOnActiveEndpoint(client, sim, poolSize);
      // Events and metrics tell the same story: three binds, each moving every connection.
      const m = metrics.getMetrics();
      assert.equal(m.handoffs, { started: 3 * poolSize, succeeded: 3 * poolSize, failed: 0 });
      assert.is(count(events, 'handoff.failed'), 0);
      assert.is(count(events, 'endpoint.moved'), 3);
    } finally {
      await setup.close();
    }
  });
}

test.run();
