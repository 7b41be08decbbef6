/**
 * The cluster's credentials, as a client's: `credentials` given as an Observable becomes the
 * provider every node's sockets ask (its latest value), and each later value re-AUTHs every live
 * socket of every node — pooled, dedicated, subscribed and sharded-subscribed — without dropping
 * one (`reauthenticate`).
 */
import { LatestCredentials } from '../credentials/latest.js';
import { reauthenticate } from '../credentials/reauthenticate.js';
import type { Logger } from '../log.js';
import type { Clock } from '../transport/clock.js';
import type { Pipeline } from '../transport/pipeline.js';
import type { ResolvedClusterOptions } from './options.js';

export class ClusterCredentials {
  /** The options every node's pool is built from: an Observable turned into its latest value. */
  readonly options: ResolvedClusterOptions;
  private readonly latest: LatestCredentials | null;

  constructor(
    options: ResolvedClusterOptions,
    private readonly deps: { clock: Clock; logger: Logger; livePipelines(): Pipeline[]; ready(): boolean },
  ) {
    const source = options.node.credentials$;
    this.latest = source === undefined ? null : new LatestCredentials(source, () => this.changed());
    this.options = this.latest === null ? options : { ...options, node: { ...options.node, credentials: this.latest.provider } };
  }

  /** AUTH again on every live socket of every node; resolves with how many accepted (see the client's). */
  reauthenticate(): Promise<number> {
    return reauthenticate(this.deps.livePipelines(), {
      source: this.options.node,
      clock: this.deps.clock,
      timeoutMs: this.options.node.commandTimeout,
      onLateRefusal: (message) => this.deps.logger.error(message),
    });
  }

  close(): void {
    this.latest?.close();
  }

  private changed(): void {
    if (!this.deps.ready()) return;
    this.reauthenticate().catch((error: unknown) => this.deps.logger.error(`re-authentication with the new credentials failed: ${(error as Error).message}`));
  }
}
