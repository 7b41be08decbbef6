import type { ResolvedClientOptions } from '../config.js';
import type { EmitEvent } from '../events.js';
import type { Logger } from '../log.js';
import { formatEndpoint, type Endpoint } from '../protocol/endpoint.js';
import type { MaintSupport, ResolvedEndpointType } from '../protocol/handshake.js';
import type { Clock } from '../transport/clock.js';
import { currentCredentials } from '../credentials/provider.js';
import { openConnection } from '../transport/open.js';
import type { Pipeline } from '../transport/pipeline.js';
import { LIB_NAME, VERSION } from '../version.js';
import type { Connection } from './connection.js';

export interface OpenerDependencies {
  options: ResolvedClientOptions;
  clock: Clock;
  emit: EmitEvent;
  logger: Logger;
}

/**
 * Opens sockets for the pool's connections: dial + handshake, with the maintenance opt-in only
 * where it can work. Keeps what was detected per endpoint (SPEC §2: `unknown | supported |
 * unsupported`) so an endpoint that rejected the opt-in is not asked again, and the last
 * failure per connection (for `connect()`'s error).
 */
export class ConnectionOpener {
  private readonly support = new Map<string, MaintSupport>();
  readonly lastErrors = new Map<string, Error>();
  /** Resolved once at construction (SPEC §4); set before the first dial. */
  endpointType: ResolvedEndpointType = 'none';

  constructor(private readonly deps: OpenerDependencies) {}

  supportOf(endpoint: string): MaintSupport {
    return this.support.get(endpoint) ?? 'unknown';
  }

  supportSnapshot(): Record<string, MaintSupport> {
    return Object.fromEntries(this.support);
  }

  /** Dials `endpoint` and runs the whole handshake for `connection`. */
  async openAt(connection: Connection, endpoint: Endpoint, signal: AbortSignal): Promise<{ pipeline: Pipeline; maint: MaintSupport }> {
    const { options } = this.deps;
    const endpointText = formatEndpoint(endpoint);
    const maint = options.maint;
    const optIn = maint.mode !== 'disabled' && options.protocol === 3 && this.supportOf(endpointText) !== 'unsupported';
    try {
      const { username, password } = await currentCredentials(options, options.connectTimeout, signal);
      const opened = await openConnection({
        endpoint,
        clock: this.deps.clock,
        dial: { tls: options.tls, connectTimeout: options.connectTimeout, signal, configuredHost: options.host },
        handshake: {
          protocol: options.protocol,
          username,
          password,
          database: options.database,
          clientName: options.clientName,
          libName: LIB_NAME,
          libVersion: VERSION,
          maintOptIn: optIn ? { mode: maint.mode as 'enabled' | 'auto', endpointType: this.endpointType } : false,
          tracking: options.clientSideCache !== undefined,
        },
        handlers: {
          onPush: (frame) => connection.onPush(frame),
          onLost: (error, pipeline) => connection.onLost(pipeline, error.message),
        },
      });
      this.lastErrors.delete(connection.id);
      if (opened.maint !== 'unknown') this.record(endpointText, opened.maint, opened.maintRejection);
      return { pipeline: opened.pipeline, maint: opened.maint };
    } catch (error) {
      this.lastErrors.set(connection.id, error as Error);
      throw error;
    }
  }

  private record(endpoint: string, support: MaintSupport, rejection?: string): void {
    if (this.support.get(endpoint) === support) return;
    this.support.set(endpoint, support);
    this.deps.emit({ type: 'endpoint.support', endpoint, support, ...(rejection === undefined ? {} : { reason: rejection }) });
    if (support === 'unsupported') {
      this.deps.logger.debug(`${endpoint} does not support maintenance notifications (${rejection ?? 'rejected'}); not asking again`);
    }
  }
}
