/**
 * `host:port` text as it appears in MOVING / SMIGRATED notifications (SPEC §3).
 *
 * - split on the LAST colon, so a bare IPv6 address may carry a port (`2001:db8::7:6380`);
 * - `[v6]:port` and `[v6]` are accepted;
 * - no port means 6379;
 * - RESP null, absent, empty or the text `null` mean "none" (reconnect to the configured address).
 */
import { isIPv6 } from 'node:net';

/** A host and port. */
export type Endpoint = { host: string; port: number };

export type EndpointParseResult =
  | { readonly kind: 'endpoint'; readonly endpoint: Endpoint }
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly reason: string };

export const DEFAULT_REDIS_PORT = 6379;

const NONE: EndpointParseResult = { kind: 'none' };

export function parseEndpoint(text: string | null | undefined): EndpointParseResult {
  if (text === null || text === undefined) return NONE;
  if (typeof text !== 'string') return invalid('endpoint is not a string');
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'null') return NONE;

  if (trimmed.startsWith('[')) return parseBracketed(trimmed);

  const colon = trimmed.lastIndexOf(':');
  if (colon === -1) return withHost(trimmed, DEFAULT_REDIS_PORT);
  const port = parsePort(trimmed.slice(colon + 1));
  if (port === undefined) return invalid(`bad port in ${quote(trimmed)}`);
  return withHost(trimmed.slice(0, colon), port);
}

/** `[v6]:port` for IPv6 hosts, `host:port` otherwise; `parseEndpoint(formatEndpoint(e))` gives `e` back. */
export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/** Port text → 1..65535, or undefined. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

function parseBracketed(text: string): EndpointParseResult {
  const close = text.indexOf(']');
  if (close === -1) return invalid(`unclosed [ in ${quote(text)}`);
  const host = text.slice(1, close);
  const rest = text.slice(close + 1);
  if (!isIPv6(host)) return invalid(`${quote(host)} in brackets is not an IPv6 address`);
  if (rest === '') return endpoint(host, DEFAULT_REDIS_PORT);
  const port = rest.startsWith(':') ? parsePort(rest.slice(1)) : undefined;
  if (port === undefined) return invalid(`bad port in ${quote(text)}`);
  return endpoint(host, port);
}

function withHost(host: string, port: number): EndpointParseResult {
  if (host === '') return invalid('empty host');
  // A host with a colon can only be an IPv6 address; anything else is a mangled endpoint.
  if (host.includes(':') && !isIPv6(host)) return invalid(`${quote(host)} is not a host name or address`);
  if (/[\s[\]/@]/.test(host)) return invalid(`${quote(host)} is not a host name or address`);
  return endpoint(host, port);
}

function endpoint(host: string, port: number): EndpointParseResult {
  return { kind: 'endpoint', endpoint: { host, port } };
}

function invalid(reason: string): EndpointParseResult {
  return { kind: 'invalid', reason };
}

/** Quoted and shortened, so that a huge frame does not produce a huge reason. */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 61)}...` : text);
}
