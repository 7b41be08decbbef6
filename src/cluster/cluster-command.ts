import type { RespArgument } from '../protocol/types.js';
import { encodeCommand } from '../protocol/encoder.js';
import { PendingCommand } from '../transport/command.js';
import type { ClusterNode } from './node.js';

/** What a cluster command asks of whoever routes it when it fails. */
export interface RedirectHandler {
  /** Takes over a failed attempt (a redirect, a retry, a re-route); false: let the error reach the caller. */
  redirect(command: ClusterCommand, error: Error): boolean;
}

/**
 * One attempt of a command on one node. The caller's promise callbacks, the start time and the
 * deadline carry from attempt to attempt, so redirects all happen within the command's own
 * deadline. The arguments are kept (the caller's array, not a copy) so that an attempt can be
 * encoded again for another node; nothing else lives per command.
 */
export class ClusterCommand extends PendingCommand {
  /** MOVED/ASK/re-route hops so far. */
  hops = 0;
  /** TRYAGAIN/CLUSTERDOWN/LOADING retries so far. */
  retries = 0;
  /** Where this attempt was sent. */
  node: ClusterNode | null = null;
  /** A read-only command of a cluster that reads from replicas: a replica may serve it. */
  readOnly = false;

  constructor(
    readonly handler: RedirectHandler,
    readonly args: RespArgument[],
    /** The slot of the keys, or -1 for a keyless command. */
    readonly slot: number,
    name: string,
    start: number,
    timeout: number,
    resolve: (value: import('../protocol/types.js').RespValue) => void,
    reject: (error: Error) => void,
  ) {
    super(name, encodeCommand(args), start, timeout, 0, resolve, reject);
  }

  /** The next attempt: same caller, same deadline (relaxations included), fresh bytes. */
  next(): ClusterCommand {
    const attempt = new ClusterCommand(this.handler, this.args, this.slot, this.name, this.start, this.timeout, this.resolve, this.reject);
    attempt.binary = this.binary;
    attempt.relaxed = this.relaxed;
    attempt.hops = this.hops;
    attempt.retries = this.retries;
    attempt.readOnly = this.readOnly;
    return attempt;
  }

  override fail(error: Error): void {
    if (this.settled) return;
    if (this.handler.redirect(this, error)) {
      this.settled = true;
      return;
    }
    super.fail(error);
  }
}
