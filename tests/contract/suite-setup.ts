/**
 * What a user of an official client does to run its scenario suites here: start
 * `hitless-simulator --spawn --endpoints-config FILE` (a separate process), read the endpoints
 * file (REDIS_ENDPOINTS_CONFIG_PATH) and the API URL (RE_FAULT_INJECTOR_URL), and build node-redis
 * clients the way node-redis's `test-scenario.util.ts` does. Not a test file itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import diagnostics from 'node:diagnostics_channel';
import { createClient, type RedisClientOptions } from 'redis';
import { FaultInjector } from './fault-injector.js';

const CLI = fileURLToPath(new URL('../../src/simulator/cli.ts', import.meta.url));

/** Durations short enough for a test run; the suites' bodies carry none, so these defaults apply. */
export const CONTRACT_DEFAULTS = {
  migrate: { time_s: 3, duration_s: 2.6, delay_ms: 0 },
  bind: { time_s: 2, dns_follows_s: 0.6 },
  failover: { time_s: 3, min_duration_s: 3 },
};

export interface DatabaseConfig {
  host: string;
  port: number;
  username: string;
  password: string;
  tls: boolean;
  bdbId: number;
}

export interface ContractRig {
  fi: FaultInjector;
  db: DatabaseConfig;
  /** The endpoints file (REDIS_ENDPOINTS_CONFIG_PATH) the simulator wrote. */
  endpointsFile: string;
  /** TLS mode: the CA file the ready line named (what the clients trust). */
  ca: string | undefined;
  /** Every maintenance push node-redis reported on its `redis.maintenance` channel, in order. */
  log: Array<{ type: string; push: string[]; at: number }>;
  client(options?: Partial<RedisClientOptions>): Promise<NodeRedisClient>;
  /** Destroys every client made so far (the suites' afterEach). */
  destroyClients(): void;
  /** The simulator's view of its connections (GET /connections). */
  connections(): Promise<Array<{ endpoint: string; node: string; endpointType: string | null }>>;
  close(): Promise<void>;
}

export type NodeRedisClient = ReturnType<typeof createClient>;

export async function startContractRig(defaults: Record<string, Record<string, unknown>> = CONTRACT_DEFAULTS, extraArgs: string[] = []): Promise<ContractRig> {
  const dir = mkdtempSync(join(tmpdir(), 'hitless-contract-'));
  const file = join(dir, 'endpoints.json');
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--spawn', '--api-port', '0', '--quiet', '--endpoints-config', file, '--action-defaults', JSON.stringify(defaults), ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const clients: NodeRedisClient[] = [];
  const log: ContractRig['log'] = [];
  const onPush = (event: unknown) => {
    const { type, data, timestamp } = event as { type: string; data: { push: string[] }; timestamp: number };
    log.push({ type, push: data.push, at: timestamp });
  };
  let subscribed = false;
  const close = async () => {
    if (subscribed) diagnostics.unsubscribe('redis.maintenance', onPush);
    for (const client of clients) if (client.isOpen) client.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { api, ca } = await readyLine(child);
    const trusted = ca === undefined ? undefined : readFileSync(ca, 'utf8');
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { bdb_id: number; username: string; password: string; tls: boolean; raw_endpoints: Array<{ dns_name: string; port: number }> }>;
    const first = Object.values(config)[0]!;
    const db: DatabaseConfig = {
      host: first.raw_endpoints[0]!.dns_name,
      port: first.raw_endpoints[0]!.port,
      username: first.username,
      password: first.password,
      tls: first.tls,
      bdbId: first.bdb_id,
    };
    process.env['REDIS_EMIT_DIAGNOSTICS'] = '1';
    diagnostics.subscribe('redis.maintenance', onPush);
    subscribed = true;
    const fi = new FaultInjector(api);
    return {
      fi,
      db,
      endpointsFile: file,
      ca,
      log,
      async client(options = {}) {
        const client = createClient({
          // As the suites' createTestClient: `tls: true` when the file says so (plus the CA to trust).
          socket: { host: db.host, port: db.port, ...(db.tls ? { tls: true, ca: trusted } : {}) },
          username: db.username,
          ...(db.password === '' ? {} : { password: db.password }),
          RESP: 3,
          maintNotifications: 'auto',
          maintEndpointType: 'auto',
          ...options,
        } as RedisClientOptions) as NodeRedisClient;
        client.on('error', () => {
          // sockets cut by a bind while notifications are off reconnect; the tests assert on outcomes
        });
        clients.push(client);
        await client.connect();
        return client;
      },
      destroyClients() {
        for (const client of clients.splice(0)) if (client.isOpen) client.destroy();
      },
      async connections() {
        const { connections } = await fi.request<{ connections: Array<{ endpoint: string; node: string; endpointType: string | null }> }>('GET', '/connections');
        return connections;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function readyLine(child: ChildProcess): Promise<{ api: string; ca: string | undefined }> {
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the simulator was not ready in time: ${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      resolve(JSON.parse(stdout.slice(0, newline)) as { api: string; ca: string | undefined });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited with ${code}: ${stderr}`));
    });
  });
}

/**
 * As the suites' `blockCommand`: runs `command` while setImmediate callbacks are held back, so
 * node-redis cannot write it and its own timeout decides; returns the error and how long it took.
 * (The suites drop those callbacks; here they run once the command settled, so nothing is lost.)
 */
export async function blockCommand(command: () => Promise<unknown>): Promise<{ error: unknown; duration: number }> {
  const original = globalThis.setImmediate;
  const held: Array<() => void> = [];
  globalThis.setImmediate = ((callback: (...args: unknown[]) => void, ...args: unknown[]) => {
    held.push(() => callback(...args));
    return { ref: () => undefined, unref: () => undefined, hasRef: () => false, [Symbol.dispose]: () => undefined } as unknown as NodeJS.Immediate;
  }) as typeof setImmediate;
  const started = performance.now();
  let error: unknown;
  try {
    await command();
  } catch (caught) {
    error = caught;
  } finally {
    globalThis.setImmediate = original;
    for (const callback of held) original(callback);
  }
  return { error, duration: performance.now() - started };
}
