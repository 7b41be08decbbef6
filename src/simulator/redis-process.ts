import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server child process listening on 127.0.0.1 at a free port, keeping nothing on disk. */
export interface RedisProcess {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 2 s). Idempotent. */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

export interface StartRedisOptions {
  /** Port to use; default: a free loopback port. */
  port?: number;
  /** Extra `--name value` arguments. */
  args?: string[];
  /** Start as a replica of this server (`--replicaof host port`). */
  replicaOf?: { host: string; port: number };
  /** Binary to run; default `redis-server` on PATH. */
  binary?: string;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
}

export class RedisServerMissingError extends Error {
  readonly code = 'ERR_REDIS_SERVER_MISSING';
  constructor(binary: string) {
    super(
      `${binary} was not found on PATH. Install it first, e.g. "sudo apt-get install redis-server" ` +
        `(Debian/Ubuntu) or "brew install redis" (macOS).`,
    );
  }
}

export function assertRedisServerInstalled(binary = 'redis-server'): void {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  if (probe.error) throw new RedisServerMissingError(binary);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedisServer(options: StartRedisOptions = {}): Promise<RedisProcess> {
  const binary = options.binary ?? 'redis-server';
  assertRedisServerInstalled(binary);
  let lastError: unknown;
  // A free port can be taken between probing and binding: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(binary, port, options);
    } catch (error) {
      lastError = error;
      if (options.port !== undefined) break;
    }
  }
  throw lastError;
}

function launch(binary: string, port: number, options: StartRedisOptions): Promise<RedisProcess> {
  // Its own working directory: a replica writes the RDB of its initial sync there.
  const dir = mkdtempSync(join(tmpdir(), 'hitless-redis-'));
  const args = [
    '--port', String(port),
    '--dir', dir,
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--protected-mode', 'no',
    '--loglevel', 'notice',
    '--logfile', '',
    // A replica's first sync would otherwise wait 5 s for more replicas to join it.
    '--repl-diskless-sync-delay', '0',
    ...(options.replicaOf ? ['--replicaof', options.replicaOf.host, String(options.replicaOf.port)] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    }),
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server on port ${port} did not start in time:\n${output}`)), options.startTimeoutMs ?? 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(handle(child, port, exited));
      }
    };
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => fail(error));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on port ${port} exited with code ${code}:\n${output}`));
    });
  });
}

/**
 * Servers still running when this process exits (a crash, process.exit) are killed with it, so
 * that none is left behind. A SIGKILL of this process cannot be caught: that one leaves them.
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const server of running) server.kill('SIGKILL');
  });
}

function handle(child: ChildProcess, port: number, exited: Promise<void>): RedisProcess {
  const terminate = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(force);
  };
  return {
    host: '127.0.0.1',
    port,
    pid: child.pid ?? -1,
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
  };
}
