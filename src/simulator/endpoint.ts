/**
 * One listening port of the simulator on 127.0.0.1. Its state says whether it accepts
 * connections: `serving`, `refusing` (a fault: the port is closed for a while) or `retired`
 * (moved away by `bind`). Holds placed on the endpoint apply to every connection on it,
 * including connections opened later.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { ProxyConnection } from './proxy-connection.js';
import type { EndpointState, SimulatorTlsOptions } from './types.js';

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
  private server: Server | null = null;

  constructor(
    readonly index: number,
    public port: number,
    private readonly hooks: EndpointHooks,
    /** TLS mode: the certificate this endpoint terminates TLS with. */
    private readonly tls?: SimulatorTlsOptions,
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
          this.server = await listen(this.port, (socket) => this.hooks.accept(this, socket), this.tls);
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

function listen(port: number, onSocket: (socket: Socket) => void, tls: SimulatorTlsOptions | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    // TLS mode: connections are handed over once their handshake is done; one that fails it (a
    // client that does not trust the certificate) never becomes a proxied connection.
    const server = tls === undefined ? createServer(onSocket) : createTlsServer({ cert: tls.cert, key: tls.key }, onSocket);
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
