/**
 * What a client request means to the proxy: whether the proxy answers it itself
 * (`CLIENT MAINT_NOTIFICATIONS`), how many replies the server will send for it (so that a
 * synthetic reply can be spliced in order), and which connection state it sets (replayed on a
 * new upstream socket after a failover).
 */
import { ENDPOINT_TYPES, type EndpointType } from './types.js';

export type ReplayKey = 'hello' | 'auth' | 'select' | 'setname';

export interface Answer {
  reply: Buffer;
  endpointType?: EndpointType | null;
}

export interface RequestEffect {
  /**
   * The proxy answers instead of forwarding: with what this gives when the answer's turn comes
   * (in the connection's state then, e.g. after a pipelined HELLO's reply).
   */
  answer?: (state: ConnectionProtocolState) => Answer;
  /** Replies the server sends for it; null when that cannot be known (the connection stops counting). */
  replies: number | null;
  /** State to replay on a new upstream socket. */
  replay?: ReplayKey;
  /** Protocol the connection uses from now on (HELLO: once its reply is written and not an error). */
  protocol?: 2 | 3;
  /** WATCH/MULTI open a guarded transaction; EXEC, DISCARD, UNWATCH and RESET end it. */
  transaction?: 'watch' | 'multi' | 'unwatch' | 'end';
  /** RESET: back to a fresh connection. */
  reset?: true;
  /** CLIENT REPLY mode. */
  replyMode?: 'on' | 'off' | 'skip';
  /** A (un)subscribe command (its name), to track subscriptions. */
  subscription?: string;
}

export interface ConnectionProtocolState {
  protocol: 2 | 3;
  /** False while the server side has maintenance notifications off (`update_cluster_config`). */
  notificationsEnabled?: boolean;
}

const OK = Buffer.from('+OK\r\n');
const PUBSUB = new Set(['SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE']);

function error(text: string): Buffer {
  return Buffer.from(`-${text}\r\n`);
}

function upper(arg: Buffer | undefined): string {
  return arg === undefined ? '' : arg.toString('latin1').toUpperCase();
}

export function classifyRequest(args: readonly Buffer[] | null, state: ConnectionProtocolState): RequestEffect {
  if (args === null) return { replies: 1 };
  if (args.length === 0) return { replies: 0 }; // an empty inline line: the server ignores it
  const name = upper(args[0]);
  switch (name) {
    case 'CLIENT':
      return classifyClient(args);
    case 'HELLO': {
      const version = args[1] === undefined ? undefined : args[1].toString('latin1');
      const effect: RequestEffect = { replies: 1, replay: 'hello' };
      if (version === '3') effect.protocol = 3;
      else if (version === '2') effect.protocol = 2;
      return effect;
    }
    case 'AUTH':
      return { replies: 1, replay: 'auth' };
    case 'SELECT':
      return { replies: 1, replay: 'select' };
    case 'RESET':
      return { replies: 1, reset: true, protocol: 2, transaction: 'end' };
    case 'WATCH':
      return { replies: 1, transaction: 'watch' };
    case 'MULTI':
      return { replies: 1, transaction: 'multi' };
    case 'UNWATCH':
      return { replies: 1, transaction: 'unwatch' };
    case 'EXEC':
    case 'DISCARD':
      return { replies: 1, transaction: 'end' };
    case 'MONITOR':
      return { replies: null };
    default:
      if (PUBSUB.has(name)) {
        // RESP3 confirms with push frames, which are not replies; RESP2 with one reply per channel
        // (and an unknown number for an argument-less unsubscribe).
        if (state.protocol === 3) return { replies: 0, subscription: name };
        return { replies: args.length > 1 ? args.length - 1 : null, subscription: name };
      }
      return { replies: 1 };
  }
}

function classifyClient(args: readonly Buffer[]): RequestEffect {
  const sub = upper(args[1]);
  if (sub === 'SETNAME') return { replies: 1, replay: 'setname' };
  if (sub === 'REPLY') {
    const mode = upper(args[2]);
    if (mode === 'ON') return { replies: 1, replyMode: 'on' };
    if (mode === 'OFF') return { replies: 0, replyMode: 'off' };
    if (mode === 'SKIP') return { replies: 0, replyMode: 'skip' };
    return { replies: 1 };
  }
  if (sub !== 'MAINT_NOTIFICATIONS') return { replies: 1 };
  return { replies: 0, answer: (now) => maintAnswer(args, now) };
}

/** What an open-source server answers to a subcommand it does not know. */
const UNKNOWN_SUBCOMMAND = error("ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.");

/**
 * `CLIENT MAINT_NOTIFICATIONS ON [moving-endpoint-type T]` / `OFF`, answered as a managed server
 * would, or as an open-source server does while the feature is off server-side.
 */
function maintAnswer(args: readonly Buffer[], state: ConnectionProtocolState): Answer {
  if (state.notificationsEnabled === false) return { reply: UNKNOWN_SUBCOMMAND };
  const mode = upper(args[2]);
  if (mode === 'OFF' && args.length === 3) return { reply: OK, endpointType: null };
  if (mode !== 'ON') return { reply: error("ERR syntax error: expected 'CLIENT MAINT_NOTIFICATIONS ON|OFF [moving-endpoint-type <type>]'") };
  if (state.protocol !== 3) return { reply: error('ERR CLIENT MAINT_NOTIFICATIONS requires RESP3 (send HELLO 3 first)') };
  let type: EndpointType = 'internal-ip';
  for (let i = 3; i < args.length; i += 2) {
    const option = args[i]?.toString('latin1').toLowerCase();
    const value = args[i + 1]?.toString('latin1').toLowerCase();
    if (option !== 'moving-endpoint-type' || value === undefined) return { reply: error(`ERR syntax error: unknown option '${option ?? ''}'`) };
    if (!(ENDPOINT_TYPES as readonly string[]).includes(value)) {
      return { reply: error(`ERR invalid moving-endpoint-type '${value}', expected one of ${ENDPOINT_TYPES.join(', ')}`) };
    }
    type = value as EndpointType;
  }
  return { reply: OK, endpointType: type };
}
