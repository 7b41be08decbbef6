/**
 * A node that stops answering without closing its sockets (the simulator's `blackhole`): detected
 * within 2 × commandTimeout, connections replaced, commands in flight fail typed, nothing that
 * Redis acknowledged is lost.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HitlessError } from '../../src/index.js';
import { until } from '../helpers/client.js';
import { startLoad } from '../helpers/load.js';
import { simulatedClient } from '../helpers/simulated.js';
import { nextEvent } from '../simulator/support.js';

const COMMAND_TIMEOUT = 300;

test('blackhole: a connection is given up 2 × commandTimeout after its oldest unanswered command, in-flight commands fail typed, service resumes after', async () => {
  const setup = await simulatedClient({ poolSize: 3, commandTimeout: COMMAND_TIMEOUT, connectTimeout: 300 });
  try {
    const { sim, client, events } = setup;
    const load = startLoad(client, 10, 'blackhole');
    let holeAt = 0;
    try {
      await until(() => load.stats.latencies.length > 200, 10_000, 'steady load');
      const on = nextEvent(sim, 'action.step', (e) => e.step === 'blackhole-on');
      const from = events.length;
      const done = sim.run({ type: 'blackhole', parameters: { duration_s: 1.5 } });
      holeAt = (await on).at;
      await until(() => events.slice(from).filter((e) => e.type === 'connection.lost').length >= 3, 3000, 'every connection given up');
      const lostAt = events.slice(from).filter((e) => e.type === 'connection.lost').map((e) => e.at - holeAt);
      // A connection is given up when its oldest unanswered command has waited 2 × commandTimeout.
      // The busiest connection had one at once; a connection idle when the hole opened gets its
      // first command when the callers' first timeouts (1 × timeout) send them elsewhere.
      assert.ok(Math.min(...lostAt) <= 2 * COMMAND_TIMEOUT + 100, `first given up after ${Math.min(...lostAt)} ms`);
      assert.ok(lostAt.every((ms) => ms <= 3 * COMMAND_TIMEOUT + 100), `given up after ${lostAt.join(', ')} ms`);
      assert.ok(lostAt.every((ms) => ms >= COMMAND_TIMEOUT), `not before a command timed out: ${lostAt.join(', ')} ms`);
      const result = await done;
      assert.equal(result.output, { duration_s: 1.5 });
      await until(() => client.state().connections.every((c) => c.state === 'idle'), 5000, 'connections replaced');
      const after = load.stats.latencies.length;
      await until(() => load.stats.latencies.length > after + 100, 5000, 'load served again');
    } finally {
      await load.stop();
    }
    assert.ok(load.stats.failures.length > 0, 'the black hole was felt');
    const codes = new Set(load.stats.failures.map((f) => f.code));
    assert.ok([...codes].every((code) => ['ERR_COMMAND_TIMEOUT', 'ERR_CONNECTION_LOST', 'ERR_NOT_CONNECTED'].includes(code)), [...codes].join(', '));
    // An INCR that failed after being written may or may not have run: never fewer than acknowledged.
    for (const [key, acknowledged] of load.stats.acknowledged) {
      const value = Number((await client.get(key)) ?? 0);
      assert.ok(value >= acknowledged, `${key}: ${value} in Redis, ${acknowledged} acknowledged`);
    }
    assert.is(await client.call('PING'), 'PONG');
  } finally {
    await setup.close();
  }
});

test('blackhole: parameters are validated', async () => {
  const setup = await simulatedClient({ poolSize: 1 });
  try {
    for (const parameters of [{}, { duration_s: 0 }, { duration_s: 'long' }, { duration_s: 1, extra: 1 }]) {
      await setup.sim.run({ type: 'blackhole', parameters: parameters as never }).then(
        () => assert.unreachable(JSON.stringify(parameters)),
        (error: unknown) => assert.instance(error, HitlessError),
      );
    }
  } finally {
    await setup.close();
  }
});

test.run();
