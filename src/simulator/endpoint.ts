/**
 * One endpoint of the simulator: a port on one or more loopback addresses. Its state says
 * whether it accepts connections: `serving`, `refusing` (a fault: the port is closed for a while)
 * or `retired` (moved away by `bind` with `retire`). Holds placed on the endpoint apply to every
 * connection on it, including connections opened later.
 *
 * An endpoint answers to three forms, which a MOVING names by the type a connection asked for:
 * its external address (its identity, `address`), its internal address and a host name
 * (`localhost`, served on 127.0.0.1). All three listen on the same port.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { ProxyConnection } from './proxy-connection.js';
import type { EndpointState, EndpointType, SimulatorTlsOptions } from './types.js';

export const LOOPBACK = '127.0.0.1';

/** The addresses an endpoint listens on. */
export interface EndpointHosts {
  external: string;
  internal: string;
  /** A name for the FQDN forms; it must resolve to 127.0.0.1 (where the endpoint also listens). */
  name: string;
}

export const SHARED_HOSTS: EndpointHosts = { external: LOOPBACK, internal: LOOPBACK, name: 'localhost' };

export interface EndpointHooks {
  accept(endpoint: Endpoint, socket: Socket): void;
  state(endpoint: Endpoint): void;
}

export class Endpoint {
  state: EndpointState = 'retired';
  readonly connections = new Set<ProxyConnection>();
  /** Hold reasons applied to every connection on this endpoint. */
  readonly holds = new Set<string>();
  /**
   * The node a connection opened on this address is served by: itself, until a `bind` whose old
   * address follows the move (as a managed database's DNS name does) points it at the new node.
   */
  leadsTo: Endpoint = this;
  private servers: Server[] = [];
  /** Once it has served on a port it keeps it (a reopened endpoint is the same address). */
  private portKept: boolean;

  constructor(
    readonly index: number,
    public port: number,
    private readonly hooks: EndpointHooks,
    readonly hosts: EndpointHosts = SHARED_HOSTS,
    /** TLS mode: the certificate this endpoint terminates TLS with. */
    private readonly tlsOptions?: SimulatorTlsOptions,
  ) {
    this.portKept = port !== 0;
  }

  /** True in TLS mode. */
  get tls(): boolean {
    return this.tlsOptions !== undefined;
  }

  get host(): string {
    return this.hosts.external;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** How a MOVING names this endpoint for a connection that asked for `type` (null for `none`). */
  announce(type: EndpointType): string | null {
    switch (type) {
      case 'internal-ip':
        return `${this.hosts.internal}:${this.port}`;
      case 'external-ip':
        return `${this.hosts.external}:${this.port}`;
      case 'internal-fqdn':
      case 'external-fqdn':
        return `${this.hosts.name}:${this.port}`;
      case 'none':
        return null;
    }
  }

  /** Starts listening (on the same port as before, once it has one). */
  async open(state: EndpointState = 'serving'): Promise<void> {
    if (this.servers.length === 0) {
      for (let attempt = 0; ; attempt++) {
        try {
          this.servers = await this.listenAll();
          break;
        } catch (error) {
          // The previous listener on this port may still be closing; or, with a port the OS chose
          // for the first address, another program holds it on one of the others: choose again.
          if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 19) throw error;
          if (!this.portKept) this.port = 0;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
      this.portKept = true;
    }
    this.setState(state);
  }

  /** Stops accepting (dials are refused); open connections stay. */
  stopListening(state: EndpointState): void {
    const servers = this.servers;
    this.servers = [];
    for (const server of servers) server.close();
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

  private async listenAll(): Promise<Server[]> {
    const hosts = [...new Set([this.hosts.external, this.hosts.internal, LOOPBACK])];
    const servers: Server[] = [];
    try {
      for (const host of hosts) {
        const server = await listen(host, this.port, (socket) => this.hooks.accept(this, socket), this.tlsOptions);
        servers.push(server);
        const address = server.address();
        if (typeof address === 'object' && address !== null) this.port = address.port;
      }
      return servers;
    } catch (error) {
      for (const server of servers) server.close();
      throw error;
    }
  }
}

function listen(host: string, port: number, onSocket: (socket: Socket) => void, tls: SimulatorTlsOptions | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    // TLS mode: connections are handed over once their handshake is done; one that fails it (a
    // client that does not trust the certificate) never becomes a proxied connection.
    const server = tls === undefined ? createServer(onSocket) : createTlsServer({ cert: tls.cert, key: tls.key }, onSocket);
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRNOTAVAIL') {
        error.message = `cannot listen on ${host}: not an address of this machine (Linux routes all of 127.0.0.0/8 to lo; elsewhere add it, e.g. ifconfig lo0 alias ${host})`;
      }
      reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.removeAllListeners('error');
      server.on('error', () => {
        // a listening server only errors on close races; the endpoint state says what matters
      });
      resolve(server);
    });
  });
}
