/**
 * The Stately inspector relay (`createInspectorServer` of @statelyai/inspect), bound to 127.0.0.1.
 *
 * The relay serves a bridge page at http://localhost:<port> that embeds https://stately.ai/inspect
 * and forwards what the app sends to ws://localhost:<port>. It listens on every interface and
 * takes no host option, so its HTTP server is caught as it is created and made to listen on
 * 127.0.0.1; that also gives us its `listening` / `error` events and its sockets, to stop cleanly.
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { createInspectorServer } from '@statelyai/inspect/server';

export const HOST = '127.0.0.1';

export interface InspectorRelay {
  readonly port: number;
  /** The page to open: the Stately inspector, fed by this relay. */
  readonly pageUrl: string;
  /** Where the app's WebSocket inspector connects. */
  readonly socketUrl: string;
  /** WebSocket clients so far (the app's inspector, then each browser page). */
  readonly clients: number;
  /** Resolves when a WebSocket client connects after the first `after` ones. */
  waitForClient(after: number, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Rejects when `port` is taken on 127.0.0.1 (the relay's WebSocket server would crash the process on it). */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`port ${port} on ${HOST} is not available (${error.code ?? error.message}); give another with --port`)));
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

export async function startInspectorRelay(port: number): Promise<InspectorRelay> {
  await assertPortFree(port);
  const createServer = http.createServer;
  let server: http.Server | undefined;
  http.createServer = ((...args: Parameters<typeof createServer>) => {
    const created = createServer(...args);
    const listen = created.listen.bind(created) as (port: number, host: string, callback?: () => void) => http.Server;
    created.listen = ((listenPort: number, callback?: () => void) => listen(listenPort, HOST, callback)) as typeof created.listen;
    server = created;
    return created;
  }) as typeof http.createServer;
  let relay: { stop(): void };
  try {
    relay = createInspectorServer({ port, autoOpen: false });
  } finally {
    http.createServer = createServer;
  }
  const httpServer = server;
  if (httpServer === undefined) throw new Error('@statelyai/inspect/server did not create an HTTP server as expected');

  await new Promise<void>((resolve, reject) => {
    if (httpServer.listening) return resolve();
    httpServer.once('listening', resolve);
    httpServer.once('error', reject);
  });
  httpServer.on('error', (error) => console.error('inspector relay:', error.message));

  const sockets = new Set<Duplex>();
  let clients = 0;
  const waiters = new Set<() => void>();
  httpServer.on('upgrade', (_request: http.IncomingMessage, socket: Duplex) => {
    clients += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    for (const wake of waiters) wake();
  });

  return {
    port,
    pageUrl: `http://localhost:${port}`,
    socketUrl: `ws://${HOST}:${port}`,
    get clients() {
      return clients;
    },
    waitForClient(after, timeoutMs) {
      if (clients > after) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (connected: boolean) => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(connected);
        };
        const wake = () => {
          if (clients > after) done(true);
        };
        const timer = setTimeout(() => done(false), timeoutMs);
        waiters.add(wake);
      });
    },
    async stop() {
      const closed = new Promise<void>((resolve) => httpServer.once('close', () => resolve()));
      relay.stop(); // closes the WebSocket server and the HTTP server
      // The relay leaves its WebSocket clients (browser pages) open: end them, or close() waits.
      for (const socket of sockets) socket.destroy();
      httpServer.closeAllConnections();
      await closed;
    },
  };
}
