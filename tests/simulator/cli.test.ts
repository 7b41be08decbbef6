import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plain, RawRespClient } from '../helpers/raw-resp-client.js';
import { startRedis } from '../helpers/redis.js';
import { LOCAL_SANS, testPki } from '../helpers/tls.js';
import { dial, sleep } from './support.js';

const CLI = fileURLToPath(new URL('../../src/simulator/cli.ts', import.meta.url));

interface Running {
  child: ChildProcess;
  ready: { ready: boolean; endpoints: string[]; database: string | null; api: string };
  stdout: () => string;
  stderr: () => string;
}

function run(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line in time; stderr: ${stderr}`));
    }, 20_000);
    const onData = () => {
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({ child, ready: JSON.parse(stdout.slice(0, newline)), stdout: () => stdout, stderr: () => stderr });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready: ${stderr}`));
    });
  });
}

async function stop(running: Running, signal: NodeJS.Signals): Promise<number | null> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return running.child.exitCode;
  const exited = once(running.child, 'exit');
  running.child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

test('--spawn prints one ready line, serves, logs actions on stderr and exits cleanly on SIGTERM with its servers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hitless-cli-'));
  const file = join(dir, 'endpoints.json');
  const running = await run(['--spawn', '--endpoints', '2', '--api-port', '0', '--endpoints-config', file]);
  try {
    const { ready } = running;
    assert.equal(Object.keys(ready), ['ready', 'endpoints', 'database', 'api']);
    assert.is(ready.ready, true);
    assert.is(ready.endpoints.length, 2);
    // The contract's defaults: each endpoint its own loopback address, and a database endpoint after them.
    assert.equal(ready.endpoints.map((endpoint) => endpoint.split(':')[0]), ['127.0.0.2', '127.0.0.3']);
    assert.match(String(ready.database), /^127\.0\.0\.4:\d+$/);
    const [dbHost, dbPort] = ready.database!.split(':');
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { bdb_id: number; tls: boolean; raw_endpoints: Array<{ dns_name: string; port: number }>; endpoints: string[] }>;
    assert.equal(Object.keys(config), ['standalone']);
    assert.is(config['standalone']!.bdb_id, 1);
    assert.is(config['standalone']!.tls, false);
    assert.equal([config['standalone']!.raw_endpoints[0]!.dns_name, config['standalone']!.raw_endpoints[0]!.port], [dbHost, Number(dbPort)]);
    assert.equal(config['standalone']!.endpoints, [`redis://${ready.database}`]);
    assert.match(ready.api, /^http:\/\/127\.0\.0\.1:\d+$/);

    const client = await RawRespClient.connect(ready.endpoints[0]!);
    await client.send(['HELLO', '3'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'internal-ip']);
    const response = await fetch(`${ready.api}/action`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'migrate', parameters: { duration_s: 0.1, delay_ms: 0 } }) });
    const { action_id: actionId } = (await response.json()) as { action_id: string };
    await client.waitForPush((push) => push.elements[0]?.value === 'MIGRATED');
    assert.is(plain(await client.command('SET', 'cli:k', 'v')), 'OK');
    const { upstream } = (await (await fetch(`${ready.api}/endpoints`)).json()) as { upstream: string };
    await client.close();
    for (let i = 0; i < 50 && !running.stderr().includes(`${actionId} success`); i++) await sleep(20);
    assert.match(running.stderr(), `action migrate ${actionId} started`);
    assert.match(running.stderr(), `${actionId} success`);

    assert.is(await stop(running, 'SIGTERM'), 0);
    assert.is(running.stdout().trim().split('\n').length, 1, 'exactly one line on stdout');
    for (const address of [...ready.endpoints, ready.database!, upstream]) assert.is(await dial(address), 'ECONNREFUSED', `${address} is gone`);
  } finally {
    await stop(running, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--upstream fronts a given server and stops on SIGINT, leaving that server alone', async () => {
  const redis = await startRedis();
  try {
    const running = await run(['--upstream', `${redis.host}:${redis.port}`, '--endpoints', '3', '--quiet', '--hosts', 'shared', '--no-database-endpoint']);
    try {
      assert.is(running.ready.endpoints.length, 3);
      assert.ok(running.ready.endpoints.every((endpoint) => endpoint.startsWith('127.0.0.1:')), '--hosts shared');
      assert.is(running.ready.database, null);
      const client = await RawRespClient.connect(running.ready.endpoints[2]!);
      assert.is(plain(await client.command('SET', 'cli:up', '1')), 'OK');
      await client.close();
      assert.is(await stop(running, 'SIGINT'), 0);
      assert.is(running.stderr().includes('opened'), false, '--quiet logs no events');
      assert.is(await dial(`${redis.host}:${redis.port}`), 'connected');
    } finally {
      await stop(running, 'SIGKILL');
    }
  } finally {
    await redis.stop();
  }
});

