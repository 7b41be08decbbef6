/**
 * The address a cluster node announces (`cluster-announce-port`). Clients and the node's replicas
 * both dial it, because a cluster names one address per node. Clients go on to the simulator's
 * proxy (which reads replies frame by frame and injects notifications); replication connections
 * (REPLCONF / PSYNC / SYNC) are piped byte for byte to the redis-server, since an RDB transfer is
 * not RESP framed and an injected frame would corrupt the replication stream. A replica starts
 * with a lone PING and waits for its answer, so a first PING is answered here and the choice is
 * made on the next request.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { HostPort } from '../types.js';
import { parseArgs, RequestReader } from '../request-reader.js';

const PONG = Buffer.from('+PONG\r\n');
const REPLICATION = new Set(['REPLCONF', 'PSYNC', 'SYNC']);

export interface FrontDoor {
  readonly port: number;
  /**
   * Stops accepting and cuts the client connections (those piped to the proxy); replication
   * connections stay up, as a node's address change does not break its replicas' links.
   */
  retire(): Promise<void>;
  close(): Promise<void>;
}

export async function openFrontDoor(clients: () => HostPort, server: HostPort): Promise<FrontDoor> {
  const sockets = new Set<Socket>();
  /** Replication connections (and their server sockets), piped to the server. */
  const replication = new Set<Socket>();
  const listener: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const reader = new RequestReader();
    const buffered: Buffer[] = [];
    let decided = false;
    const pipe = (target: HostPort, first: Buffer[], replicating: boolean) => {
      decided = true;
      socket.removeListener('data', onData);
      socket.pause();
      const upstream = connect(target);
      sockets.add(upstream);
      if (replicating) {
        replication.add(socket);
        replication.add(upstream);
        socket.on('close', () => replication.delete(socket));
        upstream.on('close', () => replication.delete(upstream));
      }
      upstream.on('close', () => {
        sockets.delete(upstream);
        socket.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      socket.on('close', () => upstream.destroy());
      upstream.once('connect', () => {
        for (const bytes of first) upstream.write(bytes);
        socket.pipe(upstream);
        upstream.pipe(socket);
        socket.resume();
      });
    };
    const onData = (chunk: Buffer) => {
      try {
        reader.push(chunk, (frame) => {
          if (decided) {
            buffered.push(frame);
            return;
          }
          const name = parseArgs(frame)?.[0]?.toString('latin1').toUpperCase() ?? '';
          if (name === 'PING' && buffered.length === 0) {
            socket.write(PONG);
            return;
          }
          buffered.push(frame);
          const replicating = REPLICATION.has(name);
          pipe(replicating ? server : clients(), buffered, replicating);
        });
      } catch {
        socket.destroy();
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve());
  });
  const address = listener.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const stopListening = () => new Promise<void>((resolve) => listener.close(() => resolve()));
  return {
    port,
    retire: async () => {
      const stopped = stopListening();
      // A socket still deciding (a lone PING answered) is cut too: a replica dials again.
      for (const socket of sockets) if (!replication.has(socket)) socket.destroy();
      await stopped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  };
}
