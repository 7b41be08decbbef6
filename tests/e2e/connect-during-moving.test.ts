import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintClient, type LifecycleEvent } from '../../src/index.js';
import { createMaintSimulator } from '../../src/simulator/index.js';
import { until } from '../helpers/client.js';
import { nextEvent } from '../simulator/support.js';

/**
 * A client that starts while its endpoint is being moved: the server tells each new socket the
 * MOVING right after its opt-in's +OK, while the connection is still on its first attempt (before
 * it has an actor). It must act on it all the same — hand off before the old endpoint goes
 * away — and the connections opened after it go to the new endpoint, with no command failing.
 */
test('a client connecting during a MOVING window: the first connection hands off, the rest open at the new endpoint; no command fails', async () => {
  const sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
  const [from, to] = sim.endpoints as [string, string];
  const [host, port] = from.split(':') as [string, string];
  const client = createMaintClient({ host, port: Number(port), poolSize: 2, commandTimeout: 1000, maintNotifications: { relaxedTimeout: 3000, handoffTimeout: 3000 } });
  const events: LifecycleEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  try {
    const done = sim.run({ type: 'bind', parameters: { time_s: 3, serve_s: 2.5, close_s: 2.6 } });
    await nextEvent(sim, 'action.step', (event) => event.step === 'moving-sent');
    await client.connect();
    const failures: unknown[] = [];
    let written = 0;
    const writer = (async () => {
      for (let i = 0; i < 400 && !client.state().connections.every((c) => c.endpoint === to && c.state === 'idle'); i++) {
        await client.set(`during:${i}`, String(i)).then(
          () => written++,
          (error: unknown) => failures.push(error),
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await until(() => client.state().connections.length === 2 && client.state().connections.every((c) => c.endpoint === to), 4000, () => `connections at ${to}: ${JSON.stringify(client.state().connections.map((c) => [c.id, c.endpoint, c.state]))}`);
    await writer;
    assert.equal(failures, []);
    assert.ok(written > 0);
    const types = events.map((e) => e.type);
    // The MOVING came while c1 was on its first attempt; the pool's address moved with it, so c2
    // (opened after) dialled the new endpoint at once, and only c1 had to hand off.
    assert.ok(types.indexOf('notification.received') < types.indexOf('connection.ready'), JSON.stringify(types));
    const succeeded = events.filter((e) => e.type === 'handoff.succeeded');
    assert.equal(succeeded.map((e) => e.type === 'handoff.succeeded' && [e.connectionId, e.to]), [['c1', to]], JSON.stringify(types));
    assert.not.ok(events.some((e) => e.type === 'handoff.failed' || e.type === 'connection.lost'));
    assert.is(await client.get(`during:0`), '0');
    await done;
  } finally {
    await client.close();
    await sim.close();
  }
});

test.run();