test('bad arguments exit with status 2 and the usage', async () => {
  for (const args of [['--bogus'], ['--upstream', 'no-port'], ['--endpoints', 'two', '--spawn'], ['--spawn', '--upstream', '127.0.0.1:1'], ['--spawn', '--action-defaults', '{nope'], ['--spawn', '--hosts', '10.0.0.1,10.0.0.2,10.0.0.3'], ['--spawn', '--database-name', ''], ['--spawn', '--tls-cert', 'cert.pem'], ['--spawn', '--tls', '--tls-cert', 'a', '--tls-key', 'b'], ['--spawn', '--tls-ca-out', 'ca.pem'], ['--spawn', '--tls-cert', '/nonexistent/c', '--tls-key', '/nonexistent/k']]) {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.is(code, 2, `${args.join(' ')} is a usage error`);
    assert.match(stderr, 'hitless-simulator:');
    assert.match(stderr, 'Usage: hitless-simulator');
  }
});

test('TLS: --tls writes its CA to a temporary file the ready line names (removed at exit); --tls-cert/--tls-key/--tls-ca use yours; an unwritable --tls-ca-out exits 1', async () => {
  const made = await run(['--upstream', '127.0.0.1:1', '--quiet', '--tls']);
  const ca = (made.ready as unknown as { ca: string }).ca;
  try {
    assert.match(readFileSync(ca, 'utf8'), 'BEGIN CERTIFICATE');
  } finally {
    assert.is(await stop(made, 'SIGTERM'), 0);
  }
  assert.throws(() => readFileSync(ca), 'the temporary CA is removed at exit');

  const dir = mkdtempSync(join(tmpdir(), 'hitless-cli-tls-'));
  try {
    const pki = testPki();
    const certificate = pki.issue(LOCAL_SANS);
    for (const [name, pem] of [['cert.pem', certificate.cert], ['key.pem', certificate.key], ['ca.pem', pki.ca]] as const) writeFileSync(join(dir, name), pem);
    const own = await run(['--upstream', '127.0.0.1:1', '--quiet', '--hosts', 'shared', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem'), '--tls-ca', join(dir, 'ca.pem'), '--tls-ca-out', join(dir, 'out.pem')]);
    try {
      assert.is((own.ready as unknown as { ca: string }).ca, join(dir, 'out.pem'));
      assert.is(readFileSync(join(dir, 'out.pem'), 'utf8'), pki.ca, 'your CA, handed on');
    } finally {
      await stop(own, 'SIGTERM');
    }
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--upstream', '127.0.0.1:1', '--quiet', '--tls', '--tls-ca-out', join(dir, 'missing', 'ca.pem')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.is(code, 1);
    assert.match(stderr, 'cannot write the CA');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Pids of `parent`'s redis-server children. */
function redisChildren(parent: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent), 'redis-server'], { encoding: 'utf8' }).split('\n').filter((line) => line !== '').map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts the CLI and sends SIGTERM as soon as a redis-server is being spawned; whether the CLI was still starting up. */
async function signalDuringStartUp(): Promise<boolean> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--spawn', '--api-port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = once(child, 'exit');
    let servers: number[] = [];
    for (let i = 0; i < 2000 && servers.length === 0; i++) {
      servers = redisChildren(child.pid!);
      if (servers.length === 0) await sleep(5);
    }
    assert.ok(servers.length > 0, 'a redis-server was being spawned');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.is(code, 0);
    for (let i = 0; i < 100 && servers.some(alive); i++) await sleep(20);
    assert.equal(servers.filter(alive), [], 'no redis-server left behind');
    return !stdout.includes('"ready"');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

test('a SIGTERM during start-up still stops the servers being spawned; SIGHUP after start-up too', async () => {
  let running: Awaited<ReturnType<typeof run>> | undefined;
  try {
    // The OS decides whether the signal lands before start-up ends: try until it did (a loaded machine may be slow to deliver it).
    let duringStartUp = false;
    for (let attempt = 0; attempt < 5 && !duringStartUp; attempt++) duringStartUp = await signalDuringStartUp();
    assert.ok(duringStartUp, 'the signal came during start-up in one of 5 attempts');

    running = await run(['--spawn', '--api-port', '0', '--quiet']);
    const started = redisChildren(running.child.pid!);
    assert.is(started.length, 2);
    assert.is(await stop(running, 'SIGHUP'), 0);
    for (let i = 0; i < 100 && started.some(alive); i++) await sleep(20);
    assert.equal(started.filter(alive), [], 'SIGHUP stops them too');
  } finally {
    if (running !== undefined) await stop(running, 'SIGKILL');
  }
});

test.run();
