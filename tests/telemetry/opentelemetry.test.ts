import { readFileSync } from 'node:fs';
import type { Attributes } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { Subject } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintClient, type LifecycleEvent, type MaintClient, type MaintClientOptions } from '../../src/index.js';
import { createMaintSimulator, type MaintSimulator } from '../../src/simulator/index.js';
import { instrumentOpenTelemetry, OTEL_METRIC_NAMES } from '../../src/telemetry/opentelemetry.js';
import { until } from '../helpers/client.js';
import { count, portOf } from '../helpers/simulated.js';

// One simulator for the drills (starting one waits for its replica to sync).
let sim: MaintSimulator;
test.before(async () => {
  sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
});
test.after(async () => {
  await sim.close();
});

/** A client on the simulator's active endpoint that records its events. */
async function simulatedClient(options: MaintClientOptions) {
  const [host, port] = sim.activeEndpoint.split(':') as [string, string];
  const client = createMaintClient({ host, port: Number(port), commandTimeout: 400, connectTimeout: 500, ...options });
  const events: LifecycleEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  await client.connect();
  return { sim, client, events, close: () => client.close() };
}

/** A reader collected by hand: no export timer. */
class ManualReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

interface Point {
  attributes: Attributes;
  value: unknown;
}

function setupMeter() {
  const reader = new ManualReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('hitless-test');
  async function collect(): Promise<Map<string, MetricData>> {
    const { resourceMetrics, errors } = await reader.collect();
    assert.equal(errors, []);
    return new Map(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
  }
  return { meter, collect, shutdown: () => provider.shutdown() };
}

function points(metrics: Map<string, MetricData>, name: string): Point[] {
  return (metrics.get(name)?.dataPoints ?? []).map((point) => ({ attributes: point.attributes, value: point.value }));
}

/** The value of the one point whose attributes include `match`. */
function valueOf(metrics: Map<string, MetricData>, name: string, match: Attributes): unknown {
  const found = points(metrics, name).filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value));
  assert.is(found.length, 1, `one ${name} point for ${JSON.stringify(match)}: ${JSON.stringify(points(metrics, name))}`);
  return (found[0] as Point).value;
}

const BASE = { 'db.system.name': 'redis', 'redis.client.library': 'hitless:0.1.0', 'db.client.connection.pool.name': 'test-pool' };

