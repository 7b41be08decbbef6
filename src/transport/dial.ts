import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { ConnectionError } from '../errors.js';
import type { Endpoint } from '../protocol/endpoint.js';

export interface DialOptions {
  tls: false | ConnectionOptions;
  connectTimeout: number;
  signal?: AbortSignal;
}

/** Opens a TCP (or TLS) socket to `endpoint`, failing with ERR_CONNECT after `connectTimeout` ms. */
export function dial(endpoint: Endpoint, options: DialOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const target = `${endpoint.host}:${endpoint.port}`;
    if (options.signal?.aborted) {
      reject(new ConnectionError('ERR_CONNECT', `Dial to ${target} aborted`, { cause: options.signal.reason, retryable: true }));
      return;
    }
    const socket: Socket = options.tls
      ? tlsConnect({ servername: isIP(endpoint.host) === 0 ? endpoint.host : undefined, ...options.tls, host: endpoint.host, port: endpoint.port })
      : netConnect({ host: endpoint.host, port: endpoint.port });
    const readyEvent = options.tls ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => fail(new Error(`no connection within ${options.connectTimeout} ms`)), options.connectTimeout);
    const onAbort = () => fail(options.signal?.reason ?? new Error('aborted'));
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.off(readyEvent, onReady);
      options.signal?.removeEventListener('abort', onAbort);
    };
    function fail(cause: unknown) {
      cleanup();
      socket.destroy();
      const reason = cause instanceof Error ? cause.message : String(cause);
      reject(new ConnectionError('ERR_CONNECT', `Could not connect to ${target}: ${reason}`, { cause, retryable: true }));
    }
    function onReady() {
      cleanup();
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      resolve(socket);
    }
    socket.once('error', fail);
    socket.once(readyEvent, onReady);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
