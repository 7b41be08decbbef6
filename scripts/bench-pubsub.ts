/**
 * Pub/sub benchmark, hitless vs node-redis vs ioredis (one subscriber each, one hitless publisher):
 *  1. throughput: messages/s delivered to one subscriber while the publisher pipelines N messages;
 *  2. latency publish → listener at a paced rate (p50, p99, max);
 *  3. a `bind` through the simulator at 2 000 msg/s: messages lost, doubled, out of order.
 *
 *   node --import tsx scripts/bench-pubsub.ts [--messages 100000] [--rate 2000] [--only hitless,node-redis,ioredis]
 *
 * Everything runs in this process on a shared machine: the numbers compare clients, they are no
 * absolute capacity. node-redis runs RESP3 with maintNotifications 'enabled' (its SCH support);
 * ioredis 6.0 has none (it reconnects after the old endpoint cuts it).
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createMaintClient, type MaintClient } from '../src/index.js';
import { createMaintSimulator } from '../src/simulator/index.js';
import { startRedisServer } from '../src/simulator/redis-process.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, messages: { type: 'string', default: '100000' }, rate: { type: 'string', default: '2000' }, only: { type: 'string', default: 'hitless,node-redis,ioredis' } } });
const MESSAGES = Number(values.messages);
const RATE = Number(values.rate);
const CLIENTS = values.only.split(',') as Array<'hitless' | 'node-redis' | 'ioredis'>;

interface Subscriber {
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}

async function subscriber(kind: (typeof CLIENTS)[number], host: string, port: number, simulated: boolean): Promise<Subscriber> {
  if (kind === 'hitless') {
    const client = createMaintClient({ host, port, poolSize: 1, commandTimeout: 1000, maintNotifications: { mode: simulated ? 'enabled' : 'auto', endpointType: 'internal-ip', relaxedTimeout: 5000 } });
    await client.connect();
    return { subscribe: async (channel, on) => void (await client.subscribe([channel], (m) => on(m.message))), close: () => client.close() };
  }
  if (kind === 'node-redis') {
    const client = createClient({ socket: { host, port }, RESP: 3, maintNotifications: simulated ? 'enabled' : 'disabled', maintEndpointType: 'internal-ip', maintRelaxedCommandTimeout: 5000 });
    client.on('error', () => {});
    await client.connect();
    return { subscribe: async (channel, on) => void (await client.subscribe(channel, (message: string) => on(message))), close: async () => void (await client.close().catch(() => undefined)) };
  }
  const client = new Redis({ host, port, lazyConnect: true });
  client.on('error', () => {});
  await client.connect();
  return {
    async subscribe(channel, on) {
      client.on('message', (_channel: string, message: string) => on(message));
      await client.subscribe(channel);
    },
    close: async () => void client.disconnect(),
  };
}

async function publisherAt(host: string, port: number): Promise<MaintClient> {
  const client = createMaintClient({ host, port, poolSize: 1, commandTimeout: 2000, maintNotifications: { endpointType: 'internal-ip', relaxedTimeout: 5000 } });
  await client.connect();
  return client;
}

const pct = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pipelines `count` PUBLISHes with at most `window` in flight; resolves when all are acknowledged. */
async function burst(publisher: MaintClient, channel: string, count: number, window = 512): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const n = next++;
      await publisher.publish(channel, `${performance.now()}|${n}`);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
}

