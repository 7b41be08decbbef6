import { createMaintClient, type LifecycleEvent, type MaintClient, type MaintClientOptions } from '../../src/index.js';
import type { RedisProcess } from './redis.js';

export interface TestClient {
  client: MaintClient;
  events: LifecycleEvent[];
}

/** A client for `server` that records every lifecycle event from construction on. */
export function clientFor(server: RedisProcess, options: MaintClientOptions = {}): TestClient {
  const client = createMaintClient({ host: server.host, port: server.port, ...options });
  const events: LifecycleEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  return { client, events };
}

/** Resolves when `predicate` holds, checking after every event loop turn; rejects after `ms` (`what` may be a function: read at the timeout, for diagnostics). */
export async function until(predicate: () => boolean, ms = 5000, what: string | (() => string) = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Reads `read()` until it returns `expected` or `ms` have passed, and returns the last value read,
 * for the caller to assert on: what a server reports settles later than the client's own state
 * (it lists a closed client until it has read the FIN).
 */
export async function settled<T>(read: () => Promise<T>, expected: T, ms = 1000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = await read();
  }
  return value;
}

/** Counts the process's open sockets and timers, to show a test left none behind. */
export function openHandles(): { sockets: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return { sockets: info.filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length, timers: info.filter((r) => r === 'Timeout').length };
}
