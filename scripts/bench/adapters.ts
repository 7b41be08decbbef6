/**
 * One interface over the clients the benchmark compares, each configured as named. Batches are
 * a client's own pipeline (hitless has none: commands issued in one tick share a write already).
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import type * as Hitless from '../../src/index.js';

// The built package (what users run), not the sources through the TypeScript loader, which
// adds a name wrapper to every function and so inflates memory and start-up (`npm run bench` builds first).
const { createMaintClient } = (await import(new URL('../../dist/esm/index.js', import.meta.url).href)) as typeof Hitless;

export interface BenchClient {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  /** `n` GET/SET commands sent as one batch. */
  batch(commands: Array<[string, ...string[]]>): Promise<unknown>;
  /** The same as MULTI/EXEC. */
  transaction(commands: Array<[string, ...string[]]>): Promise<unknown>;
  close(): Promise<void>;
}

export type ClientName = 'hitless' | 'hitless-pool1' | 'node-redis' | 'node-redis-no-timeout' | 'ioredis' | 'ioredis-auto';
export const CLIENTS: readonly ClientName[] = ['hitless', 'hitless-pool1', 'node-redis', 'node-redis-no-timeout', 'ioredis', 'ioredis-auto'];

export async function connectClient(name: ClientName, host: string, port: number): Promise<BenchClient> {
  switch (name) {
    case 'hitless':
    case 'hitless-pool1': {
      const client = createMaintClient({ host, port, poolSize: name === 'hitless' ? 4 : 1 });
      await client.connect();
      return {
        get: (key) => client.get(key),
        set: (key, value) => client.set(key, value),
        batch: (commands) => Promise.all(commands.map(([command, ...args]) => client.call(command, ...args))),
        transaction: (commands) => client.multi(commands),
        close: () => client.close(),
      };
    }
    case 'node-redis':
    case 'node-redis-no-timeout': {
      const client = createClient({ socket: { host, port }, ...(name === 'node-redis-no-timeout' ? { commandOptions: { timeout: 0 } } : {}) });
      client.on('error', () => {});
      await client.connect();
      return {
        get: (key) => client.get(key),
        set: (key, value) => client.set(key, value),
        batch: (commands) => {
          const multi = client.multi();
          for (const command of commands) multi.addCommand(command);
          return multi.execAsPipeline();
        },
        transaction: (commands) => {
          const multi = client.multi();
          for (const command of commands) multi.addCommand(command);
          return multi.exec();
        },
        close: async () => {
          await client.close();
        },
      };
    }
    case 'ioredis':
    case 'ioredis-auto': {
      const client = new Redis({ host, port, lazyConnect: true, enableAutoPipelining: name === 'ioredis-auto' });
      client.on('error', () => {});
      await client.connect();
      return {
        get: (key) => client.get(key),
        set: (key, value) => client.set(key, value),
        // ioredis looks commands up by their lower-case method names.
        batch: (commands) => client.pipeline(lowerCased(commands)).exec(),
        transaction: (commands) => client.multi(lowerCased(commands)).exec(),
        close: async () => {
          await client.quit();
        },
      };
    }
  }
}

function lowerCased(commands: Array<[string, ...string[]]>): Array<[string, ...string[]]> {
  return commands.map(([name, ...args]) => [name.toLowerCase(), ...args]);
}
