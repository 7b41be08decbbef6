import { startRedisServer, type RedisProcess, type StartRedisOptions } from '../../src/simulator/redis-process.js';

export type { RedisProcess };

/** Starts a real redis-server on a free loopback port; stop it in teardown. */
export function startRedis(options: StartRedisOptions = {}): Promise<RedisProcess> {
  return startRedisServer(options);
}
