import { ConnectionError, RedisReplyError } from '../errors.js';
import type { Endpoint } from '../protocol/endpoint.js';
import { encodeCommand } from '../protocol/encoder.js';
import { handshakeSteps, interpretHandshake, type HandshakeReply, type HandshakeSpec, type HandshakeStep, type MaintSupport } from '../protocol/handshake.js';
import type { RespValue } from '../protocol/types.js';
import type { Clock } from './clock.js';
import { PendingCommand } from './command.js';
import type { Socket } from 'node:net';
import { dial, type DialAbort, type DialOptions } from './dial.js';
import { Pipeline, type PipelineHandlers } from './pipeline.js';

/** A dial started before its connection existed (the pool's first socket, see ConnectionOpener.preDial). */
export interface DialUnderWay {
  readonly socket: Promise<Socket>;
  /** Cancels it while it is still dialling. */
  readonly abort: DialAbort;
}

export interface OpenOptions {
  endpoint: Endpoint;
  dial: DialOptions;
  /** The socket of a dial already under way to `endpoint`, used instead of dialling. */
  dialled?: DialUnderWay;
  clock: Clock;
  /** A promise when part of it is still being resolved (the endpoint type's DNS lookup): awaited once the socket is open. */
  handshake: HandshakeSpec | Promise<HandshakeSpec>;
  handlers: PipelineHandlers;
}

export interface OpenedConnection {
  pipeline: Pipeline;
  /** The protocol the handshake settled on (a RESP3 request falls back to 2 on servers without HELLO). */
  protocol: 2 | 3;
  maint: MaintSupport;
  /** The server's reply when it rejected the maintenance opt-in (auto mode). */
  maintRejection?: string;
}

/**
 * Dials, then runs the whole handshake (SPEC §2) as one pipelined round trip (two when the
 * server predates HELLO). The push route is live before anything is written. On any failure
 * the socket is closed and a typed ConnectionError is thrown.
 */
export async function openConnection(options: OpenOptions): Promise<OpenedConnection> {
  const target = `${options.endpoint.host}:${options.endpoint.port}`;
  const signal = options.dial.signal;
  // One abort listener for the whole open: it cancels the dial, then destroys the handshake's socket.
  const dialAbort: DialAbort = options.dialled?.abort ?? { cancel: null };
  let pipeline: Pipeline | null = null;
  const onAbort = () => (pipeline === null ? dialAbort.cancel?.(signal?.reason) : pipeline.destroy('was part of a handshake that was aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted === true) options.dialled?.abort.cancel?.(signal.reason);
    const socket = await (options.dialled?.socket ?? dial(options.endpoint, options.dial, dialAbort));
    pipeline = new Pipeline(socket, options.clock, options.handlers, target);
    return await handshake(pipeline, options, target);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The handshake on a dialled socket; on any failure the socket is closed and a typed ConnectionError is thrown. */
async function handshake(pipeline: Pipeline, options: OpenOptions, target: string): Promise<OpenedConnection> {
  try {
    const spec = await options.handshake;
    let steps = handshakeSteps(spec);
    let outcome = interpretHandshake(spec, steps, await run(pipeline, steps, options));
    if (outcome.kind === 'fallback') {
      steps = outcome.steps;
      outcome = interpretHandshake(spec, steps, await run(pipeline, steps, options), true);
    }
    // Refused credentials may be accepted later (a rotation the server or the provider has not caught up with yet).
    if (outcome.kind === 'failed') throw new ConnectionError(outcome.code, `${outcome.message} (${target})`, { retryable: outcome.code === 'ERR_AUTH' });
    if (outcome.kind === 'fallback') throw new ConnectionError('ERR_HANDSHAKE', `Handshake with ${target} did not settle`);
    if (options.dial.signal?.aborted) throw new ConnectionError('ERR_CONNECT', `Connecting to ${target} was aborted`, { retryable: true });
    // Bad bytes (or the close) in the same chunk as the last handshake reply: lost before any owner listens.
    if (!pipeline.writable) throw pipeline.lostError ?? new ConnectionError('ERR_CONNECTION_LOST', `Connection to ${target} closed right after its handshake`, { retryable: true });
    if (outcome.clientId !== undefined) pipeline.clientId = outcome.clientId;
    const opened: OpenedConnection = { pipeline, protocol: outcome.protocol, maint: outcome.maint };
    if (outcome.maintRejection !== undefined) opened.maintRejection = outcome.maintRejection;
    return opened;
  } catch (error) {
    pipeline.destroy('was part of a handshake that failed');
    if (error instanceof ConnectionError) throw error;
    throw new ConnectionError('ERR_HANDSHAKE', `Handshake with ${target} failed: ${(error as Error).message}`, { cause: error, retryable: true });
  }
}

function run(pipeline: Pipeline, steps: HandshakeStep[], options: OpenOptions): Promise<HandshakeReply[]> {
  const now = options.clock.now();
  return Promise.all(
    steps.map(
      (step) =>
        new Promise<HandshakeReply>((resolve, reject) => {
          const command = new PendingCommand(
            step.args[0] ?? '',
            encodeCommand(step.args),
            now,
            options.dial.connectTimeout,
            0,
            (value: RespValue) => resolve({ ok: true, value }),
            (error: Error) => (error instanceof RedisReplyError ? resolve({ ok: false, message: error.message }) : reject(error)),
          );
          pipeline.write(command);
        }),
    ),
  );
}
