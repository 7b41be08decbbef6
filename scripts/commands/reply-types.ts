/**
 * Hand-written input of scripts/generate-commands.ts: which command groups get typed methods, and
 * the reply type of each command where it is fixed (Redis 7.0's COMMAND DOCS carry no reply
 * schema). `Value` is a bulk string holding user data: `string` in the method, `Buffer` in its
 * `…Buffer` variant. Commands not listed reply `RespValue`. Types are for RESP3 replies (doubles
 * are numbers, maps are objects).
 */

export const METHOD_GROUPS: readonly string[] = ['string', 'generic', 'hash', 'list', 'set', 'sorted-set', 'stream', 'hyperloglog', 'bitmap', 'geo', 'scripting'];
export const EXTRA_COMMANDS: readonly string[] = ['ping', 'echo', 'info', 'dbsize', 'time', 'flushdb', 'publish'];

const INTEGER = [
  // string
  'append', 'decr', 'decrby', 'incr', 'incrby', 'setrange', 'strlen', 'msetnx', 'setnx',
  // generic
  'copy', 'del', 'exists', 'expire', 'expireat', 'expiretime', 'move', 'persist', 'pexpire', 'pexpireat', 'pexpiretime', 'pttl', 'renamenx', 'touch', 'ttl', 'unlink', 'wait',
  // hash
  'hdel', 'hexists', 'hincrby', 'hlen', 'hset', 'hsetnx', 'hstrlen',
  // list
  'linsert', 'llen', 'lpush', 'lpushx', 'lrem', 'rpush', 'rpushx',
  // set
  'sadd', 'scard', 'sdiffstore', 'sintercard', 'sinterstore', 'sismember', 'smove', 'srem', 'sunionstore',
  // sorted set
  'zcard', 'zcount', 'zdiffstore', 'zintercard', 'zinterstore', 'zlexcount', 'zrangestore', 'zrem', 'zremrangebylex', 'zremrangebyrank', 'zremrangebyscore', 'zunionstore',
  // stream, hyperloglog, bitmap, geo
  'xack', 'xdel', 'xlen', 'xtrim', 'pfadd', 'pfcount', 'bitcount', 'bitop', 'bitpos', 'getbit', 'setbit', 'geoadd', 'geosearchstore',
  // others
  'dbsize', 'publish',
];

const STATUS = ['mset', 'psetex', 'setex', 'rename', 'restore', 'migrate', 'hmset', 'lset', 'ltrim', 'pfmerge', 'xsetid', 'flushdb', 'ping', 'type'];

export const REPLY_TYPES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(INTEGER.map((name) => [name, 'number'])),
  ...Object.fromEntries(STATUS.map((name) => [name, 'string'])),
  get: 'Value | null',
  getdel: 'Value | null',
  getex: 'Value | null',
  getrange: 'Value',
  getset: 'Value | null',
  substr: 'Value',
  set: 'Value | null',
  incrbyfloat: 'string',
  mget: 'Array<Value | null>',
  dump: 'Value | null',
  keys: 'string[]',
  randomkey: 'string | null',
  scan: '[cursor: string, keys: string[]]',
  echo: 'Value',
  info: 'string',
  time: '[seconds: string, microseconds: string]',
  hget: 'Value | null',
  hgetall: 'Record<string, Value>',
  hincrbyfloat: 'string',
  hkeys: 'string[]',
  hvals: 'Value[]',
  hmget: 'Array<Value | null>',
  hscan: '[cursor: string, fieldsAndValues: Value[]]',
  blmove: 'Value | null',
  brpoplpush: 'Value | null',
  blpop: '[key: string, element: Value] | null',
  brpop: '[key: string, element: Value] | null',
  lindex: 'Value | null',
  lmove: 'Value | null',
  rpoplpush: 'Value | null',
  lpop: 'Value | Value[] | null',
  rpop: 'Value | Value[] | null',
  lrange: 'Value[]',
  sdiff: 'Value[]',
  sinter: 'Value[]',
  smembers: 'Value[]',
  sunion: 'Value[]',
  smismember: 'number[]',
  spop: 'Value | Value[] | null',
  srandmember: 'Value | Value[] | null',
  sscan: '[cursor: string, members: Value[]]',
  zadd: 'number | null',
  zincrby: 'number',
  zscore: 'number | null',
  zmscore: 'Array<number | null>',
  zrank: 'number | null',
  zrevrank: 'number | null',
  zrangebylex: 'Value[]',
  zrevrangebylex: 'Value[]',
  bzpopmin: '[key: string, member: Value, score: number] | null',
  bzpopmax: '[key: string, member: Value, score: number] | null',
  zscan: '[cursor: string, membersAndScores: Value[]]',
  xadd: 'string | null',
  bitfield: 'Array<number | null>',
  bitfield_ro: 'number[]',
  geodist: 'string | null',
  geohash: 'Array<string | null>',
};
