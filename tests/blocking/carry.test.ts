import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HitlessError, createMaintClient, type LifecycleEvent, type MaintClient, type RespValue } from '../../src/index.js';
import { count, simulatedClient, type SimulatedSetup } from '../helpers/simulated.js';
import { until } from '../helpers/client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const JOBS = 200;

interface Drill {
  popped: string[];
  failures: string[];
}

/**
 * Ten consumers wait on an empty queue when a bind starts; a producer pushes numbered jobs from
 * then on, through the bind and after it, until every job was taken.
 */
async function drill(setup: SimulatedSetup, consume: (client: MaintClient) => Promise<string[]>, produce: (client: MaintClient, n: number) => Promise<unknown>): Promise<Drill> {
  const { sim, client } = setup;
  const popped: string[] = [];
  const failures: string[] = [];
  let done = false;
  const consumer = async () => {
    while (!done) {
      try {
        popped.push(...(await consume(client)));
      } catch (error) {
        failures.push(error instanceof HitlessError ? `${error.code}: ${error.message}` : String(error));
      }
    }
  };
  const consumers = Array.from({ length: 10 }, consumer);
  await until(() => client.state().connections.filter((c) => c.dedicated && c.inflight === 1).length === 10, 5000, 'ten consumers waiting');
  const bind = sim.run({ type: 'bind', parameters: { time_s: 1 } });
  for (let n = 0; n < JOBS; n++) {
    await produce(client, n);
    if (n % 10 === 0) await sleep(10);
  }
  await bind;
  await until(() => popped.length >= JOBS, 10_000, 'every job taken');
  done = true;
  // Wake the consumers still waiting, so that the drill ends now.
  for (let i = 0; i < 10; i++) await produce(client, -1);
  await Promise.all(consumers);
  return { popped: popped.filter((job) => job !== '-1'), failures };
}

function assertExactlyOnce(popped: string[]): void {
  const sorted = popped.map(Number).sort((a, b) => a - b);
  assert.equal(sorted, Array.from({ length: JOBS }, (_, n) => n), 'every job exactly once');
}

test('ten consumers BLPOP jobs 10 through a bind: no failed call, every job popped exactly once, waits carried', async () => {
  const setup = await simulatedClient({ poolSize: 1, maintNotifications: { endpointType: 'internal-ip' } });
  try {
    const { popped, failures } = await drill(
      setup,
      async (client) => {
        const reply = (await client.call('BLPOP', 'jobs', '10')) as [string, string] | null;
        return reply === null ? [] : [reply[1]];
      },
      (client, n) => client.call('RPUSH', 'jobs', String(n)),
    );
    assert.equal(failures, []);
    assertExactlyOnce(popped);
    assert.ok(count(setup.events, 'command.carried') >= 1, `carried: ${count(setup.events, 'command.carried')}`);
    for (const connection of setup.client.state().connections) assert.is(connection.endpoint, setup.sim.activeEndpoint);
  } finally {
    await setup.close();
  }
});

test('ten consumers XREADGROUP BLOCK through a bind: no failed call, every entry delivered exactly once', async () => {
  const setup = await simulatedClient({ poolSize: 1, maintNotifications: { endpointType: 'internal-ip' } });
  try {
    await setup.client.call('XGROUP', 'CREATE', 'stream:jobs', 'workers', '$', 'MKSTREAM');
    let consumerId = 0;
    const { popped, failures } = await drill(
      setup,
      async (client) => {
        const reply = (await client.call('XREADGROUP', 'GROUP', 'workers', `c${consumerId++ % 10}`, 'COUNT', '1', 'BLOCK', '10000', 'STREAMS', 'stream:jobs', '>')) as RespValue;
        if (reply === null) return [];
        // RESP3: { 'stream:jobs': [[id, ['n', value]]] }
        const entries = (reply as Record<string, RespValue[][]>)['stream:jobs'] ?? [];
        return entries.map((entry) => String((entry[1] as RespValue[])[1]));
      },
      (client, n) => client.call('XADD', 'stream:jobs', '*', 'n', String(n)),
    );
    assert.equal(failures, []);
    assertExactlyOnce(popped);
    assert.ok(count(setup.events, 'command.carried') >= 1);
  } finally {
    await setup.close();
  }
});

