/**
 * The cluster's rare paths, which follow redirects with an async loop instead of the per-command
 * attempt objects: MULTI … EXEC (one slot, written back to back on one connection of its owner;
 * a MOVED/ASK/TRYAGAIN at queue time aborts the EXEC, so the whole transaction is sent again on
 * the right node, ASKING first for an ASK) and blocking commands (a dedicated connection lent by
 * the owner's pool).
 */
import type { CommandTuple } from '../client/client.js';
import { ConnectionError, RedisReplyError, TransactionError } from '../errors.js';
import { encodeCommand } from '../protocol/encoder.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import type { ClusterNode } from './node.js';
import { redirectOf, retryDelay } from './redirect.js';
import type { ClusterRouter } from './router.js';
import { watch, type Transaction, type WatchOptions } from '../transactions/watch.js';

export interface ExclusiveContext {
  router: ClusterRouter;
  clock: Clock;
  commandTimeout: number;
  maxRedirections: number;
}

type Outcome = { ok: boolean; value: unknown };

/** Where to go next after an error reply, or null when the error is the caller's. */
async function follow(context: ExclusiveContext, name: string, error: unknown, from: ClusterNode, slot: number, deadline: number, attempt: number): Promise<{ node: ClusterNode; asking: boolean } | null> {
  if (!(error instanceof Error) || attempt >= context.maxRedirections) return null;
  const redirect = redirectOf(error, from.endpoint);
  if (redirect === null) return null;
  const { router } = context;
  if (redirect.kind === 'moved') {
    router.refresher.request('MOVED');
    const node = router.assign(redirect.endpoint, [[redirect.slot, redirect.slot]]);
    router.emitRedirect('moved', { name }, redirect.slot, from, node);
    return { node, asking: false };
  }
  if (redirect.kind === 'ask') {
    const node = router.table.nodeAt(redirect.endpoint);
    router.emitRedirect('ask', { name }, redirect.slot, from, node);
    return { node, asking: true };
  }
  const delay = retryDelay(attempt);
  if (context.clock.now() + delay >= deadline) return null;
  router.emitRedirect('retry', { name }, slot < 0 ? null : slot, from, null);
  await new Promise<void>((resolve) => context.clock.setTimeout(resolve, delay));
  const node = context.router.ownerOf(slot);
  return node === undefined ? null : { node, asking: false };
}

export async function clusterMulti(context: ExclusiveContext, commands: CommandTuple[], slot: number): Promise<RespValue[]> {
  const start = context.clock.now();
  const timeout = context.commandTimeout;
  let node = context.router.ownerOf(slot);
  let asking = false;
  for (let attempt = 0; ; attempt++) {
    if (node === undefined) throw new ConnectionError('ERR_CLUSTER_TOPOLOGY', `MULTI was not sent: no node serves slot ${slot}`, { retryable: true });
    const outcomes = await transactionOn(node, commands, asking, start, timeout);
    const exec = outcomes[outcomes.length - 1] as Outcome;
    if (exec.ok) return execReplies(exec.value);
    const queued = outcomes.slice(1, -1);
    const queueError = queued.find((outcome) => !outcome.ok)?.value;
    const next = await follow(context, 'MULTI', queueError ?? exec.value, node, slot, start + timeout, attempt);
    if (next !== null) {
      ({ node, asking } = next);
      continue;
    }
    const cause = exec.value as Error;
    if (!(cause instanceof RedisReplyError)) throw cause;
    const shown = queueError instanceof Error ? queueError : cause;
    throw new TransactionError(`Transaction not executed: ${shown.message}`, [], shown);
  }
}

function transactionOn(node: ClusterNode, commands: CommandTuple[], asking: boolean, start: number, timeout: number): Promise<Outcome[]> {
  const tuples: CommandTuple[] = [['MULTI'], ...commands, ['EXEC']];
  const settled: Array<Promise<Outcome>> = [];
  const pending = tuples.map((tuple) => {
    let command!: PendingCommand;
    settled.push(
      new Promise<Outcome>((resolve) => {
        command = new PendingCommand(tuple[0].toUpperCase(), encodeCommand(tuple), start, timeout, 0, (value) => resolve({ ok: true, value }), (error) => resolve({ ok: false, value: error }));
      }),
    );
    return command;
  });
  if (asking) pending.unshift(new PendingCommand('ASKING', encodeCommand(['ASKING']), start, timeout, 0, ignore, ignore));
  node.sendTogether(pending);
  return Promise.all(settled);
}

function execReplies(value: unknown): RespValue[] {
  const replies = value as RespValue[] | null;
  if (replies === null) throw new TransactionError('Transaction not executed: a watched key changed', []);
  const failed = replies.find((reply) => reply instanceof RedisReplyError) as RedisReplyError | undefined;
  if (failed !== undefined) throw new TransactionError(`A command inside the transaction failed: ${failed.message}`, replies, failed);
  return replies;
}

export async function clusterBlocking(context: ExclusiveContext, args: RespArgument[], name: string, blockMs: number, binary: boolean, slot: number): Promise<RespValue> {
  const timeout = blockMs + context.commandTimeout;
  const start = context.clock.now();
  let node = context.router.ownerOf(slot);
  let asking = false;
  for (let attempt = 0; ; attempt++) {
    if (node === undefined) throw new ConnectionError('ERR_CLUSTER_TOPOLOGY', `${name} was not sent: no node serves slot ${slot}`, { retryable: true });
    const leasedFrom = node;
    const connection = await leasedFrom.pool.lease(timeout);
    try {
      return await new Promise<RespValue>((resolve, reject) => {
        if (asking) connection.write(new PendingCommand('ASKING', encodeCommand(['ASKING']), start, timeout, 0, ignore, ignore));
        const command = new PendingCommand(name, encodeCommand(args), start, timeout, blockMs, resolve, reject);
        command.binary = binary;
        connection.write(command);
      });
    } catch (error) {
      const next = await follow(context, name, error, node, slot, start + timeout, attempt);
      if (next === null) throw error;
      ({ node, asking } = next);
    } finally {
      leasedFrom.pool.release(connection);
    }
  }
}

function ignore(): void {}

/**
 * WATCH … MULTI … EXEC on a connection of the watched keys' owner (src/transactions/watch.ts does
 * the work). A MOVED answering WATCH itself (nothing ran) follows the slot; redirects met inside
 * the callback reach it as errors.
 */
export async function clusterWatch<T>(context: ExclusiveContext, keys: readonly RespArgument[], slot: number, body: (tx: Transaction) => Promise<T>, options?: WatchOptions): Promise<T> {
  const start = context.clock.now();
  let node = context.router.ownerOf(slot);
  for (let attempt = 0; ; attempt++) {
    if (node === undefined) throw new ConnectionError('ERR_CLUSTER_TOPOLOGY', `WATCH was not sent: no node serves slot ${slot}`, { retryable: true });
    const owner = node;
    let watched = false;
    try {
      return await watch(
        { clock: context.clock, commandTimeout: context.commandTimeout, lease: (ms) => owner.pool.lease(ms), release: (connection) => owner.pool.release(connection) },
        keys,
        (tx) => {
          watched = true;
          return body(tx);
        },
        options,
      );
    } catch (error) {
      const next = watched ? null : await follow(context, 'WATCH', error, owner, slot, start + context.commandTimeout, attempt);
      if (next === null || next.asking) throw error;
      node = next.node;
    }
  }
}
