import type { RequestEffect } from './command-effects.js';

/**
 * Per-connection command state the proxy must follow from the requests alone: CLIENT REPLY
 * (which requests get no reply) and an open WATCH / MULTI (which a move to another server would
 * silently drop).
 */
export class SessionFlags {
  private replyOff = false;
  private skipNext = false;
  private watching = false;
  private inMulti = false;

  /** Applies a request's CLIENT REPLY effect; says whether that request gets no reply. */
  replyFor(effect: RequestEffect): { silenced: boolean; skipped: boolean } {
    let silenced = false;
    let skipped = false;
    if (this.replyOff && effect.replyMode !== 'on') silenced = true;
    else if (this.skipNext) {
      silenced = skipped = true;
      this.skipNext = false;
    }
    if (effect.replyMode === 'off') this.replyOff = true;
    else if (effect.replyMode === 'on') this.replyOff = false;
    else if (effect.replyMode === 'skip') this.skipNext = true;
    return { silenced, skipped };
  }

  /** Follows WATCH / MULTI / UNWATCH / EXEC / DISCARD. An UNWATCH inside MULTI is only queued. */
  transaction(effect: RequestEffect): void {
    switch (effect.transaction) {
      case 'watch':
        if (!this.inMulti) this.watching = true;
        break;
      case 'multi':
        this.inMulti = true;
        break;
      case 'unwatch':
        if (!this.inMulti) this.watching = false;
        break;
      case 'end':
        this.inMulti = this.watching = false;
        break;
    }
  }

  /** What a move to another server would drop: 'MULTI', 'WATCH' or null. */
  get openTransaction(): 'MULTI' | 'WATCH' | null {
    return this.inMulti ? 'MULTI' : this.watching ? 'WATCH' : null;
  }

  /** RESET: replies back on (an open transaction is ended by RESET's `transaction` effect too). */
  reset(): void {
    this.replyOff = false;
    this.skipNext = false;
  }
}
