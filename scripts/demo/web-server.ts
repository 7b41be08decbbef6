/**
 * The web dashboard's server, on 127.0.0.1 only: `/` is the page (and its script and style),
 * `/events` a server-sent
 * event stream (an `init` snapshot, then every update of the current run), `/state.json` the
 * snapshot. Runs follow one another (`--compare`): each new run re-initialises the page.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Monitor, Snapshot, Update } from './monitor.js';
import { FILES } from './web-page.js';

export interface WebServer {
  readonly url: string;
  /** Streams this run to every page (and to pages that connect later). */
  attach(monitor: Monitor): () => void;
  /** Text shown under the dashboard once every run finished (the report). */
  publishReport(text: string, ok: boolean): void;
  /** Ends every event stream and closes the server. Idempotent. */
  close(): Promise<void>;
}

type Message = Update | { type: 'init'; snapshot: Snapshot | null; report: { text: string; ok: boolean } | null } | { type: 'report'; text: string; ok: boolean } | { type: 'bye' };

export async function startWebServer(port: number): Promise<WebServer> {
  const streams = new Set<ServerResponse>();
  let monitor: Monitor | null = null;
  let report: { text: string; ok: boolean } | null = null;
  let closing: Promise<void> | null = null;

  const send = (res: ServerResponse, message: Message) => res.write(`event: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`);
  const broadcast = (message: Message) => {
    for (const res of streams) send(res, message);
  };
  const init = (): Message => ({ type: 'init', snapshot: monitor?.snapshot() ?? null, report });

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = FILES.get(path);
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (file !== undefined) {
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
    } else if (path === '/state.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(init()));
    } else if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 2000\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      send(res, init());
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${bound}/`,
    attach(next) {
      monitor = next;
      report = null;
      broadcast(init());
      const unlisten = next.listen(broadcast);
      return () => {
        unlisten();
      };
    },
    publishReport(text, ok) {
      report = { text, ok };
      broadcast({ type: 'report', text, ok });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        broadcast({ type: 'bye' });
        for (const res of streams) res.end();
        streams.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
