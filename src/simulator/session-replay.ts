import type { ReplayKey } from './command-effects.js';
import { Subscriptions } from './subscriptions.js';
import type { UpstreamLink } from './upstream-link.js';

const REPLAY_ORDER: readonly ReplayKey[] = ['hello', 'auth', 'select', 'setname'];

/**
 * What a failover carries to a proxied connection's new upstream socket: the state the client set
 * (HELLO, AUTH, SELECT, CLIENT SETNAME, the last of each) and its subscriptions.
 */
export class SessionReplay {
  private readonly frames = new Map<ReplayKey, Buffer>();
  private readonly subscriptions = new Subscriptions();

  /** Whether the client holds a subscription. */
  get subscribed(): boolean {
    return this.subscriptions.active;
  }

  /** Keeps (a copy of) the last request that set `key`. */
  remember(key: ReplayKey, frame: Buffer): void {
    this.frames.set(key, Buffer.from(frame));
  }

  /** Records a (un)subscribe command. */
  subscription(name: string, args: readonly Buffer[]): void {
    this.subscriptions.apply(name, args);
  }

  /** RESET: nothing left to carry. */
  clear(): void {
    this.frames.clear();
    this.subscriptions.clear();
  }

  /** Writes it all to `next` with the answers swallowed (RESP3 confirms subscriptions with pushes, RESP2 with replies). */
  replayOnto(next: UpstreamLink, protocol: 2 | 3): void {
    const replay = REPLAY_ORDER.map((key) => this.frames.get(key)).filter((frame): frame is Buffer => frame !== undefined);
    next.swallowReplies(replay.length);
    for (const frame of replay) next.write(frame);
    for (const { frame, confirmation, count } of this.subscriptions.replay()) {
      if (protocol === 3) next.swallowPushes(confirmation, count);
      else next.swallowReplies(count);
      next.write(frame);
    }
  }
}
