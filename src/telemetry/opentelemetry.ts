/**
 * OpenTelemetry metrics for maintenance handling (SPEC §8), under the names the official clients
 * (node-redis, redis-py, go-redis) share. `@opentelemetry/api` is an optional peer dependency and
 * only its types are imported here: the caller passes a `Meter`, so hitless loads without it.
 *
 *   const stop = instrumentOpenTelemetry(client, metrics.getMeter('my-app'));
 *
 * Instruments (attributes as the official clients set them, plus hitless extensions):
 * - `redis.client.maintenance.notifications` — Counter `{notification}`: every maintenance push a
 *   connection received (readable or not). `redis.client.connection.notification` = its type
 *   (`MOVING`, `MIGRATING` …); `server.address` / `server.port` = the endpoint it arrived from.
 * - `redis.client.connection.relaxed_timeout` — UpDownCounter `{relaxation}`: +1 when a connection's
 *   timeout is relaxed, −1 when it is restored (or the connection closes while relaxed), so its value
 *   is the number of relaxed connections. `redis.client.connection.notification` = the notification
 *   that relaxed it (`MIGRATING`, `FAILING_OVER`, `SMIGRATING`, or `MOVING` for the relaxation
 *   after a handoff); the −1 carries the same attributes as its +1.
 * - `redis.client.connection.handoff` — Counter `{handoff}`: completed handoffs, as the official
 *   clients count them. `server.*` = the endpoint left;
 *   `redis.client.connection.handoff.target.address` / `.port` = the endpoint moved to.
 * - `hitless.client.connection.handoff.attempts` — Counter `{handoff}` (hitless only), every step by
 *   `redis.client.connection.handoff.outcome` = `started` | `succeeded` | `failed`.
 * - `redis.client.connection.handoff.duration` — Histogram, unit `s` (OTel's unit for durations, as
 *   the official clients' duration histograms): from handoff start to its outcome (`succeeded` or
 *   `failed`), same attributes as the counter.
 *
 * Every measurement also has `db.system.name` = `redis` and `redis.client.library` = `hitless:<version>`.
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import type { MaintClient } from '../client/client.js';
import type { LifecycleEvent } from '../events.js';
import { parseEndpoint } from '../protocol/endpoint.js';
import { LIB_NAME, VERSION } from '../version.js';

export const OTEL_METRIC_NAMES = {
  notifications: 'redis.client.maintenance.notifications',
  relaxedTimeout: 'redis.client.connection.relaxed_timeout',
  handoff: 'redis.client.connection.handoff',
  handoffAttempts: 'hitless.client.connection.handoff.attempts',
  handoffDuration: 'redis.client.connection.handoff.duration',
} as const;

export const OTEL_ATTRIBUTES = {
  dbSystemName: 'db.system.name',
  library: 'redis.client.library',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  notification: 'redis.client.connection.notification',
  handoffOutcome: 'redis.client.connection.handoff.outcome',
  handoffTargetAddress: 'redis.client.connection.handoff.target.address',
  handoffTargetPort: 'redis.client.connection.handoff.target.port',
} as const;

/** Options of `instrumentOpenTelemetry`. */
export interface OpenTelemetryOptions {
  /** Added to every measurement, e.g. `{ 'db.client.connection.pool.name': 'sessions' }`. */
  attributes?: Attributes;
}

/** The buckets (seconds) the official clients use for their duration histograms. */
const DURATION_BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/**
 * Records the client's maintenance activity on `meter` until the returned function is called (or
 * the client closes). Calling it more than once on the same client counts everything twice.
 */