async function steady(kind: (typeof CLIENTS)[number]) {
  const server = await startRedisServer();
  const publisher = await publisherAt(server.host, server.port);
  const sub = await subscriber(kind, server.host, server.port, false);
  try {
    let received = 0;
    let lastAt = 0;
    let paced = false;
    const latencies = new Float64Array(Math.ceil(RATE * 3) + 16);
    let latencyCount = 0;
    await sub.subscribe('bench:ch', (message) => {
      received++;
      lastAt = performance.now();
      if (paced && latencyCount < latencies.length) latencies[latencyCount++] = lastAt - Number(message.slice(0, message.indexOf('|')));
    });
    await pause(200);
    const started = performance.now();
    await burst(publisher, 'bench:ch', MESSAGES);
    const deadline = performance.now() + 10_000;
    while (received < MESSAGES && performance.now() < deadline) await pause(5);
    const throughput = received / ((lastAt - started) / 1000);
    const delivered = received;
    // Paced: one message every 1/RATE s for 3 s.
    paced = true;
    const pacedStart = performance.now();
    for (let n = 0; n < RATE * 3; n++) {
      const due = pacedStart + (n * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await pause(wait);
      void publisher.publish('bench:ch', `${performance.now()}|${n}`);
    }
    await pause(500);
    const sorted = latencies.slice(0, latencyCount).sort();
    return { client: kind, messages: MESSAGES, delivered, msgsPerS: Math.round(throughput), p50Ms: pct(sorted, 50), p99Ms: pct(sorted, 99), maxMs: sorted[sorted.length - 1] ?? 0 };
  } finally {
    await sub.close();
    await publisher.close();
    await server.stop();
  }
}

async function duringBind(kind: (typeof CLIENTS)[number]) {
  const sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
  const [host, portText] = (sim.endpoints[0] as string).split(':') as [string, string];
  const port = Number(portText);
  const publisher = await publisherAt(host, port);
  const sub = await subscriber(kind, host, port, true);
  const got: number[] = [];
  const acked: number[] = [];
  const uncertain = new Set<number>();
  try {
    await sub.subscribe('bench:bind', (message) => got.push(Number(message.slice(message.indexOf('|') + 1))));
    await pause(200);
    let running = true;
    let sent = 0;
    const started = performance.now();
    const outstanding: Array<Promise<void>> = [];
    const loop = (async () => {
      while (running) {
        const due = Math.floor(((performance.now() - started) / 1000) * RATE);
        for (; sent < due; sent++) {
          const n = sent;
          outstanding.push(publisher.publish('bench:bind', `${performance.now()}|${n}`).then(() => void acked.push(n), () => void uncertain.add(n)));
        }
        await pause(2);
      }
    })();
    await pause(1000);
    // The old address follows the move after 1 s, so that a client without SCH can reconnect there.
    await sim.run({ type: 'bind', parameters: { time_s: 3, dns_follows_s: 1 } });
    await pause(2000);
    running = false;
    await loop;
    await Promise.all(outstanding);
    await pause(500);
    const seen = new Set<number>();
    let doubled = 0;
    let outOfOrder = 0;
    let last = -1;
    for (const n of got) {
      if (seen.has(n)) doubled++;
      else if (n < last) outOfOrder++;
      seen.add(n);
      last = Math.max(last, n);
    }
    const lost = acked.filter((n) => !seen.has(n)).length;
    return { client: kind, published: acked.length, publishFailed: uncertain.size, received: got.length, lost, doubled, outOfOrder };
  } finally {
    await sub.close();
    await publisher.close();
    await sim.close();
  }
}

const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v));
const ROUNDS = Number(values.rounds);
type SteadyRow = Awaited<ReturnType<typeof steady>>;
const rounds = new Map<string, SteadyRow[]>(CLIENTS.map((kind) => [kind, []]));
// Clients alternate round by round: the machine is shared, so load from elsewhere hits each alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of CLIENTS) {
    const row = await steady(kind);
    (rounds.get(kind) as SteadyRow[]).push(row);
    console.error('steady', round, JSON.stringify(row));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const steadyRows = CLIENTS.map((kind) => {
  const rows = rounds.get(kind) as SteadyRow[];
  return { client: kind, rounds: rows.length, msgsPerS: median(rows.map((r) => r.msgsPerS)), p50Ms: median(rows.map((r) => r.p50Ms)), p99Ms: median(rows.map((r) => r.p99Ms)), maxMs: median(rows.map((r) => r.maxMs)) };
});
const bindRows = [];
for (const kind of CLIENTS) {
  bindRows.push(await duringBind(kind));
  console.error('bind', JSON.stringify(bindRows.at(-1)));
}
console.log(`pub/sub: ${MESSAGES} pipelined messages, then ${RATE} msg/s for 3 s; median of ${ROUNDS} alternating rounds; node ${process.version}`);
console.log('| client | msgs/s delivered | latency p50 ms | p99 ms | max ms |');
console.log('|---|---|---|---|---|');
for (const r of steadyRows) console.log(`| ${r.client} | ${fmt(r.msgsPerS)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.maxMs)} |`);
console.log(`\nduring a bind (time_s 3, ${RATE} msg/s on one channel):`);
console.log('| client | acknowledged | publish failed | received | lost | doubled | out of order |');
console.log('|---|---|---|---|---|---|---|');
for (const r of bindRows) console.log(`| ${r.client} | ${r.published} | ${r.publishFailed} | ${r.received} | ${r.lost} | ${r.doubled} | ${r.outOfOrder} |`);
for (const r of [...steadyRows, ...bindRows]) console.log(JSON.stringify({ bench: 'pubsub', ...r }));
