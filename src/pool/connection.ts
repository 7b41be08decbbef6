import type { ActorRefFrom } from 'xstate';
import { connectionStateName, type ConnectionMachine, type ConnectionStateValue, type OpenedSocket } from '../machines/connection.machine.js';
import type { Endpoint } from '../protocol/endpoint.js';
import { formatEndpoint } from '../protocol/endpoint.js';
import type { RespValue } from '../protocol/types.js';
import type { PendingCommand } from '../transport/command.js';
import type { Pipeline } from '../transport/pipeline.js';

/** What a connection needs from its pool to open a socket and to report what it hears. */
export interface ConnectionHost {
  open(connection: Connection, signal: AbortSignal): Promise<{ pipeline: Pipeline; endpoint: Endpoint; maint: OpenedSocket['maint'] }>;
  onPush(connection: Connection, frame: RespValue[]): void;
  onStateChange(connection: Connection, previous: ConnectionStateValue): void;
}

/**
 * One pooled connection as the per-command path sees it: plain fields the routing reads
 * (`pipeline`, `routable`, `relaxedTimeout`), kept current by the connection's machine.
 */
export class Connection {
  pipeline: Pipeline | null = null;
  state: ConnectionStateValue = 'connecting';
  endpoint: Endpoint;
  /** > 0 while maintenance relaxes this connection's timeouts. */
  relaxedTimeout = 0;
  /** Held by one caller (blocking command or WATCH transaction); not used for multiplexing. */
  leased = false;
  ref: ActorRefFrom<ConnectionMachine> | null = null;
  /** One-shot observer of the next state change (used while waiting for a dedicated connection). */
  whenChanged: (() => void) | undefined = undefined;

  constructor(
    readonly id: string,
    endpoint: Endpoint,
    /** Dedicated connections serve leases and are not part of the multiplexed set. */
    readonly dedicated: boolean,
    private readonly host: ConnectionHost,
  ) {
    this.endpoint = endpoint;
  }

  get endpointText(): string {
    return formatEndpoint(this.endpoint);
  }

  get inflight(): number {
    return this.pipeline?.inflightCount ?? 0;
  }

  /** Ready for commands: a live socket in an idle or relaxed state. */
  get ready(): boolean {
    return (this.state === 'idle' || this.state === 'relaxed') && this.pipeline !== null && this.pipeline.writable;
  }

  write(command: PendingCommand): void {
    if (this.relaxedTimeout > 0) command.relax(this.relaxedTimeout);
    (this.pipeline as Pipeline).write(command);
  }

  /** Called by the machine's `openSocket` actor. */
  async open(signal: AbortSignal): Promise<OpenedSocket> {
    const opened = await this.host.open(this, signal);
    this.pipeline = opened.pipeline;
    this.endpoint = opened.endpoint;
    return { endpoint: formatEndpoint(opened.endpoint), maint: opened.maint };
  }

  /** Called by the machine's `closeSocket` actor: drain in-flight replies (bounded), then QUIT. */
  async closeSocket(graceMs: number): Promise<void> {
    const pipeline = this.pipeline;
    this.pipeline = null;
    await pipeline?.end(graceMs);
  }

  attach(ref: ActorRefFrom<ConnectionMachine>): void {
    this.ref = ref;
    ref.subscribe({
      next: (snapshot) => {
        const next = snapshot.status === 'done' ? 'closed' : connectionStateName(snapshot.value);
        if (next === this.state) return;
        const previous = this.state;
        this.state = next;
        this.host.onStateChange(this, previous);
      },
      error: () => {
        // A crashed machine is reported by the pool actor; the connection is unusable from here.
        const previous = this.state;
        this.state = 'closed';
        this.pipeline?.destroy('lost its connection (internal error)');
        this.pipeline = null;
        this.host.onStateChange(this, previous);
      },
    });
  }

  onPush(frame: RespValue[]): void {
    this.host.onPush(this, frame);
  }

  onLost(reason: string): void {
    this.pipeline = null;
    this.ref?.send({ type: 'socket.lost', reason });
  }
}
