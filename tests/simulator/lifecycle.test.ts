import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toArray } from 'rxjs';
import { ConfigError } from '../../src/errors.js';
import { createMaintSimulator, type MaintSimulator, type MaintSimulatorOptions, type SimulatorEvent } from '../../src/simulator/index.js';
import { plain, RawRespClient } from '../helpers/raw-resp-client.js';
import { startRedis } from '../helpers/redis.js';
import { dial, rig } from './support.js';

test('invalid options are rejected with a ConfigError naming the option', async () => {
  const cases: Array<[MaintSimulatorOptions, string]> = [
    [{}, 'upstream'],
    [{ spawn: true, upstream: { host: '127.0.0.1', port: 1 } }, 'upstream'],
    [{ upstream: { host: '', port: 1 } }, 'upstream'],
    [{ upstream: { host: '127.0.0.1', port: 70_000 } }, 'upstream'],
    [{ spawn: 'yes' as never }, 'spawn'],
    [{ spawn: true, endpoints: 0 }, 'endpoints'],
    [{ spawn: true, endpoints: 1.5 }, 'endpoints'],
    [{ spawn: true, endpoints: 2, ports: [1] }, 'ports'],
    [{ spawn: true, apiPort: -1 }, 'apiPort'],
    [{ spawn: true, redisServer: '' }, 'redisServer'],
  ];
  for (const [options, option] of cases) {
    await createMaintSimulator(options).then(
      () => assert.unreachable(`${JSON.stringify(options)} should be rejected`),
      (error: unknown) => {
        assert.instance(error, ConfigError);
        assert.is((error as ConfigError).option, option);
      },
    );
  }
});

test('a spawn that cannot start reports why and leaves nothing behind', async () => {
  await createMaintSimulator({ spawn: true, redisServer: '/nonexistent/redis-server' }).then(
    () => assert.unreachable('should fail'),
    (error: Error) => assert.match(error.message, 'not found on PATH'),
  );
});

test('events$ reports connections and actions, and completes on close; close is idempotent', async () => {
  const redis = await startRedis();
  let sim: MaintSimulator | undefined;
  let r: RawRespClient | undefined;
  try {
    sim = await createMaintSimulator({ upstream: { host: redis.host, port: redis.port }, endpoints: 1, ports: [0] });
    const events: Promise<SimulatorEvent[]> = new Promise((resolve) => sim!.events$.pipe(toArray()).subscribe(resolve));
    r = await RawRespClient.connect(sim.endpoints[0]!);
    await r.send(['HELLO', '3'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'internal-ip']);
    await sim.run({ type: 'migrate', parameters: { duration_s: 0, delay_ms: 0 } });
    await sim.run({ type: 'bind' }).then(
      () => assert.unreachable('bind needs two endpoints'),
      (error: Error) => assert.match(error.message, 'at least 2 endpoints'),
    );
    await Promise.all([sim.close(), sim.close()]);
    await r.closed;
    const types = (await events).map((event) => event.type);
    for (const type of ['connection.opened', 'connection.optedIn', 'action.started', 'action.step', 'frame.sent', 'action.finished', 'connection.closed', 'endpoint.state']) {
      assert.ok(types.includes(type as SimulatorEvent['type']), `${type} was emitted`);
    }
    assert.is(await dial(sim.endpoints[0]!), 'ECONNREFUSED');
    assert.throws(() => sim!.start({ type: 'migrate' }), /closed/);
    assert.is(await dial(`${redis.host}:${redis.port}`), 'connected', 'a given upstream is not stopped');
  } finally {
    await r?.close();
    await sim?.close();
    await redis.stop();
  }
});

test('closing during an action fails the action and stops the spawned servers', async () => {
  const sim = await createMaintSimulator({ spawn: true });
  try {
    const upstream = sim.upstream;
    const running = sim.run({ type: 'migrate', parameters: { duration_s: 30 } });
    const outcome = running.then(() => 'success', (error: Error) => error.message);
    const id = await new Promise<string>((resolve) => {
      const subscription = sim.events$.subscribe((event) => {
        if (event.type === 'action.started') {
          subscription.unsubscribe();
          resolve(event.actionId);
        }
      });
    });
    await sim.close();
    assert.match(await outcome, 'closed');
    assert.is(sim.action(id)?.status, 'failed');
    assert.is(await dial(upstream), 'ECONNREFUSED');
  } finally {
    await sim.close();
  }
});

test('an unknown action type is rejected without touching live connections', async () => {
  const r = await rig();
  try {
    const c = await r.optedIn('internal-ip');
    await r.sim.run({ type: 'explode' } as never).then(
      () => assert.unreachable('unknown type'),
      (error: unknown) => assert.instance(error, ConfigError),
    );
    assert.throws(() => r.sim.start({ type: 'migrate', parameters: { time_s: 'soon' } as never }), /parameters\.time_s/);
    assert.is(plain(await c.command('PING')), 'PONG');
    assert.is(c.pushes.length, 0);
    assert.is(r.sim.action('unknown'), undefined);
  } finally {
    await r.teardown();
  }
});

test.run();
