/**
 * The `hitless/opentelemetry` entry point: kept apart from the main one so that its declarations
 * (which name `@opentelemetry/api` types) reach only users who install that optional peer.
 */
export { instrumentOpenTelemetry, OTEL_METRIC_NAMES, OTEL_ATTRIBUTES } from './telemetry/opentelemetry.js';
export type { OpenTelemetryOptions } from './telemetry/opentelemetry.js';
