/**
 * The cluster's per-command path and what follows an error reply: the slot's owner from the slot
 * table, MOVED (patch that slot, re-send, one coalesced refresh), ASK (ASKING + the command back to
 * back on one connection of the importing node, map unchanged), TRYAGAIN / CLUSTERDOWN / LOADING
 * (jittered backoff), and commands that were never written to a node that left the map (sent to
 * the slot's owner now). All within the command's own deadline; an error reply proves the command
 * did not run, so none of this doubles a write. No actor, Subject or timer on the normal path.
 */
import { ConnectionError, HitlessError } from '../errors.js';
import type { EventInit } from '../events.js';
import type { Logger } from '../log.js';
import type { NotificationHook } from '../maintenance/hooks.js';
import { encodeCommand } from '../protocol/encoder.js';
import type { Endpoint } from '../protocol/endpoint.js';
import type { MaintenanceNotification } from '../protocol/notifications.js';
import type { Connection } from '../pool/connection.js';
import type { Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import { ClusterCommand, type RedirectHandler } from './cluster-command.js';
import { discover } from './discovery.js';
import type { ClusterEventInit } from './state.js';
import { ClusterNode } from './node.js';
import { nodeOptions, type ResolvedClusterOptions } from './options.js';
import { redirectOf, retryDelay } from './redirect.js';
import { readerOf } from './replica-reads.js';
import { TopologyRefresher } from './refresher.js';
import { SlotTable } from './slot-table.js';

export interface ClusterRouterDependencies {
  options: ResolvedClusterOptions;
  clock: Clock;
  logger: Logger;
  emit(event: ClusterEventInit): void;
  emitNode(node: ClusterNode, event: EventInit): void;
  onNotification(node: ClusterNode, connection: Connection, notification: MaintenanceNotification): void;
  onHandled(node: ClusterNode, notification: MaintenanceNotification): void;
  onChange(): void;
  /** The slot map changed (a refresh, a MOVED patch): for what follows slot owners (sharded pub/sub). */
  onTopology?(reason: string): void;
}

const ASKING = encodeCommand(['ASKING']);
const ignore = (): void => {};

export class ClusterRouter implements RedirectHandler {
  readonly table: SlotTable;
  readonly refresher: TopologyRefresher;
  readonly hooks: NotificationHook[] = [];
  private closed = false;

  /** Whether every node's connections sent READONLY (replica reads): a replica then serves keyed reads too. */
  get readsReplicas(): boolean {
    return this.deps.options.readFrom !== 'primary';
  }

  constructor(private readonly deps: ClusterRouterDependencies) {
    this.table = new SlotTable((endpoint, id) => this.createNode(endpoint, id), deps.options.readFrom !== 'primary');
    this.refresher = new TopologyRefresher({
      clock: deps.clock,
      cooldownMs: deps.options.refreshCooldown,
      intervalMs: deps.options.refreshInterval,
      refresh: (reason) => this.refresh(reason),
    });
  }

  /** Loads the map from the first root node that answers and opens a pool per primary. */
  async connect(): Promise<void> {
    await this.refresher.now('connect');
    await Promise.any(this.table.primaries.map((node) => node.start())).catch((error: AggregateError) => {
      throw error.errors[0] as Error;
    });
    this.refresher.start();
  }

  /** The per-command path: the slot's owner (a keyless command: any primary). */
  send(command: ClusterCommand): void {
    const slot = command.slot;
    let node = (slot >= 0 ? this.table.owners[slot] : undefined) ?? this.table.anyPrimary();
    if (node === undefined) {
      command.fail(new ConnectionError('ERR_CLUSTER_TOPOLOGY', `${command.name} was not sent: no node serves slot ${slot}`, { retryable: true }));
      return;
    }
    if (command.readOnly) node = readerOf(node, this.deps.options.readFrom);
    command.node = node;
    node.send(command);
  }

  /** The node that serves `slot` now (a keyless command: any primary). */
  ownerOf(slot: number): ClusterNode | undefined {
    return (slot >= 0 ? this.table.owners[slot] : undefined) ?? this.table.anyPrimary();
  }

  redirect(command: ClusterCommand, error: Error): boolean {
    if (this.closed) return false;
    const from = command.node;
    const now = this.deps.clock.now();
    if (from === null || now >= command.deadline) return false;
    if (neverWritten(error) || (command.readOnly && lostOnReplica(error) && this.table.isReplica(from))) {
      // Its node left the map (or its socket was closing) before the command was written; or a
      // replica died under a read, which may safely run again (on another replica or the primary).
      if (command.hops >= this.deps.options.maxRedirections) return false;
      const next = command.next();
      next.hops++;
      this.send(next);
      return true;
    }
    const redirect = redirectOf(error, from.endpoint);
    if (redirect === null) return false;
    const next = command.next();
    if (redirect.kind === 'retry') {
      const delay = retryDelay(command.retries);
      if (now + delay >= command.deadline) return false;
      next.retries++;
      // A replica that answers LOADING (restarted, still reading its data): the primary serves the retry.
      if (command.readOnly && this.table.isReplica(from)) next.readOnly = false;
      this.emitRedirect('retry', command, command.slot < 0 ? null : command.slot, from, null);
      if (/^CLUSTERDOWN/.test(error.message)) this.refresher.request('CLUSTERDOWN');
      this.deps.clock.setTimeout(() => (this.closed ? next.fail(closedError(next.name)) : this.send(next)), delay);
      return true;
    }
    if (command.hops >= this.deps.options.maxRedirections) return false;
    next.hops++;
    if (redirect.kind === 'moved') {
      const target = this.table.assign(redirect.endpoint, [[redirect.slot, redirect.slot]]);
      this.refresher.request('MOVED');
      this.emitRedirect('moved', command, redirect.slot, from, target);
      next.node = target;
      target.send(next);
      this.deps.onTopology?.('MOVED');
    } else {
      const target = this.table.nodeAt(redirect.endpoint);
      this.emitRedirect('ask', command, redirect.slot, from, target);
      next.node = target;
      target.sendTogether([new PendingCommand('ASKING', ASKING, now, next.deadline - now, 0, ignore, ignore), next]);
    }
    return true;
  }

  /** Slots moved (SMIGRATED): the destination serves them from now on; one refresh verifies. */
  assign(destination: Endpoint, slots: Parameters<SlotTable['assign']>[1]): ClusterNode {
    const node = this.table.assign(destination, slots);
    if (!this.closed) void node.start().catch(() => undefined);
    return node;
  }

  addNotificationHook(hook: NotificationHook): () => void {
    this.hooks.push(hook);
    for (const node of this.table.nodes.values()) node.addNotificationHook(hook);
    return () => {
      const index = this.hooks.indexOf(hook);
      if (index !== -1) this.hooks.splice(index, 1);
      for (const node of this.table.nodes.values()) node.removeNotificationHook(hook);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.refresher.stop();
    await Promise.all([...this.table.nodes.values()].map((node) => node.close()));
  }

  // --- topology ---------------------------------------------------------------------------------

  private async refresh(reason: string): Promise<void> {
    const { options, clock } = this.deps;
    const timeoutMs = options.node.connectTimeout + options.node.commandTimeout;
    const known = [...this.table.primaries];
    // Reachable primaries first; the root nodes (opened only when needed) and the others after.
    const candidates = [...known.filter((node) => node.reachable), ...options.rootNodes, ...known.filter((node) => !node.reachable)];
    const asked = new Set<ClusterNode>();
    let lastError: unknown = new ConnectionError('ERR_CLUSTER_TOPOLOGY', 'no node to ask for the topology');
    for (const candidate of candidates) {
      if (this.closed) return;
      const node = candidate instanceof ClusterNode ? candidate : this.table.nodeAt(candidate);
      if (asked.has(node)) continue;
      asked.add(node);
      try {
        // A node that never connected is skipped as soon as its first dial fails.
        if (!node.reachable) await node.start();
        const { shards, via } = await discover(node, clock, timeoutMs);
        if (this.closed) return;
        // A node that knows no slot (just started, or reset) must not empty the map: ask another.
        if (shards.length === 0) throw new ConnectionError('ERR_CLUSTER_TOPOLOGY', `${node.key} knows no slot owner`, { retryable: true });
        const { changedSlots, orphans } = this.table.apply(shards);
        for (const primary of this.table.primaries) void primary.start().catch(() => undefined);
        for (const orphan of orphans) this.retire(orphan, 'not a primary in the topology');
        this.deps.emit({ type: 'cluster.refreshed', from: node.key, via, reason, nodes: this.table.primaries.length, changedSlots });
        this.deps.onChange();
        this.deps.onTopology?.(`refresh (${reason})`);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    const message = lastError instanceof Error ? lastError.message : String(lastError);
    this.deps.emit({ type: 'cluster.refresh.failed', reason, error: message });
    throw lastError instanceof HitlessError ? lastError : new ConnectionError('ERR_CLUSTER_TOPOLOGY', `No node answered the topology query: ${message}`, { cause: lastError, retryable: true });
  }

  private createNode(endpoint: Endpoint, id: string | null): ClusterNode {
    const { deps } = this;
    const node = new ClusterNode(endpoint, id, {
      options: nodeOptions(deps.options.node, endpoint),
      clock: deps.clock,
      logger: deps.logger,
      hooks: this.hooks,
      emit: (from, event) => {
        deps.emitNode(from, event);
        if (event.type === 'connection.reconnecting' && !from.retired && !this.closed) this.refresher.request(`node ${from.key} lost`);
        if (event.type === 'endpoint.moved') this.moved(from);
      },
      onNotification: deps.onNotification,
      onHandled: deps.onHandled,
      onChange: deps.onChange,
    });
    deps.emit({ type: 'cluster.node.added', node: node.key, id: node.id });
    // Opened at once: a MOVED or ASK to a node never seen sends to it before any refresh could start it.
    // After close() (a late reply naming a new node), never: its pool would outlive the cluster.
    if (this.closed) void node.close();
    else void node.start().catch(() => undefined);
    return node;
  }

  /** A node's pool re-pointed itself (MOVING): the map follows, so no second pool opens at the new address. */
  private moved(node: ClusterNode): void {
    const from = node.key;
    // A node no longer in the map (retired) is left alone by rekey.
    const displaced = this.table.rekey(node, node.pool.currentEndpoint);
    if (node.key === from) return;
    this.deps.emit({ type: 'cluster.node.moved', from, to: node.key });
    if (displaced !== undefined) this.retire(displaced, `${from} moved to its address`);
    this.deps.onChange();
  }

  private retire(node: ClusterNode, reason: string): void {
    this.deps.emit({ type: 'cluster.node.removed', node: node.key, reason });
    void node.close();
  }

  /** Reports a followed redirect (an event: redirects only follow error replies, so they are rare). */
  emitRedirect(kind: 'moved' | 'ask' | 'retry', command: { name: string }, slot: number | null, from: ClusterNode, to: ClusterNode | null): void {
    this.deps.emit({ type: 'cluster.redirected', kind, command: command.name, slot, from: from.key, to: to?.key ?? null });
  }
}

/** A failure that proves the command never reached a server: it may go to another node. */
function neverWritten(error: Error): boolean {
  return error instanceof ConnectionError && !error.sent && (error.code === 'ERR_CLIENT_CLOSED' || error.code === 'ERR_CONNECTION_LOST');
}

function lostOnReplica(error: Error): boolean {
  return error instanceof ConnectionError && error.code === 'ERR_CONNECTION_LOST';
}

function closedError(command: string): ConnectionError {
  return new ConnectionError('ERR_CLIENT_CLOSED', `The cluster client is closed; ${command} was not sent`);
}
