/**
 * The pub/sub subscriptions a client holds on its connection, so that a connection moved to
 * another server (failover) can subscribe again there.
 */
import { encodeCommand } from './request-reader.js';

type Kind = 'subscribe' | 'psubscribe' | 'ssubscribe';

const COMMANDS: Record<string, { kind: Kind; add: boolean }> = {
  SUBSCRIBE: { kind: 'subscribe', add: true },
  UNSUBSCRIBE: { kind: 'subscribe', add: false },
  PSUBSCRIBE: { kind: 'psubscribe', add: true },
  PUNSUBSCRIBE: { kind: 'psubscribe', add: false },
  SSUBSCRIBE: { kind: 'ssubscribe', add: true },
  SUNSUBSCRIBE: { kind: 'ssubscribe', add: false },
};

export interface Resubscribe {
  frame: Buffer;
  /** The confirmation's type: a push in RESP3, a reply in RESP2. */
  confirmation: Kind;
  /** How many confirmations the server sends (one per channel). */
  count: number;
}

export class Subscriptions {
  private readonly channels = new Map<Kind, Set<string>>();

  /** Records a (un)subscribe command; ignores other commands. */
  apply(name: string, args: readonly Buffer[]): void {
    const command = COMMANDS[name];
    if (command === undefined) return;
    let set = this.channels.get(command.kind);
    if (set === undefined) this.channels.set(command.kind, (set = new Set()));
    const names = args.slice(1).map((arg) => arg.toString('latin1'));
    if (command.add) for (const channel of names) set.add(channel);
    else if (names.length === 0) set.clear();
    else for (const channel of names) set.delete(channel);
  }

  get active(): boolean {
    for (const set of this.channels.values()) if (set.size > 0) return true;
    return false;
  }

  clear(): void {
    this.channels.clear();
  }

  /** The commands that subscribe to everything again. */
  replay(): Resubscribe[] {
    const commands: Resubscribe[] = [];
    for (const [kind, set] of this.channels) {
      if (set.size > 0) commands.push({ frame: encodeCommand([kind.toUpperCase(), ...set]), confirmation: kind, count: set.size });
    }
    return commands;
  }
}
