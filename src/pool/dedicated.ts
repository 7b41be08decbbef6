import { ConnectionError, TimeoutError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import type { Endpoint } from '../protocol/endpoint.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import { timerDelay, type Clock } from '../transport/clock.js';
import { callBlocking, type BlockingHost } from './blocking-call.js';
import type { Connection } from './connection.js';
import type { UnblockResult } from './unblock.js';

export interface DedicatedHost {
  clock: Clock;
  /** Opens a new dedicated connection (a child of the pool actor). */
  spawn(): Connection;
  stop(connection: Connection): void;
  lastError(connection: Connection): Error | undefined;
  /** How many dedicated connections may be open at once (maxActive − poolSize, or Infinity). */
  capacity: number;
  commandTimeout: number;
  emit: EmitEvent;
  /** CLIENT UNBLOCK <id> ERROR at `endpoint` over another connection (see unblock.ts). */
  unblock(endpoint: Endpoint, clientId: number, timeoutMs: number): Promise<UnblockResult>;
}

/** An idle dedicated connection is closed after this long. */
export const DEDICATED_IDLE_MS = 30_000;

interface Waiter {
  resolve(connection: Connection): void;
  reject(error: Error): void;
  timer: unknown;
}

/**
 * Connections lent to one caller at a time (blocking commands, WATCH), apart from the multiplexed
 * pool: reused while idle, closed after DEDICATED_IDLE_MS unused, and never more than
 * `capacity` at once — a caller beyond that waits for one to be given back, within its deadline.
 */
export class DedicatedConnections {
  private readonly idle = new Map<Connection, unknown>();
  private readonly waiters: Waiter[] = [];
  private open = 0;
  private closed = false;
  private readonly blocking: BlockingHost;

  constructor(private readonly host: DedicatedHost) {
    this.blocking = {
      clock: host.clock,
      commandTimeout: host.commandTimeout,
      lease: (ms) => this.lease(ms),
      release: (connection) => this.release(connection),
      unblock: (endpoint, id, ms) => host.unblock(endpoint, id, ms),
      emit: host.emit,
      unblockAllowed: undefined,
    };
  }

  /** A blocking command on a leased connection, carried across handoffs (see blocking-call.ts). `tuple` includes the name. */
  call(tuple: RespArgument[], blockMs: number, binary: boolean): Promise<RespValue> {
    return callBlocking(this.blocking, tuple, blockMs, binary);
  }

  async lease(timeoutMs: number): Promise<Connection> {
    if (this.closed) throw closedError();
    for (const [connection, timer] of this.idle) {
      if (!connection.ready) continue;
      this.idle.delete(connection);
      this.host.clock.clearTimeout(timer);
      connection.leased = true;
      return connection;
    }
    if (this.open >= this.host.capacity) return this.wait(timeoutMs);
    this.open++;
    const connection = this.host.spawn();
    connection.leased = true;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        connection.whenChanged = undefined;
        if (connection.ready) return resolve();
        if (connection.state === 'reconnecting' || connection.state === 'closed' || this.closed) {
          this.host.stop(connection);
          return reject(this.closed ? closedError() : (this.host.lastError(connection) ?? new ConnectionError('ERR_CONNECT', 'Could not open a dedicated connection', { retryable: true })));
        }
        connection.whenChanged = check;
      };
      check();
    });
    return connection;
  }

  release(connection: Connection): void {
    connection.leased = false;
    if (this.closed || connection.state === 'closing' || connection.state === 'closed') {
      this.host.stop(connection);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter !== undefined && connection.ready) {
      this.host.clock.clearTimeout(waiter.timer);
      connection.leased = true;
      waiter.resolve(connection);
      return;
    }
    if (waiter !== undefined) this.waiters.unshift(waiter);
    // Kept even while it hands off or reconnects: it is lent again once it is ready.
    this.idle.set(connection, this.host.clock.setTimeout(() => {
      this.idle.delete(connection);
      this.host.stop(connection);
    }, DEDICATED_IDLE_MS));
  }

  /** A dedicated connection ended (stopped, or crashed). */
  onClosed(connection: Connection): void {
    this.open--;
    const timer = this.idle.get(connection);
    if (timer !== undefined) this.host.clock.clearTimeout(timer);
    this.idle.delete(connection);
  }

  closeAll(): void {
    this.closed = true;
    for (const timer of this.idle.values()) this.host.clock.clearTimeout(timer);
    this.idle.clear();
    for (const waiter of this.waiters.splice(0)) {
      this.host.clock.clearTimeout(waiter.timer);
      waiter.reject(closedError());
    }
  }

  private wait(timeoutMs: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      // A command that blocks forever waits for a connection as long as it takes.
      if (timeoutMs !== Infinity) {
        waiter.timer = this.host.clock.setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index !== -1) this.waiters.splice(index, 1);
          reject(new TimeoutError('ERR_COMMAND_TIMEOUT', timeoutMs, 'waiting for a dedicated connection (maxActive reached)', false));
        }, timerDelay(timeoutMs));
      }
      this.waiters.push(waiter);
    });
  }
}

function closedError(): ConnectionError {
  return new ConnectionError('ERR_CLIENT_CLOSED', 'The client is closed');
}