export function instrumentOpenTelemetry(client: MaintClient, meter: Meter, options: OpenTelemetryOptions = {}): () => void {
  const notifications = meter.createCounter(OTEL_METRIC_NAMES.notifications, {
    unit: '{notification}',
    description: 'Number of maintenance notifications received',
  });
  const relaxedTimeout = meter.createUpDownCounter(OTEL_METRIC_NAMES.relaxedTimeout, {
    unit: '{relaxation}',
    description: 'Counts up when a connection timeout is relaxed after a maintenance notification, down when it is restored',
  });
  const handoff = meter.createCounter(OTEL_METRIC_NAMES.handoff, {
    unit: '{handoff}',
    description: 'Completed connection handoffs to another endpoint (after MOVING)',
  });
  const handoffAttempts = meter.createCounter(OTEL_METRIC_NAMES.handoffAttempts, {
    unit: '{handoff}',
    description: 'Connection handoffs started, succeeded and failed',
  });
  const handoffDuration = meter.createHistogram(OTEL_METRIC_NAMES.handoffDuration, {
    unit: 's',
    description: 'Duration of connection handoffs, from start to success or failure',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
  });

  const base: Attributes = {
    [OTEL_ATTRIBUTES.dbSystemName]: 'redis',
    [OTEL_ATTRIBUTES.library]: `${LIB_NAME}:${VERSION}`,
    ...options.attributes,
  };
  /** Attributes of each relaxed connection's +1, so that its −1 lands on the same series. */
  const relaxed = new Map<string, Attributes>();
  /** Handoffs under way: when they started and from where (handoff.failed does not say). */
  const handoffs = new Map<string, { at: number; from: string }>();

  const onEvent = (event: LifecycleEvent): void => {
    switch (event.type) {
      case 'notification.received':
        notifications.add(1, { ...base, ...server(event.endpoint), [OTEL_ATTRIBUTES.notification]: event.notification.type });
        return;
      case 'notification.invalid':
        notifications.add(1, { ...base, ...server(event.endpoint), [OTEL_ATTRIBUTES.notification]: event.notificationType });
        return;
      case 'connection.relaxed': {
        if (relaxed.has(event.connectionId)) return;
        const attributes = { ...base, ...server(event.endpoint), [OTEL_ATTRIBUTES.notification]: relaxingNotification(event.source) };
        relaxed.set(event.connectionId, attributes);
        relaxedTimeout.add(1, attributes);
        return;
      }
      case 'connection.unrelaxed':
      case 'connection.closed': {
        if (event.type === 'connection.closed') handoffs.delete(event.connectionId);
        const attributes = relaxed.get(event.connectionId);
        if (attributes === undefined) return;
        relaxed.delete(event.connectionId);
        relaxedTimeout.add(-1, attributes);
        return;
      }
      case 'handoff.started':
        handoffs.set(event.connectionId, { at: event.at, from: event.from });
        handoffAttempts.add(1, handoffAttributes('started', event.from, event.to));
        return;
      case 'handoff.succeeded': {
        handoffs.delete(event.connectionId);
        const attributes = handoffAttributes('succeeded', event.from, event.to);
        handoffAttempts.add(1, attributes);
        const { [OTEL_ATTRIBUTES.handoffOutcome]: _outcome, ...official } = attributes;
        handoff.add(1, official);
        handoffDuration.record(event.durationMs / 1000, attributes);
        return;
      }
      case 'handoff.failed': {
        const started = handoffs.get(event.connectionId);
        handoffs.delete(event.connectionId);
        const attributes = handoffAttributes('failed', started?.from, event.to);
        handoffAttempts.add(1, attributes);
        if (started !== undefined) handoffDuration.record(Math.max(0, event.at - started.at) / 1000, attributes);
        return;
      }
      default:
        return;
    }
  };

  const handoffAttributes = (outcome: 'started' | 'succeeded' | 'failed', from: string | undefined, to: string): Attributes => {
    const target = server(to);
    return {
      ...base,
      ...(from === undefined || from === '' ? {} : server(from)),
      [OTEL_ATTRIBUTES.handoffOutcome]: outcome,
      ...(target[OTEL_ATTRIBUTES.serverAddress] === undefined
        ? {}
        : { [OTEL_ATTRIBUTES.handoffTargetAddress]: target[OTEL_ATTRIBUTES.serverAddress], [OTEL_ATTRIBUTES.handoffTargetPort]: target[OTEL_ATTRIBUTES.serverPort] }),
    };
  };

  const subscription = client.events$.subscribe({ next: onEvent });
  return () => {
    subscription.unsubscribe();
    // Connections still relaxed leave the gauge: otherwise their series would stay up for good.
    for (const attributes of relaxed.values()) relaxedTimeout.add(-1, attributes);
    relaxed.clear();
    handoffs.clear();
  };
}

/** `server.address` / `server.port` (an int, as OTel's semantic conventions define it) of `host:port` text. */
function server(text: string): Attributes {
  const parsed = parseEndpoint(text);
  return parsed.kind === 'endpoint' ? { [OTEL_ATTRIBUTES.serverAddress]: parsed.endpoint.host, [OTEL_ATTRIBUTES.serverPort]: parsed.endpoint.port } : {};
}

/** A relaxation source (`MIGRATING:12`, `handoff`) as the notification type behind it: bounded cardinality. */
function relaxingNotification(source: string): string {
  if (source === 'handoff') return 'MOVING';
  const colon = source.indexOf(':');
  return colon === -1 ? source : source.slice(0, colon);
}
