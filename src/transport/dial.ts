import { connect as netConnect, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { ConnectionError } from '../errors.js';
import type { Endpoint } from '../protocol/endpoint.js';
import { isCertificateError, tlsOptionsFor } from './tls-options.js';

export interface DialOptions {
  tls: false | ConnectionOptions;
  connectTimeout: number;
  /** Checked as the dial starts; a later abort arrives through `DialAbort.cancel`. */
  signal?: AbortSignal;
  /** The host the client was configured with: the user's `tls.servername` applies to it only. */
  configuredHost?: string;
}

/**
 * Where the caller takes the dial's canceller. The dial does not listen to `signal` itself: its
 * caller (openConnection, for the whole dial + handshake) does and calls `cancel`, so that one
 * open costs one abort listener — adding and removing one is among the dearest steps of a cold
 * connect.
 */
export interface DialAbort {
  cancel: ((reason: unknown) => void) | null;
}

/** TCP keepalive probes start after this much idle time, so a peer that vanished is noticed even with nothing in flight. */
export const KEEPALIVE_DELAY_MS = 30_000;

/**
 * Opens a TCP (or TLS) socket to `endpoint`, failing with ERR_CONNECT after `connectTimeout` ms,
 * when `signal` is already aborted, or when `abort.cancel` is called meanwhile.
 */
export function dial(endpoint: Endpoint, options: DialOptions, abort: DialAbort = { cancel: null }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const target = `${endpoint.host}:${endpoint.port}`;
    if (options.signal?.aborted) {
      reject(new ConnectionError('ERR_CONNECT', `Dial to ${target} aborted`, { cause: options.signal.reason, retryable: true }));
      return;
    }
    // node:tls is loaded with the first TLS dial: a quarter of what importing hitless costs otherwise.
    const socket: Socket = options.tls
      ? process.getBuiltinModule('node:tls').connect(tlsOptionsFor(endpoint, options.tls, options.configuredHost))
      : netConnect({ host: endpoint.host, port: endpoint.port });
    const readyEvent = options.tls ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => fail(new Error(`no connection within ${options.connectTimeout} ms`)), options.connectTimeout);
    const onAbort = () => fail(options.signal?.reason ?? new Error('aborted'));
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.off(readyEvent, onReady);
      abort.cancel = null;
    };
    function fail(cause: unknown) {
      cleanup();
      socket.destroy();
      const reason = cause instanceof Error ? cause.message : String(cause);
      // Nothing was spoken over a link whose certificate did not verify: the handshake never started.
      if (isCertificateError(cause)) reject(new ConnectionError('ERR_TLS', `TLS certificate of ${target} did not verify: ${reason}`, { cause, retryable: true }));
      else reject(new ConnectionError('ERR_CONNECT', `Could not connect to ${target}: ${reason}`, { cause, retryable: true }));
    }
    function onReady() {
      cleanup();
      socket.setNoDelay(true);
      socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
      resolve(socket);
    }
    socket.once('error', fail);
    socket.once(readyEvent, onReady);
    abort.cancel = onAbort;
  });
}