test('XREAD BLOCK … $ carried: an entry added after the bind is returned; the block time left is honoured', async () => {
  const setup = await simulatedClient({ poolSize: 1, maintNotifications: { endpointType: 'internal-ip' } });
  const { sim, client, events } = setup;
  try {
    await client.call('XADD', 'feed', '*', 'old', '1');
    const read = client.call('XREAD', 'BLOCK', '0', 'STREAMS', 'feed', '$');
    const timed = (async () => {
      const started = Date.now();
      const reply = await client.call('BLPOP', 'never', '2');
      return { reply, ms: Date.now() - started };
    })();
    await until(() => client.state().connections.filter((c) => c.dedicated && c.inflight === 1).length === 2, 5000, 'both waiting');
    await sim.run({ type: 'bind', parameters: { time_s: 1 } });
    await client.call('XADD', 'feed', '*', 'new', '2');
    const reply = (await read) as Record<string, RespValue[][]>;
    const fields = (reply['feed'] ?? []).map((entry) => entry[1]);
    assert.equal(fields, [['new', '2']], 'only the entry added after the call, not the older one');
    const { reply: timedOut, ms } = await timed;
    assert.is(timedOut, null);
    assert.ok(ms >= 1900 && ms < 2900, `one call of ~2 s, took ${ms} ms`);
    assert.is(count(events, 'command.carried'), 2);
  } finally {
    await setup.close();
  }
});

test('without CLIENT UNBLOCK (ACL): commands block in slices, a bind still carries them without error or loss', async () => {
  const setup = await simulatedClient({ poolSize: 1, maintNotifications: { endpointType: 'internal-ip' } });
  const [host, port] = (setup.sim.endpoints[0] as string).split(':');
  await setup.client.call('ACL', 'SETUSER', 'worker', 'on', '>secret', '~*', '&*', '+@all', '-client|unblock');
  const worker = createMaintClient({
    host: host as string,
    port: Number(port),
    username: 'worker',
    password: 'secret',
    poolSize: 1,
    commandTimeout: 400,
    maintNotifications: { endpointType: 'internal-ip', relaxedTimeout: 2500, handoffTimeout: 3000 },
  });
  const workerEvents: LifecycleEvent[] = [];
  worker.events$.subscribe((event) => workerEvents.push(event));
  try {
    await worker.connect();
    const results: Array<RespValue | string> = [];
    const consumers = Array.from({ length: 3 }, async () => {
      try {
        results.push(await worker.call('BLPOP', 'acl:jobs', '8'));
      } catch (error) {
        results.push(error instanceof HitlessError ? error.code : String(error));
      }
    });
    await until(() => worker.state().connections.filter((c) => c.dedicated && c.inflight === 1).length === 3, 5000, 'three waiting');
    await setup.sim.run({ type: 'bind', parameters: { time_s: 2 } });
    for (const n of [1, 2, 3]) await setup.client.call('RPUSH', 'acl:jobs', String(n));
    await Promise.all(consumers);
    assert.equal(results.map((r) => (Array.isArray(r) ? r[1] : r)).sort(), ['1', '2', '3']);
    assert.is(count(workerEvents, 'command.carried'), 0, 'no CLIENT UNBLOCK was possible');
    assert.is(count(workerEvents, 'handoff.succeeded'), 4, 'the pooled and the three dedicated connections moved');
    for (const connection of worker.state().connections) assert.is(connection.endpoint, setup.sim.activeEndpoint);
  } finally {
    await worker.close();
    await setup.close();
  }
});

test('a handoff that fails (target refusing) falls back to a reconnect, and the wait is still carried there, without error', async () => {
  const setup = await simulatedClient({ poolSize: 1, maintNotifications: { endpointType: 'internal-ip', maxHandoffRetries: 1 } });
  const { sim, client, events } = setup;
  try {
    const waiting = client.call('BLPOP', 'fallback:q', '10');
    await until(() => client.state().connections.some((c) => c.dedicated && c.inflight === 1), 5000, 'waiting');
    await sim.run({ type: 'bind', parameters: { time_s: 2, refuse_target_s: 0.3 } });
    await client.call('RPUSH', 'fallback:q', 'job');
    assert.equal(await waiting, ['fallback:q', 'job']);
    assert.ok(count(events, 'handoff.failed') >= 1, 'the handoff failed');
    assert.is(count(events, 'command.carried'), 1);
  } finally {
    await setup.close();
  }
});

test('endpoint type none (same address, DNS re-pointed): no CLIENT UNBLOCK (it could reach another server); a wait still pending at the drain bound fails typed and retryable', async () => {
  const setup = await simulatedClient({ poolSize: 1, maintNotifications: { endpointType: 'none' } });
  const { sim, client, events } = setup;
  try {
    const waiting = client.call('BLPOP', 'none:q', '0').then(() => null, (error: unknown) => error as HitlessError);
    await until(() => client.state().connections.some((c) => c.dedicated && c.inflight === 1), 5000, 'waiting');
    await sim.run({ type: 'bind', parameters: { time_s: 1, dns_follows_s: 0.2 } });
    const error = await waiting;
    assert.is(error?.code, 'ERR_HANDOFF');
    assert.ok(error?.retryable);
    assert.is(count(events, 'command.carried'), 0);
    await client.call('RPUSH', 'none:q', 'x');
    assert.equal(await client.call('BLPOP', 'none:q', '1'), ['none:q', 'x']);
  } finally {
    await setup.close();
  }
});

test.run();
