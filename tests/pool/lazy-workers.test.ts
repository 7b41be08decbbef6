import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InspectionEvent } from 'xstate';
import { simulatedClient, count } from '../helpers/simulated.js';
import { resolveMaintConfig } from '../../src/index.js';

test('handoff workers start with the first handoffs that need them, never more than maxWorkers, none for a client never moved', async () => {
  const workers = new Set<string>();
  const inspect = (event: InspectionEvent) => {
    if (event.type === '@xstate.actor' && (event.actorRef as { logic?: { id?: string } }).logic?.id === 'handoffWorker') workers.add(event.actorRef.sessionId);
  };
  const setup = await simulatedClient({ poolSize: 4, inspect });
  try {
    assert.is(workers.size, 0, 'a connected client that was never moved runs no worker');
    await setup.sim.run({ type: 'bind', parameters: { time_s: 1 } });
    assert.is(count(setup.events, 'handoff.succeeded'), 4);
    const max = resolveMaintConfig({}, { poolSize: 4 }).maxWorkers;
    assert.ok(workers.size >= 1 && workers.size <= max, `${workers.size} workers (at most ${max})`);
    const started = workers.size;
    await setup.sim.run({ type: 'bind', parameters: { time_s: 1 } });
    assert.is(count(setup.events, 'handoff.succeeded'), 8);
    assert.ok(workers.size <= max, 'workers are reused, not started again');
    assert.ok(workers.size >= started);
  } finally {
    await setup.close();
  }
});

test.run();
