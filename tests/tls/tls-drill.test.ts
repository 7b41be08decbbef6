/**
 * The migrate / failover / bind drill with 50 callers over TLS (the simulator's TLS mode) and, as
 * the baseline, over plain TCP: zero failed commands, nothing lost or doubled, every handoff
 * succeeded. Prints the handoff durations of both (the README reports them).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LifecycleEvent } from '../../src/index.js';
import type { ActionRequest, MaintSimulator } from '../../src/simulator/index.js';
import { until } from '../helpers/client.js';
import { mismatches, startLoad } from '../helpers/load.js';
import { handoffOutcomes, portOf } from '../helpers/simulated.js';
import { tlsSimulatedClient } from './support.js';

const POOL = 4;
const durations: Record<string, number[]> = {};

async function step(sim: MaintSimulator, events: LifecycleEvent[], action: ActionRequest) {
  const from = events.length;
  const result = await sim.run(action);
  const seq = result.output['seq'] as number;
  await until(() => {
    const o = handoffOutcomes(events, seq, from);
    return o.succeeded + o.failed === o.started;
  }, 10_000, `the handoffs of ${action.type} #${seq}`);
  return { seq, from, outcomes: handoffOutcomes(events, seq, from) };
}

for (const transport of ['tls', 'tcp'] as const) {
  test(`over ${transport}: 50 callers through migrate, failover and two binds, zero failed commands`, async () => {
    const setup = await tlsSimulatedClient({ poolSize: POOL, plain: transport === 'tcp', maintNotifications: { endpointType: transport === 'tls' ? 'internal-fqdn' : 'internal-ip' } });
    try {
      const { sim, client, events } = setup;
      const load = startLoad(client, 50, `drill-${transport}`);
      try {
        await until(() => load.stats.latencies.length > 500, 10_000, 'steady load');
        const migrate = await step(sim, events, { type: 'migrate', parameters: { time_s: 1, duration_s: 0.6, delay_ms: 500 } });
        assert.is(migrate.outcomes.started, 0);
        await step(sim, events, { type: 'failover', parameters: { time_s: 1 } });
        for (let bind = 0; bind < 2; bind++) {
          const moved = await step(sim, events, { type: 'bind', parameters: { time_s: 1.2 } });
          assert.equal({ ...moved.outcomes, retried: 0 }, { started: POOL, succeeded: POOL, failed: 0, fellBack: 0, retried: 0 }, JSON.stringify(moved.outcomes));
          for (const c of client.state().connections.filter((c) => !c.dedicated)) assert.is(portOf(c.endpoint), portOf(sim.activeEndpoint));
        }
        const after = load.stats.latencies.length;
        await until(() => load.stats.latencies.length > after + 200, 10_000, 'load after the drill');
      } finally {
        await load.stop();
      }
      assert.equal(load.stats.failures, [], 'no command failed');
      assert.equal(await mismatches(client, load.stats), [], 'nothing lost, nothing doubled');
      durations[transport] = events.flatMap((e) => (e.type === 'handoff.succeeded' ? [e.durationMs] : []));
      assert.is(durations[transport]?.length, 2 * POOL);
    } finally {
      await setup.close();
    }
  });
}

test.after(() => {
  const median = (xs: number[] = []) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  console.log(`handoff duration (median of ${durations['tls']?.length ?? 0}): TLS ${median(durations['tls']).toFixed(1)} ms, TCP ${median(durations['tcp']).toFixed(1)} ms`);
});

test.run();
