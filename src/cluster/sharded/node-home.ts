import type { EventInit } from '../../events.js';
import type { RespValue } from '../../protocol/types.js';
import type { ListenerEntry } from '../../pubsub/registry.js';
import { PubSubSession, type SessionDependencies } from '../../pubsub/session.js';
import { keySlot } from '../slot.js';
import type { ClusterNode } from '../node.js';

/** What a node's home needs from the cluster's sharded pub/sub. */
export interface HomeDependencies {
  /** The session settings shared by every node (clock, logger, timeouts, …). */
  session: Omit<SessionDependencies, 'id' | 'open' | 'currentEndpoint' | 'configuredEndpoint' | 'emit' | 'shard'>;
  emit(node: string, event: EventInit): void;
  deliver(from: NodeHome, type: 'message' | 'pmessage' | 'smessage', frame: RespValue[]): void;
  buffersWanted(): boolean;
  /** The server unsubscribed `name` on its own (its slot left the node, or the node was demoted). */
  unsubscribed(from: NodeHome, name: string): void;
}

// The node's own registry only says which channels its socket carries; messages go to the cluster's.
const CARRIED: ListenerEntry = { listener: () => {}, buffers: false };

/**
 * One node's sharded subscriber: a subscriber session (its own socket, opened through the node's
 * pool, so the node's handshake, TLS, credentials and MOVING handoff apply) carrying the shard
 * channels of the slots the cluster homes on this node, one SSUBSCRIBE per slot.
 */
export class NodeHome {
  readonly session: PubSubSession;
  /** Unannounced losses of the socket so far: a move across one cannot be exact. */
  losses = 0;
  private readonly bySlot = new Map<number, Set<string>>();
  /** Slots this node is importing: their SSUBSCRIBE goes after an ASKING. */
  private readonly importing = new Set<number>();

  /**
   * The node at this address now: a node that left the map and came back (a refresh from a node with
   * an older view) is a new ClusterNode at the same address, and the same server — one home, one socket.
   */
  node: ClusterNode;

  constructor(node: ClusterNode, deps: HomeDependencies) {
    this.node = node;
    this.session = new PubSubSession({
      ...deps.session,
      id: `spubsub@${node.key}`,
      open: (owner, endpoint, signal) => this.node.pool.openFor(owner, endpoint, signal),
      currentEndpoint: () => this.node.pool.currentEndpoint,
      configuredEndpoint: node.endpoint,
      emit: (event) => {
        if (event.type === 'pubsub.lost') this.losses++;
        deps.emit(node.key, event);
      },
      shard: {
        deliver: (type, frame) => deps.deliver(this, type, frame),
        buffersWanted: deps.buffersWanted,
        groups: bySlot,
        asking: (name) => this.importing.has(keySlot(name)),
        unsubscribed: (name) => deps.unsubscribed(this, name),
        refused: (_kind, names) => {
          // The session dropped them from its registry (MOVED, NOPERM); keep the per-slot view in step.
          for (const name of names) {
            const slot = keySlot(name);
            const set = this.bySlot.get(slot);
            if (set?.delete(name) === true && set.size === 0) this.bySlot.delete(slot);
          }
        },
      },
    });
  }

  get key(): string {
    return this.node.key;
  }

  /** Whether this socket has `name` confirmed, now. */
  carries(name: string): boolean {
    const leg = this.session.current;
    return leg !== null && leg.writable && leg.confirmed.shard.has(name);
  }

  /** Every channel carried here (for state snapshots). */
  channels(): string[] {
    return [...this.bySlot.values()].flatMap((set) => [...set]).sort();
  }

  get empty(): boolean {
    return this.bySlot.size === 0;
  }

  /**
   * Makes the socket carry exactly `channels` for `slot` (subscribing the missing ones, again if
   * the server dropped them; unsubscribing the others); resolves once the server confirmed. With
   * `asking`, the SSUBSCRIBE is preceded by ASKING (the node is importing the slot).
   */
  carry(slot: number, channels: ReadonlySet<string>, asking = false): Promise<void> {
    if (asking) this.importing.add(slot);
    else this.importing.delete(slot);
    const had = this.bySlot.get(slot) ?? new Set<string>();
    const add = [...channels].filter((name) => !had.has(name));
    const remove = [...had].filter((name) => !channels.has(name));
    const lapsed = [...channels].filter((name) => had.has(name) && !this.carries(name));
    const registry = this.session.registry;
    registry.add('shard', add, CARRIED);
    registry.remove('shard', remove, CARRIED);
    if (channels.size === 0) this.bySlot.delete(slot);
    else this.bySlot.set(slot, new Set(channels));
    const names = [...add, ...remove, ...lapsed];
    if (names.length === 0) return Promise.resolve();
    // A channel the live socket lost on its own (an unsolicited sunsubscribe) is subscribed again.
    const writable = this.session.current?.writable === true;
    return lapsed.length > 0 && writable ? this.session.resubscribe('shard', names) : this.session.changed('shard', names);
  }

  /** Stops carrying `slot`; resolves once the server confirmed (or refused: the slot is not here any more). */
  async release(slot: number): Promise<void> {
    await this.carry(slot, new Set()).catch(() => undefined);
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/** Shard channels grouped by slot: one SSUBSCRIBE per slot (several slots in one is CROSSSLOT). */
export function bySlot(names: readonly string[]): string[][] {
  const groups = new Map<number, string[]>();
  for (const name of names) {
    const slot = keySlot(name);
    const group = groups.get(slot);
    if (group === undefined) groups.set(slot, [name]);
    else group.push(name);
  }
  return [...groups.values()];
}