test('migrate and bind: notifications, relaxations and handoffs with the official names and attributes', async () => {
  const setup = await simulatedClient({ poolSize: 2, maintNotifications: { relaxedTimeout: 2500, postHandoffRelaxedDuration: 300 } });
  const { sim, client, events } = setup;
  const { meter, collect, shutdown } = setupMeter();
  const stop = instrumentOpenTelemetry(client, meter, { attributes: { 'db.client.connection.pool.name': 'test-pool' } });
  const from = Number(portOf(sim.activeEndpoint));
  const to = Number(portOf(sim.endpoints.find((endpoint) => endpoint !== sim.activeEndpoint) as string));
  try {
    const migrate = sim.run({ type: 'migrate', parameters: { time_s: 2, duration_s: 0.5, delay_ms: 10 } });
    await until(() => count(events, 'connection.relaxed') === 2, 5000, 'both connections relaxed');
    const during = await collect();
    const relaxedSeries = { ...BASE, 'server.address': '127.0.0.1', 'server.port': from, 'redis.client.connection.notification': 'MIGRATING' };
    assert.equal(points(during, OTEL_METRIC_NAMES.relaxedTimeout), [{ attributes: relaxedSeries, value: 2 }], 'two relaxed connections');
    await migrate;
    await sim.run({ type: 'bind', parameters: { time_s: 1 } });
    await until(() => events.filter((e) => e.type === 'connection.unrelaxed' && e.reason === 'post-handoff-expired').length === 2, 5000, 'post-handoff relaxations over');

    const metrics = await collect();
    // redis.client.maintenance.notifications: one per push each connection received.
    const notifications = metrics.get(OTEL_METRIC_NAMES.notifications);
    assert.is(notifications?.descriptor.unit, '{notification}');
    assert.ok(notifications?.dataPointType === DataPointType.SUM && notifications.isMonotonic);
    for (const type of ['MIGRATING', 'MIGRATED', 'MOVING'] as const) {
      const received = events.filter((e) => e.type === 'notification.received' && e.notification.type === type).length;
      assert.is(received, 2, `${type} on both connections`);
      const attributes = { ...BASE, 'server.address': '127.0.0.1', 'server.port': from, 'redis.client.connection.notification': type };
      assert.equal(points(metrics, OTEL_METRIC_NAMES.notifications).filter((p) => p.attributes['redis.client.connection.notification'] === type), [{ attributes, value: received }]);
    }

    // redis.client.connection.relaxed_timeout: up and down on the same series, back to 0.
    const relaxedTimeout = metrics.get(OTEL_METRIC_NAMES.relaxedTimeout);
    assert.is(relaxedTimeout?.descriptor.unit, '{relaxation}');
    assert.ok(relaxedTimeout?.dataPointType === DataPointType.SUM && !relaxedTimeout.isMonotonic, 'an UpDownCounter');
    assert.equal(points(metrics, OTEL_METRIC_NAMES.relaxedTimeout), [
      { attributes: relaxedSeries, value: 0 },
      { attributes: { ...BASE, 'server.address': '127.0.0.1', 'server.port': to, 'redis.client.connection.notification': 'MOVING' }, value: 0 },
    ]);

    // redis.client.connection.handoff: completed handoffs only (as the official clients count them),
    // from the old endpoint to the new one; every step by outcome on the hitless counter.
    assert.is(metrics.get(OTEL_METRIC_NAMES.handoff)?.descriptor.unit, '{handoff}');
    const handoff = { ...BASE, 'server.address': '127.0.0.1', 'server.port': from, 'redis.client.connection.handoff.target.address': '127.0.0.1', 'redis.client.connection.handoff.target.port': to };
    assert.equal(points(metrics, OTEL_METRIC_NAMES.handoff), [{ attributes: handoff, value: 2 }]);
    assert.equal(points(metrics, OTEL_METRIC_NAMES.handoffAttempts), [
      { attributes: { ...handoff, 'redis.client.connection.handoff.outcome': 'started' }, value: 2 },
      { attributes: { ...handoff, 'redis.client.connection.handoff.outcome': 'succeeded' }, value: 2 },
    ]);

    // redis.client.connection.handoff.duration: seconds, one sample per finished handoff.
    const duration = metrics.get(OTEL_METRIC_NAMES.handoffDuration);
    assert.is(duration?.descriptor.unit, 's');
    assert.is(duration?.dataPointType, DataPointType.HISTOGRAM);
    const histogram = valueOf(metrics, OTEL_METRIC_NAMES.handoffDuration, { 'redis.client.connection.handoff.outcome': 'succeeded' }) as { count: number; sum: number; buckets: { boundaries: number[] } };
    const durations = events.flatMap((e) => (e.type === 'handoff.succeeded' ? [e.durationMs / 1000] : []));
    assert.is(histogram.count, 2);
    assert.ok(Math.abs(histogram.sum - (durations[0] ?? 0) - (durations[1] ?? 0)) < 1e-9, `sum ${histogram.sum} vs ${durations.join(', ')}`);
    assert.equal(histogram.buckets.boundaries, [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]);
  } finally {
    stop();
    await shutdown();
    await setup.close();
  }
});

test('the function it returns stops recording', async () => {
  const setup = await simulatedClient({ poolSize: 1, maintNotifications: { relaxedTimeout: 2500, postHandoffRelaxedDuration: 200 } });
  const { meter, collect, shutdown } = setupMeter();
  const stop = instrumentOpenTelemetry(setup.client, meter);
  try {
    await setup.sim.run({ type: 'migrate', parameters: { time_s: 1, duration_s: 0.2, delay_ms: 0 } });
    await until(() => count(setup.events, 'connection.unrelaxed') === 1, 5000, 'MIGRATED handled');
    const before = await collect();
    assert.is(valueOf(before, OTEL_METRIC_NAMES.notifications, { 'redis.client.connection.notification': 'MIGRATING' }), 1);
    assert.is(valueOf(before, OTEL_METRIC_NAMES.notifications, { 'redis.client.connection.notification': 'MIGRATED' }), 1);
    stop();
    stop(); // idempotent
    await setup.sim.run({ type: 'bind', parameters: { time_s: 1 } });
    await until(() => count(setup.events, 'handoff.succeeded') === 1, 5000, 'the handoff');
    const after = await collect();
    assert.equal(points(after, OTEL_METRIC_NAMES.notifications), points(before, OTEL_METRIC_NAMES.notifications), 'unchanged');
    assert.is(points(after, OTEL_METRIC_NAMES.notifications).length, 2, 'MIGRATING and MIGRATED only, no MOVING');
    assert.equal(points(after, OTEL_METRIC_NAMES.handoff), [], 'no handoff recorded');
    assert.equal(points(after, OTEL_METRIC_NAMES.handoffDuration), []);
  } finally {
    await shutdown();
    await setup.close();
  }
});

