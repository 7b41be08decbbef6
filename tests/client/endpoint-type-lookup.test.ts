import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintClient } from '../../src/index.js';
import { createMaintSimulator, type MaintSimulator, type SimulatorEvent } from '../../src/simulator/index.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { until } from '../helpers/client.js';

/**
 * `endpointType: 'auto'` with a host name needs a DNS lookup (SPEC §4), but only the opt-in in
 * the handshake needs its answer: the first socket is dialled while the lookup runs, and the
 * handshake waits for it. (Before, the dial waited for the lookup: two lookups in a row.)
 */
let server: RedisProcess;
let sim: MaintSimulator;
const events: SimulatorEvent[] = [];
test.before(async () => {
  server = await startRedis();
  sim = await createMaintSimulator({ upstream: { host: server.host, port: server.port }, endpoints: 1 });
  sim.events$.subscribe((event) => events.push(event));
});
test.after(async () => {
  await sim?.close();
  await server?.stop();
});

test('the first socket is dialled while the endpoint type is looked up; the opt-in carries the answer', async () => {
  let answer: (addresses: Array<{ address: string }>) => void = () => {};
  const lookup = () => new Promise<Array<{ address: string }>>((resolve) => (answer = resolve));
  const port = Number((sim.endpoints[0] as string).split(':')[1]);
  const client = createMaintClient({ host: 'localhost', port, poolSize: 1 }, { lookup });
  try {
    const connected = client.connect();
    await until(() => events.some((event) => event.type === 'connection.opened'), 3000, 'a socket accepted while the lookup is unanswered');
    assert.not.ok(events.some((event) => event.type === 'connection.optedIn'), 'no opt-in before the endpoint type is known');
    answer([{ address: '203.0.113.7' }]); // a public address: external
    await connected;
    await until(() => events.some((event) => event.type === 'connection.optedIn'), 3000, 'the opt-in');
    const optIn = events.find((event) => event.type === 'connection.optedIn') as Extract<SimulatorEvent, { type: 'connection.optedIn' }>;
    assert.is(optIn.endpointType, 'external-ip');
    assert.is(await client.call('PING'), 'PONG');
  } finally {
    await client.close();
  }
});

test.run();
