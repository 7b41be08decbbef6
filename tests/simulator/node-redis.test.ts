/**
 * Fidelity against a client we did not write: node-redis 6 (RESP3, maintenance notifications
 * enabled, endpoint type internal-ip) keeps a steady command load through the simulator while it
 * migrates, fails over (really: the replica is promoted) and moves to the other endpoint.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from 'redis';
import { createMaintSimulator } from '../../src/simulator/index.js';
import { nextEvent, port } from './support.js';

test('node-redis survives migrate, failover and bind with zero failed commands and ends on the new endpoint', async () => {
  const sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
  const client = createClient({
    socket: { host: '127.0.0.1', port: port(sim.endpoints[0]!), reconnectStrategy: false },
    RESP: 3,
    maintNotifications: 'enabled',
    maintEndpointType: 'internal-ip',
  });
  const errors: unknown[] = [];
  client.on('error', (error: unknown) => errors.push(error));
  let running = true;
  let workers: Array<Promise<void>> = [];
  try {
    const optedIn = nextEvent(sim, 'connection.optedIn', (event) => event.endpointType === 'internal-ip');
    await client.connect();
    assert.is((await optedIn).endpoint, sim.endpoints[0]);

    let increments = 0;
    let commands = 0;
    const failures: unknown[] = [];
    const worker = async (id: number) => {
      for (let i = 0; running; i++) {
        try {
          await client.incr('nr:counter');
          increments++;
          await client.set(`nr:${id}`, String(i));
          const value = await client.get(`nr:${id}`);
          if (value !== String(i)) failures.push(new Error(`worker ${id} read ${value}, expected ${i}`));
          commands += 3;
        } catch (error) {
          failures.push(error);
        }
      }
    };
    workers = Array.from({ length: 4 }, (_, id) => worker(id));

    const steps: string[] = [];
    const pushes: string[] = [];
    const subscription = sim.events$.subscribe((event) => {
      if (event.type === 'action.finished') steps.push(`${event.action}:${event.status}`);
      if (event.type === 'frame.sent' && event.actionId !== null) pushes.push(event.frameType);
    });
    await sim.run({ type: 'migrate', parameters: { time_s: 2, duration_s: 0.4, delay_ms: 20 } });
    await sim.run({ type: 'failover', parameters: { time_s: 2 } });
    const before = commands;
    await sim.run({ type: 'bind', parameters: { time_s: 2, serve_s: 1, close_s: 1.2 } });
    const afterBind = commands;
    // Keep the load going a little on the new endpoint.
    while (commands < afterBind + 200) await new Promise((resolve) => setTimeout(resolve, 5));
    running = false;
    await Promise.all(workers);
    subscription.unsubscribe();

    assert.equal(steps, ['migrate:success', 'failover:success', 'bind:success']);
    assert.equal(pushes, ['MIGRATING', 'MIGRATED', 'FAILING_OVER', 'FAILED_OVER', 'MOVING'], 'each notification reached the client once');
    assert.equal(failures, [], 'zero failed commands');
    assert.ok(afterBind > before, 'commands kept flowing through the bind');
    assert.is(Number(await client.get('nr:counter')), increments, 'every acknowledged INCR counted once, none lost across the failover');
    const connections = sim.connections();
    assert.ok(connections.length >= 1);
    assert.ok(connections.every((connection) => connection.endpoint === sim.endpoints[1]), 'only the new endpoint is in use');
    assert.ok(connections.every((connection) => connection.endpointType === 'internal-ip' && connection.upstream === sim.upstream));
    assert.is(sim.activeEndpoint, sim.endpoints[1]);
    assert.equal(errors, [], 'node-redis reported no errors');
  } finally {
    // Stop the callers first: against a destroyed client they would spin on errors forever.
    running = false;
    await Promise.all(workers);
    if (client.isOpen) client.destroy();
    await sim.close();
  }
});

test.run();
