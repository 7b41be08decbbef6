/**
 * Which error replies a cluster client follows (SPEC §11). Only an error reply redirects, and an
 * error reply proves the command did not run, so following one never doubles a write.
 */
import { RedisReplyError } from '../errors.js';
import { parseEndpoint, type Endpoint } from '../protocol/endpoint.js';

export type Redirect =
  | { kind: 'moved' | 'ask'; slot: number; endpoint: Endpoint }
  | { kind: 'retry' };

/** `MOVED 3999 127.0.0.1:6381`, `ASK 3999 :6381` (empty host: the node that answered), TRYAGAIN, CLUSTERDOWN, LOADING. */
export function redirectOf(error: Error, answeredBy: Endpoint): Redirect | null {
  if (!(error instanceof RedisReplyError)) return null;
  switch (error.prefix) {
    case 'MOVED':
    case 'ASK': {
      const parts = error.message.split(' ');
      const slot = Number(parts[1]);
      const address = parts[2] ?? '';
      if (!Number.isInteger(slot) || slot < 0 || slot > 16383) return null;
      const text = address.startsWith(':') ? `${answeredBy.host}${address}` : address;
      const parsed = parseEndpoint(text);
      if (parsed.kind !== 'endpoint') return null;
      return { kind: error.prefix === 'MOVED' ? 'moved' : 'ask', slot, endpoint: parsed.endpoint };
    }
    case 'TRYAGAIN':
    case 'CLUSTERDOWN':
    case 'LOADING':
      return { kind: 'retry' };
    default:
      return null;
  }
}

/** Jittered exponential backoff for TRYAGAIN / CLUSTERDOWN / LOADING: 50–100 % of min(10 × 2^n, 250) ms. */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(250, 10 * 2 ** Math.min(attempt, 10));
  return Math.ceil(ceiling * (0.5 + random() / 2));
}
