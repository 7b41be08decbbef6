import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMaintCluster } from '../../src/index.js';
import { FaultInjector } from '../contract/fault-injector.js';
import { dial, sleep } from './support.js';

const CLI = fileURLToPath(new URL('../../src/simulator/cli.ts', import.meta.url));

interface Ready {
  ready: boolean;
  endpoints: string[];
  nodes: Array<{ index: number; id: string; endpoint: string; role: string }>;
  api: string;
}

function start(args: string[]): Promise<{ child: ChildProcess; ready: Ready; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line in time; stderr: ${stderr}`));
    }, 30_000);
    child.stdout!.on('data', () => {
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      resolve({ child, ready: JSON.parse(stdout.slice(0, newline)) as Ready, stderr: () => stderr });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready: ${stderr}`));
    });
  });
}

function redisChildren(parent: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent), 'redis-server'], { encoding: 'utf8' }).split('\n').filter((line) => line !== '').map(Number);
  } catch {
    return [];
  }
}

test('--cluster 3 --replicas 1 prints the nodes, serves the HTTP API (a reshard under a client’s traffic) and stops its servers on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hitless-cluster-cli-'));
  const file = join(dir, 'endpoints.json');
  const running = await start(['--cluster', '3', '--replicas', '1', '--api-port', '0', '--action-defaults', '{"bind":{"time_s":0.5}}', '--endpoints-config', file, '--database-name', 'oss-db', '--max-databases', '0']);
  const { child, ready } = running;
  const client = createMaintCluster({ rootNodes: [ready.endpoints[0]!], poolSize: 1, refreshInterval: 0, refreshCooldown: 100 });
  try {
    assert.equal(Object.keys(ready), ['ready', 'endpoints', 'nodes', 'api']);
    assert.is(ready.endpoints.length, 6);
    assert.equal(ready.nodes.map((node) => node.role), ['primary', 'primary', 'primary', 'replica', 'replica', 'replica']);
    assert.equal(ready.nodes.map((node) => node.endpoint), ready.endpoints);
    assert.match(ready.api, /^http:\/\/127\.0\.0\.1:\d+$/);
    const servers = redisChildren(child.pid!);
    assert.is(servers.length, 6);
    const entry = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, { endpoints: string[] }>)['oss-db']!;
    assert.equal(entry.endpoints, ready.endpoints.map((endpoint) => `redis://${endpoint}`), 'the endpoints file names the cluster database');
    const fi = new FaultInjector(ready.api);
    const status = await fi.run('execute_rladmin_command', { rladmin_command: 'status' });
    assert.match((status.output as { output: string }).output, /db:1 +oss-db +redis/);
    const refusal = await fi.trigger('create_database', { database_config: { name: 'x' } }).then(() => '', (error: Error) => error.message);
    assert.match(refusal, /at most 0 created databases/);

    await client.connect();
    let running_ = true;
    let failures = 0;
    let acked = 0;
    const loop = (async () => {
      for (let i = 0; running_; i++) {
        await client.incr(`cli:${i % 200}`).then(() => acked++, () => failures++);
      }
    })();
    const done = await fi.run('reshard', { slots: [[0, 500]], to: 2 });
    assert.equal((done.output as { moves: Array<{ destination: string }> }).moves.map((move) => move.destination), [ready.endpoints[2]]);
    const bound = await fi.run('bind', { node: 1 });
    const to = (bound.output as { to: string }).to;
    const endpoints = await fi.request<{ endpoints: string[]; nodes: Array<{ endpoint: string; role: string; slots: unknown[] }> }>('GET', '/endpoints');
    assert.is(endpoints.endpoints[1], to);
    assert.equal(endpoints.nodes.map((node) => node.role), ['master', 'master', 'master', 'replica', 'replica', 'replica']);
    running_ = false;
    await loop;
    assert.is(failures, 0);
    assert.ok(acked > 0);
    for (let i = 0; i < 100 && !running.stderr().includes('success'); i++) await sleep(20);
    assert.match(running.stderr(), `action reshard ${done.action_id} success`);
    assert.match(running.stderr(), 'SMIGRATING');
    await client.close();

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number];
    assert.is(code, 0);
    assert.equal(servers.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } }), [], 'no redis-server left');
    assert.is(await dial(ready.endpoints[0]!), 'ECONNREFUSED');
  } finally {
    await client.close().catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad --cluster arguments exit with status 2 and the cluster usage', async () => {
  for (const args of [['--cluster', 'three'], ['--cluster', '3', '--bogus'], ['--cluster', '0'], ['--cluster', '3', '--action-defaults', '{nope']]) {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.is(code, 2, args.join(' '));
    assert.match(stderr, 'Usage: hitless-simulator --cluster N');
  }
});

test('--cluster N --help prints the cluster usage; a SIGTERM while the cluster is being spawned stops every server it started', async () => {
  const help = spawn(process.execPath, ['--import', 'tsx', CLI, '--cluster', '3', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  help.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  assert.equal(await once(help, 'exit'), [0, null]);
  assert.match(stdout, 'Usage: hitless-simulator --cluster N');

  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--cluster', '2', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let ready = '';
    child.stdout!.on('data', (chunk: Buffer) => (ready += chunk.toString()));
    const exited = once(child, 'exit');
    let servers: number[] = [];
    for (let i = 0; i < 2000 && servers.length === 0; i++) {
      servers = redisChildren(child.pid!);
      if (servers.length === 0) await sleep(5);
    }
    assert.ok(servers.length > 0, 'a redis-server was being spawned');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number];
    assert.is(code, 0);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && servers.some(alive); i++) await sleep(20);
    assert.equal(servers.filter(alive), [], 'no redis-server left behind');
    assert.is(ready.includes('"ready"'), false, 'it stopped before it was ready');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

test.run();
