import { ConnectionError, TimeoutError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import { formatEndpoint } from '../protocol/endpoint.js';
import type { Endpoint } from '../protocol/endpoint.js';
import { encodeCommand } from '../protocol/encoder.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import { timerDelay, type Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import type { Pipeline } from '../transport/pipeline.js';
import { dollarIds, withBlockTime } from './blocking-args.js';
import type { Connection } from './connection.js';
import { isUnblockedReply, type UnblockResult } from './unblock.js';

export interface BlockingHost {
  clock: Clock;
  commandTimeout: number;
  lease(timeoutMs: number): Promise<Connection>;
  release(connection: Connection): void;
  /** CLIENT UNBLOCK <id> ERROR at `endpoint`, over another connection. */
  unblock(endpoint: Endpoint, clientId: number, timeoutMs: number): Promise<UnblockResult>;
  emit: EmitEvent;
  /** Whether this client may use CLIENT UNBLOCK; learnt on the first blocking call. */
  unblockAllowed: boolean | undefined;
}

/** Without CLIENT UNBLOCK, blocking commands wait at most this long per issue (so a handoff's drain ends within it). */
export const BLOCK_SLICE_MS = 1000;
/** CLIENT UNBLOCK answered 0 while the command is still waiting (not blocked yet): ask again after this long. */
export const UNBLOCK_RETRY_MS = 20;

/**
 * One blocking call on a leased connection, carried across handoffs: when the connection's socket
 * is swapped while the command waits, it is cut short on the old endpoint with CLIENT UNBLOCK …
 * ERROR (nothing is taken) and issued again on the new socket with the block time it has left.
 * The caller sees one call honouring its original block time. Where CLIENT UNBLOCK is refused,
 * the command blocks in slices of BLOCK_SLICE_MS instead, so that a drain never waits longer.
 */
export async function callBlocking(host: BlockingHost, tuple: RespArgument[], blockMs: number, binary: boolean): Promise<RespValue> {
  const name = String(tuple[0]).toUpperCase();
  const started = host.clock.now();
  const connection = await host.lease(blockMs + host.commandTimeout);
  try {
    host.unblockAllowed ??= await probeUnblock(host, connection);
    const sliced = !host.unblockAllowed;
    const command = await resolveDollarIds(host, connection, tuple);
    let first = command === tuple && !sliced;
    for (;;) {
      const remaining = blockMs === Infinity ? Infinity : started + blockMs - host.clock.now();
      if (remaining <= 0) return null;
      const block = sliced ? Math.min(remaining, BLOCK_SLICE_MS) : remaining;
      const carry = new Carry(host);
      await whenReady(connection, host, name, remaining);
      connection.carry = carry;
      try {
        const reply = await issue(host, connection, name, first ? command : withBlockTime(command, block), block, binary);
        if (reply === null && block < remaining) continue;
        return reply;
      } catch (error) {
        // Cut short by us for a handoff: nothing was taken; issue it again on the new socket.
        if (!carry.requested || !isUnblockedReply(error)) throw error;
        const from = carry.from;
        const left = blockMs === Infinity ? Infinity : Math.max(0, started + blockMs - host.clock.now());
        await whenReady(connection, host, name, left);
        host.emit({ type: 'command.carried', connectionId: connection.id, command: name, from, to: connection.endpointText, remainingMs: left });
      } finally {
        connection.carry = null;
        first = false;
      }
    }
  } finally {
    host.release(connection);
  }
}

/** What a connection's swap calls while a blocking command waits on the old socket. */
export class Carry {
  /** An unblock was sent: a -UNBLOCKED reply from now on is ours. */
  requested = false;
  /** The endpoint it was cut short on. */
  from = '';

  constructor(private readonly host: BlockingHost) {}

  /** Ends the wait on the old socket (or sees its reply arrive) within `boundMs`. */
  async interrupt(old: Pipeline, endpoint: Endpoint, boundMs: number): Promise<void> {
    const id = old.clientId;
    if (id === undefined || this.host.unblockAllowed !== true) return;
    const clock = this.host.clock;
    const until = clock.now() + boundMs;
    this.from = formatEndpoint(endpoint);
    while (old.inflightCount > 0 && clock.now() < until) {
      this.requested = true;
      const result = await this.host.unblock(endpoint, id, Math.max(1, Math.min(this.host.commandTimeout, until - clock.now())));
      if (result === 'unblocked') return;
      if (result === 'refused') {
        this.host.unblockAllowed = false;
        return;
      }
      // Served (its reply is on the way), not blocked yet, or the side connection failed: look again shortly.
      let timer: unknown;
      await Promise.race([old.drained(), new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, UNBLOCK_RETRY_MS)))]);
      clock.clearTimeout(timer);
    }
  }
}

function issue(host: BlockingHost, connection: Connection, name: string, tuple: RespArgument[], blockMs: number, binary: boolean): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const command = new PendingCommand(name, encodeCommand(tuple), host.clock.now(), blockMs + host.commandTimeout, blockMs, resolve, reject);
    command.binary = binary;
    connection.write(command);
  });
}

/** Once per client: is CLIENT UNBLOCK allowed (ACL)? Id 0 is never a client, so nothing is unblocked. */
async function probeUnblock(host: BlockingHost, connection: Connection): Promise<boolean> {
  try {
    await issue(host, connection, 'CLIENT', ['CLIENT', 'UNBLOCK', '0', 'ERROR'], 0, false);
    return true;
  } catch (error) {
    if (error instanceof ConnectionError || error instanceof TimeoutError) throw error;
    return false;
  }
}

/**
 * XREAD … `$`: replaced by each stream's last entry id before the first issue, so that issuing it
 * again (after a handoff, or the next slice) still returns every entry added since the call.
 */
async function resolveDollarIds(host: BlockingHost, connection: Connection, tuple: RespArgument[]): Promise<RespArgument[]> {
  const dollars = dollarIds(tuple);
  if (dollars.length === 0) return tuple;
  const resolved = [...tuple];
  const lasts = await Promise.all(dollars.map(({ key }) => issue(host, connection, 'XREVRANGE', ['XREVRANGE', key, '+', '-', 'COUNT', '1'], 0, false)));
  dollars.forEach(({ index }, i) => {
    const entry = (lasts[i] as RespValue[])[0] as RespValue[] | undefined;
    resolved[index] = entry === undefined ? '0-0' : String(entry[0]);
  });
  return resolved;
}

/** Resolves once the leased connection takes commands again (after a swap or a reconnect), within the call's time. */
function whenReady(connection: Connection, host: BlockingHost, name: string, remaining: number): Promise<void> {
  if (connection.ready) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const limit = remaining === Infinity ? Infinity : remaining + host.commandTimeout;
    const timer = limit === Infinity ? undefined : host.clock.setTimeout(() => {
      connection.whenChanged = undefined;
      reject(new TimeoutError('ERR_COMMAND_TIMEOUT', limit, `${name} (its connection did not come back)`, false));
    }, timerDelay(limit));
    const check = () => {
      connection.whenChanged = undefined;
      if (connection.ready) {
        host.clock.clearTimeout(timer);
        return resolve();
      }
      if (connection.state === 'closing' || connection.state === 'closed') {
        host.clock.clearTimeout(timer);
        return reject(new ConnectionError('ERR_CONNECTION_LOST', `${name} was not sent again: its connection closed (nothing was taken)`, { retryable: true, sent: false }));
      }
      connection.whenChanged = check;
    };
    check();
  });
}