/** Events fed by hand, for the cases a drill does not reach reliably. */
function fakeClient() {
  const events = new Subject<LifecycleEvent>();
  return { client: { events$: events.asObservable() } as unknown as MaintClient, emit: (event: LifecycleEvent) => events.next(event) };
}

test('failed handoffs, connections closed while relaxed, unreadable notifications', async () => {
  const { client, emit } = fakeClient();
  const { meter, collect, shutdown } = setupMeter();
  const stop = instrumentOpenTelemetry(client, meter);
  emit({ type: 'handoff.started', connectionId: 'c1', from: '10.0.0.1:6379', to: '[::1]:7000', seq: 3, at: 1_000 });
  emit({ type: 'handoff.failed', connectionId: 'c1', to: '[::1]:7000', seq: 3, attempts: 3, reason: 'refused', at: 3_500 });
  emit({ type: 'handoff.failed', connectionId: 'c9', to: 'not an endpoint:x', seq: -1, attempts: 0, reason: 'cancelled', at: 4_000 });
  emit({ type: 'connection.relaxed', connectionId: 'c2', endpoint: '10.0.0.1:6379', source: 'FAILING_OVER:4', timeoutMs: 10_000, at: 1 });
  emit({ type: 'connection.relaxed', connectionId: 'c3', endpoint: '10.0.0.1:6379', source: 'SMIGRATING:5', timeoutMs: 10_000, at: 1 });
  emit({ type: 'connection.closed', connectionId: 'c2', endpoint: '10.0.0.1:6379', at: 2 });
  emit({ type: 'connection.closed', connectionId: 'c2', endpoint: '10.0.0.1:6379', at: 3 });
  emit({ type: 'notification.invalid', connectionId: 'c3', endpoint: '10.0.0.1:6379', notificationType: 'MOVING', reason: 'bad port', at: 4 });
  try {
    const metrics = await collect();
    const base = { 'db.system.name': 'redis', 'redis.client.library': 'hitless:0.1.0' };
    const server = { 'server.address': '10.0.0.1', 'server.port': 6379 };
    const target = { 'redis.client.connection.handoff.target.address': '::1', 'redis.client.connection.handoff.target.port': 7000 };
    assert.equal(points(metrics, OTEL_METRIC_NAMES.handoff), [], 'no completed handoff');
    assert.equal(points(metrics, OTEL_METRIC_NAMES.handoffAttempts), [
      { attributes: { ...base, ...server, 'redis.client.connection.handoff.outcome': 'started', ...target }, value: 1 },
      { attributes: { ...base, ...server, 'redis.client.connection.handoff.outcome': 'failed', ...target }, value: 1 },
      { attributes: { ...base, 'redis.client.connection.handoff.outcome': 'failed' }, value: 1 },
    ]);
    const failed = points(metrics, OTEL_METRIC_NAMES.handoffDuration);
    assert.is(failed.length, 1, 'a duration only where the start was seen');
    assert.equal((failed[0]?.value as { count: number; sum: number }).sum, 2.5);
    assert.equal(points(metrics, OTEL_METRIC_NAMES.relaxedTimeout), [
      { attributes: { ...base, ...server, 'redis.client.connection.notification': 'FAILING_OVER' }, value: 0 },
      { attributes: { ...base, ...server, 'redis.client.connection.notification': 'SMIGRATING' }, value: 1 },
    ]);
    assert.equal(points(metrics, OTEL_METRIC_NAMES.notifications), [{ attributes: { ...base, ...server, 'redis.client.connection.notification': 'MOVING' }, value: 1 }]);
  } finally {
    stop();
    await shutdown();
  }
});

test('stopping takes the connections still relaxed off the gauge', async () => {
  const { client, emit } = fakeClient();
  const { meter, collect, shutdown } = setupMeter();
  const stop = instrumentOpenTelemetry(client, meter);
  emit({ type: 'connection.relaxed', connectionId: 'c1', endpoint: '10.0.0.1:6379', source: 'MIGRATING:1', timeoutMs: 10_000, at: 1 });
  try {
    assert.is(points(await collect(), OTEL_METRIC_NAMES.relaxedTimeout)[0]?.value, 1);
    stop();
    assert.is(points(await collect(), OTEL_METRIC_NAMES.relaxedTimeout)[0]?.value, 0, 'back to 0, not stuck at 1');
  } finally {
    await shutdown();
  }
});

test('@opentelemetry/api is imported for its types only', () => {
  const source = readFileSync(new URL('../../src/telemetry/opentelemetry.ts', import.meta.url), 'utf8');
  const imports = source.split('\n').filter((line) => /from '@opentelemetry\//.test(line));
  assert.is(imports.length, 1);
  assert.match(imports[0] as string, /^import type \{[^}]*\} from '@opentelemetry\/api';$/);
});

test.run();
