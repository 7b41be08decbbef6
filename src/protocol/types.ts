/**
 * What the RESP decoder produces. The mapping is the same for RESP2 and RESP3 so that code
 * written against one protocol works with the other:
 * - simple string, bulk string, verbatim string → string (verbatim: the 3-letter format prefix removed);
 *   bulk strings are Buffers in a reply asked for as binary (`callBuffer`)
 * - integer, double → number (doubles: `inf`, `-inf`, `nan` become Infinity, -Infinity, NaN);
 *   an integer beyond ±2^53 → bigint, so that no digit is lost
 * - big number → bigint
 * - null (RESP3 `_`, RESP2 null bulk / null array) → null
 * - boolean → boolean
 * - array, set → array
 * - map → plain object (keys converted with String())
 * - error, bulk error → a RedisReplyError (as a top-level reply it is delivered through
 *   `onErrorReply`; nested inside an aggregate it stays a value, e.g. in an EXEC result)
 * - attribute → dropped (it annotates the value that follows, which is delivered as usual)
 * - push → delivered separately through `onPush`, never as a reply
 */
export type RespValue =
  | string
  | Buffer
  | number
  | bigint
  | boolean
  | null
  | RespValue[]
  | { [key: string]: RespValue }
  | RespErrorValue;

/** Minimal shape of an error reply nested in an aggregate (the concrete class is RedisReplyError). */
export interface RespErrorValue {
  readonly code: 'ERR_REDIS_REPLY';
  readonly message: string;
}

/** What a command argument may be: strings and Buffers as they are, numbers and bigints as their decimal text. */
export type RespArgument = string | number | bigint | Buffer | Uint8Array;
