import type { ResolvedClientOptions } from '../config.js';
import type { EmitEvent } from '../events.js';
import type { Logger } from '../log.js';
import { formatEndpoint, type Endpoint } from '../protocol/endpoint.js';
import type { HandshakeSpec, MaintSupport, ResolvedEndpointType } from '../protocol/handshake.js';
import type { Clock } from '../transport/clock.js';
import { currentCredentials, type ResolvedCredentials } from '../credentials/provider.js';
import { RefusedCredentials } from '../credentials/refusals.js';
import { ConnectionError } from '../errors.js';
import { dial, type DialAbort } from '../transport/dial.js';
import { openConnection, type DialUnderWay } from '../transport/open.js';
import type { Pipeline, PipelineHandlers } from '../transport/pipeline.js';
import type { RespValue } from '../protocol/types.js';
import { LIB_NAME, VERSION } from '../version.js';

/** Who a socket is opened for: pooled connections and subscriber sessions alike. */
export interface SocketOwner {
  readonly id: string;
  onPush(frame: RespValue[]): void;
  onLost(pipeline: Pipeline, reason: string): void;
  /** Asked per push frame: decode it with Buffers (binary-safe pub/sub messages)? */
  pushBuffers?(): boolean;
}

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
  /**
   * What was detected, for the first endpoint in two fields and the others in a Map (made with the
   * second endpoint: most clients only ever speak to one). The Map of errors and the record of
   * refused credentials are made with their first entry too.
   */
  private firstSupport: { endpoint: string; support: MaintSupport } | null = null;
  private support: Map<string, MaintSupport> | null = null;
  private lastErrors: Map<string, Error> | null = null;
  /**
   * Resolved once per client (SPEC §4), from a DNS lookup for a host name: the first dials start
   * while it runs (the handshake, not the dial, needs it), then it is a plain value.
   */
  endpointType: ResolvedEndpointType | Promise<ResolvedEndpointType> = 'none';
  private refusalsRecord: RefusedCredentials | null = null;
  /** The pool's first socket, dialled before its connection's actor exists (see preDial). */
  private early: (DialUnderWay & { endpoint: Endpoint }) | null = null;

  constructor(private readonly deps: OpenerDependencies) {}

  /**
   * Starts dialling `endpoint` now, for the next socket opened there: a pool's first connection is
   * dialled before its actor is made and started, so that the TCP (and TLS) round trips to a
   * server across a network overlap that work instead of following it. (On loopback the connect
   * completes in the kernel during it either way.)
   */
  preDial(endpoint: Endpoint): void {
    const { options } = this.deps;
    this.discardPreDial();
    const abort: DialAbort = { cancel: null };
    const socket = dial(endpoint, { tls: options.tls, connectTimeout: options.connectTimeout, configuredHost: options.host }, abort);
    socket.catch(() => undefined); // its taker sees the failure; one never taken must not be an unhandled rejection
    this.early = { endpoint, socket, abort };
  }

  /** A dial begun by preDial and not taken (the pool closed first): cancelled, or its socket closed. */
  discardPreDial(): void {
    if (this.early !== null) abandon(this.early, new Error('not needed'));
    this.early = null;
  }

  private takePreDial(endpoint: Endpoint): DialUnderWay | undefined {
    const early = this.early;
    if (early === null || early.endpoint.host !== endpoint.host || early.endpoint.port !== endpoint.port) return undefined;
    this.early = null;
    return early;
  }

  private get refusals(): RefusedCredentials {
    return (this.refusalsRecord ??= new RefusedCredentials(this.deps.clock));
  }

  supportOf(endpoint: string): MaintSupport {
    if (this.firstSupport?.endpoint === endpoint) return this.firstSupport.support;
    return this.support?.get(endpoint) ?? 'unknown';
  }

  supportSnapshot(): Record<string, MaintSupport> {
    const first = this.firstSupport === null ? {} : { [this.firstSupport.endpoint]: this.firstSupport.support };
    return this.support === null ? first : { ...first, ...Object.fromEntries(this.support) };
  }

  /** The error of the owner's last failed attempt, until one succeeds or it is forgotten. */
  lastError(id: string): Error | undefined {
    return this.lastErrors?.get(id);
  }

  forget(id: string): void {
    this.lastErrors?.delete(id);
  }

  /** Dials `endpoint` and runs the whole handshake for `connection`. */
  async openAt(connection: SocketOwner, endpoint: Endpoint, signal: AbortSignal): Promise<{ pipeline: Pipeline; maint: MaintSupport; protocol: 2 | 3 }> {
    const { options } = this.deps;
    const endpointText = formatEndpoint(endpoint);
    const maint = options.maint;
    const optIn = maint.mode !== 'disabled' && options.protocol === 3 && this.supportOf(endpointText) !== 'unsupported';
    let dialled = this.takePreDial(endpoint);
    try {
      const credentials = await currentCredentials(options, options.connectTimeout, signal);
      this.refusalsRecord?.check(credentials);
      const startedAt = this.deps.clock.now();
      const handshake = (endpointType: ResolvedEndpointType): HandshakeSpec => ({
        ...plainHandshake(options, credentials),
        maintOptIn: optIn ? { mode: maint.mode as 'enabled' | 'auto', endpointType } : false,
        tracking: options.clientSideCache !== undefined,
        readOnly: options.readOnlyConnections === true,
      });
      const endpointType = this.endpointType;
      const taken = dialled;
      dialled = undefined;
      const opened = await openConnection({
        endpoint,
        clock: this.deps.clock,
        dial: { tls: options.tls, connectTimeout: options.connectTimeout, signal, configuredHost: options.host },
        ...(taken === undefined ? {} : { dialled: taken }),
        handshake: typeof endpointType === 'string' ? handshake(endpointType) : endpointType.then(handshake),
        handlers: new OwnerHandlers(connection),
      }).catch((error: unknown) => {
        if (error instanceof ConnectionError && error.code === 'ERR_AUTH') this.refusals.refusedWith(credentials, startedAt);
        throw error;
      });
      this.refusalsRecord?.accepted();
      this.lastErrors?.delete(connection.id);
      if (opened.maint !== 'unknown') this.record(endpointText, opened.maint, opened.maintRejection);
      return { pipeline: opened.pipeline, maint: opened.maint, protocol: opened.protocol };
    } catch (error) {
      // Failed before the handshake took it (the credentials provider): the early socket is not kept.
      if (dialled !== undefined) abandon(dialled, error);
      (this.lastErrors ??= new Map()).set(connection.id, error as Error);
      throw error;
    }
  }

  private record(endpoint: string, support: MaintSupport, rejection?: string): void {
    if (this.supportOf(endpoint) === support) return;
    if (this.firstSupport === null || this.firstSupport.endpoint === endpoint) this.firstSupport = { endpoint, support };
    else (this.support ??= new Map()).set(endpoint, support);
    this.deps.emit({ type: 'endpoint.support', endpoint, support, ...(rejection === undefined ? {} : { reason: rejection }) });
    if (support === 'unsupported') {
      this.deps.logger.debug(`${endpoint} does not support maintenance notifications (${rejection ?? 'rejected'}); not asking again`);
    }
  }
}

/** The handshake every socket of a client starts with: protocol, credentials, database, names; no opt-in. */
export function plainHandshake(options: ResolvedClientOptions, { username, password }: ResolvedCredentials): HandshakeSpec {
  return { protocol: options.protocol, username, password, database: options.database, clientName: options.clientName, libName: LIB_NAME, libVersion: VERSION, maintOptIn: false };
}

/** Cancels a dial under way, or closes the socket it opened. */
function abandon(dialled: DialUnderWay, reason: unknown): void {
  dialled.abort.cancel?.(reason);
  dialled.socket.then((socket) => socket.destroy(), () => undefined);
}

/** A socket's handlers, forwarding to its owner: one small object per socket rather than a closure each. */
class OwnerHandlers implements PipelineHandlers {
  constructor(private readonly owner: SocketOwner) {}

  onPush(frame: RespValue[]): void {
    this.owner.onPush(frame);
  }

  onLost(error: ConnectionError, pipeline: Pipeline): void {
    this.owner.onLost(pipeline, error.message);
  }

  pushBuffers(): boolean {
    return this.owner.pushBuffers?.() === true;
  }
}
