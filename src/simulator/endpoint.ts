/**
 * One listening port of the simulator on 127.0.0.1. Its state says whether it accepts
 * connections: `serving`, `refusing` (a fault: the port is closed for a while) or `retired`
 * (moved away by `bind`). Holds placed on the endpoint apply to every connection on it,
 * including connections opened later.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { ProxyConnection } from './proxy-connection.js';
import type { EndpointState } from './types.js';

export const LOOPBACK = '127.0.0.1';

export interface EndpointHooks {
  accept(endpoint: Endpoint, socket: Socket): void;
  state(endpoint: Endpoint): void;
}

export class Endpoint {
  readonly host = LOOPBACK;
  state: EndpointState = 'retired';
  readonly connections = new Set<ProxyConnection>();
  /** Hold reasons applied to every connection on this endpoint. */
  readonly holds = new Set<string>();
  /**
   * The node a connection opened on this address is served by: itself, until a `bind` whose old
   * address follows the move (as a managed database's DNS name does) points it at the new node.
   */
  leadsTo: Endpoint = this;
  private server: Server | null = null;

  constructor(
    readonly index: number,
    public port: number,
    private readonly hooks: EndpointHooks,
  ) {}

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Starts listening (on the same port as before, once it has one). */
  async open(state: EndpointState = 'serving'): Promise<void> {
    if (this.server === null) {
      let lastError: unknown;
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          this.server = await listen(this.port, (socket) => this.hooks.accept(this, socket));
          break;
        } catch (error) {
          lastError = error;
          // The previous listener on this port may still be closing.
          if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || this.port === 0) throw error;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
      if (this.server === null) throw lastError;
      const address = this.server.address();
      if (typeof address === 'object' && address !== null) this.port = address.port;
    }
    this.setState(state);
  }

  /** Stops accepting (dials are refused); open connections stay. */
  stopListening(state: EndpointState): void {
    const server = this.server;
    this.server = null;
    server?.close();
    this.setState(state);
  }

  hold(reason: string): void {
    this.holds.add(reason);
    for (const connection of this.connections) connection.hold(reason);
  }

  release(reason: string): void {
    this.holds.delete(reason);
    for (const connection of this.connections) connection.release(reason);
  }

  /** Closes every connection on this endpoint. */
  cutAll(reason: string): void {
    for (const connection of [...this.connections]) connection.close(reason);
  }

  private setState(state: EndpointState): void {
    if (this.state === state) return;
    this.state = state;
    this.hooks.state(this);
  }
}

function listen(port: number, onSocket: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(onSocket);
    server.once('error', reject);
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      server.off('error', reject);
      server.on('error', () => {
        // a listening server only errors on close races; the endpoint state says what matters
      });
      resolve(server);
    });
  });
}
