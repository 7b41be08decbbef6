import { RespType } from '../protocol/frame-scanner.js';
import type { ReplyWriter } from './reply-writer.js';

/**
 * A proxied connection's RESP protocol as its HELLOs are answered. A HELLO switches the connection
 * once its reply is written and is not an error, but requests pipelined behind it are classified
 * by the protocol it asked for, as the server will read them.
 */
export class ProtocolTracker {
  /** The protocol the connection speaks now. */
  current: 2 | 3 = 2;
  /** The protocol once every HELLO sent so far has succeeded: what later requests are classified by. */
  classifyBy: 2 | 3 = 2;
  /** HELLOs whose reply has not been written yet. */
  private hellosPending = 0;
  /** A pub/sub command was classified by a protocol a pending HELLO had yet to confirm. */
  private guessed = false;

  constructor(
    private readonly writer: ReplyWriter,
    private readonly events: {
      /** The connection now speaks `protocol`. */
      switched(protocol: 2 | 3): void;
      /** A HELLO failed after pub/sub replies were counted by the protocol it asked for. */
      miscounted(): void;
    },
  ) {}

  /** RESET: back to RESP2 at once. */
  reset(): void {
    this.current = this.classifyBy = 2;
  }

  /** A pub/sub command was classified (by `classifyBy`). */
  subscriptionClassified(): void {
    if (this.hellosPending > 0) this.guessed = true;
  }

  /**
   * A HELLO asking for `protocol`: the connection switches once its reply (number `replyAt`) is
   * written and is not an error; at once when that reply cannot be told apart (null).
   */
  helloSent(protocol: 2 | 3, replyAt: number | null): void {
    this.classifyBy = protocol;
    if (replyAt === null) {
      this.switchTo(protocol);
      return;
    }
    this.hellosPending++;
    this.writer.watchReply(replyAt, (type) => {
      this.hellosPending--;
      const failed = type === RespType.SimpleError || type === RespType.BulkError;
      if (!failed) this.switchTo(protocol);
      else if (this.guessed && protocol !== this.current) this.events.miscounted();
      if (this.hellosPending === 0) {
        this.classifyBy = this.current;
        this.guessed = false;
      }
    });
  }

  private switchTo(protocol: 2 | 3): void {
    this.current = protocol;
    this.events.switched(protocol);
  }
}
