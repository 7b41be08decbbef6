import type { RespValue } from '../../protocol/types.js';
import type { NodeHome } from './node-home.js';

type Frame = { type: 'message' | 'pmessage' | 'smessage'; frame: RespValue[] };

/** A subscription on the node a slot is moving to, made while the old owner still served it. */
export interface Prepared {
  home: NodeHome;
  /** Every channel was still carried by the old owner when the new one confirmed. */
  overlapped: boolean;
  /** The old owner's socket losses then (one more since: the overlap broke). */
  losses: number;
}

/**
 * One subscribed slot: the node whose messages are delivered (`home`), the node it is moving to
 * (`next`, whose messages are held until the old owner's stream has ended), and a queue so that
 * subscribes, unsubscribes and moves of the slot run one at a time.
 */
export class SlotRoute {
  home: NodeHome | null = null;
  next: NodeHome | null = null;
  prepared: Prepared | null = null;
  /** The node that unsubscribed the slot on its own (it left that node): not a home again until the map agrees. */
  left: NodeHome | null = null;
  /** A lookup of the importing node is running (SMIGRATING arrives on every connection). */
  preparing = false;
  private held: Frame[] = [];
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly slot: number) {}

  /** Runs `task` after every task queued before it. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** A message of this slot from `from`'s socket: delivered (home), held (next), else dropped (an old owner past the cut). */
  accept(from: NodeHome, type: Frame['type'], frame: RespValue[], deliver: (type: Frame['type'], frame: RespValue[]) => void): void {
    if (from === this.home) deliver(type, frame);
    else if (from === this.next) this.held.push({ type, frame });
  }

  /** The move is over: `to` delivers from now on, starting with what it held. */
  cut(to: NodeHome, deliver: (type: Frame['type'], frame: RespValue[]) => void): void {
    const held = this.held;
    this.home = to;
    this.abandonNext();
    for (const { type, frame } of held) deliver(type, frame);
  }

  /** Forgets the node it was moving to (and anything it held: the old owner delivered those). */
  abandonNext(): void {
    this.next = null;
    this.prepared = null;
    this.held = [];
  }
}
