/**
 * Which replies the client-side cache keeps: read-only commands on exactly one key, with a
 * scalar reply (so a caller cannot change a cached value by mutating what it got back).
 * CLIENT TRACKING tracks the key each of them reads, so a write to it invalidates the entry.
 */
export const CACHED_COMMANDS: ReadonlySet<string> = new Set(['GET', 'STRLEN', 'HGET', 'HLEN', 'HEXISTS', 'HSTRLEN', 'LLEN', 'LINDEX', 'SCARD', 'SISMEMBER', 'ZCARD', 'ZSCORE', 'ZRANK']);

/** How many arguments (after the name) each takes; anything else goes to the server uncached. */
const ARITY: Readonly<Record<string, number>> = {
  GET: 1,
  STRLEN: 1,
  HGET: 2,
  HLEN: 1,
  HEXISTS: 2,
  HSTRLEN: 2,
  LLEN: 1,
  LINDEX: 2,
  SCARD: 1,
  SISMEMBER: 2,
  ZCARD: 1,
  ZSCORE: 2,
  ZRANK: 2,
};

/**
 * The cache entry a call maps to — its key (the Redis key it reads) and a lookup id — or
 * undefined when the call is not cached (another command, another arity, binary arguments).
 */
export function cacheSlot(name: string, args: readonly unknown[]): { key: string; id: string } | undefined {
  if (ARITY[name] !== args.length) return undefined;
  for (const arg of args) if (typeof arg !== 'string' && typeof arg !== 'number') return undefined;
  const key = String(args[0]);
  return { key, id: args.length === 1 && name === 'GET' ? key : `${name}\u0000${args.join('\u0000')}` };
}
