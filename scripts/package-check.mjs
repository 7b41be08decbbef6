// The package as users install it (a stage of `npm test`, after the build): `npm pack`, publint
// and are-the-types-wrong on the tarball, then an empty temporary project that installs the
// tarball and runs the README quick start with import and with require against a real
// redis-server, type-checks a TypeScript file that uses it under moduleResolution nodenext and
// bundler (without skipLibCheck and without @opentelemetry/api), and runs
// `npx hitless-simulator --help`. Leaves nothing behind.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRedisServer } from '../src/simulator/redis-process.ts';

const root = resolve(new URL('..', import.meta.url).pathname);
const work = mkdtempSync(join(tmpdir(), 'hitless-package-'));
const run = (cmd, args, cwd = work, env = {}) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
const step = (name, fn) => {
  try {
    const detail = fn();
    console.log(`ok   ${name}${detail ? ` — ${detail}` : ''}`);
  } catch (error) {
    console.log(`FAIL ${name}\n${error.stdout ?? ''}${error.stderr ?? ''}${error.stdout || error.stderr ? '' : error.message}`);
    process.exitCode = 1;
  }
};
const bin = (name) => join(root, 'node_modules', '.bin', name);

let server;
try {
  const tarball = join(work, run('npm', ['pack', '--silent', '--pack-destination', work], root).trim().split('\n').pop());
  step('publint on the tarball', () => run(bin('publint'), ['run', tarball, '--strict'], root).trim().split('\n').pop());
  step('are-the-types-wrong on the tarball', () => {
    run(bin('attw'), [tarball, '--profile', 'node16', '--format', 'table-flipped'], root);
    return 'no problems';
  });

  const app = join(work, 'app');
  run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, 'rxjs', '@types/node@20', `typescript@${requireVersion('typescript')}`], app);

  server = await startRedisServer();
  const quickStart = (mod) => `
    const client = createMaintClient({ host: '127.0.0.1', port: ${server.port}, poolSize: 4 });
    await client.connect();
    await client.set('greeting', 'hello');
    if (await client.get('greeting') !== 'hello') throw new Error('GET');
    await client.hset('user:1', { name: 'Ada' });
    const user = await client.call('HGETALL', 'user:1');
    if (user.name !== 'Ada') throw new Error('HGETALL');
    const [n] = await client.multi([['INCR', 'n'], ['GET', 'n']]);
    if (typeof n !== 'number') throw new Error('MULTI');
    await client.close();
    console.log('${mod} ok');`;
  writeFileSync(join(app, 'quick-start.mjs'), `import { createMaintClient } from 'hitless';\n${quickStart('import')}`);
  writeFileSync(join(app, 'quick-start.cjs'), `const { createMaintClient } = require('hitless');\n(async () => {${quickStart('require')}})().catch((e) => { console.error(e); process.exit(1); });`);
  step('README quick start with import', () => run(process.execPath, ['quick-start.mjs'], app).trim());
  step('README quick start with require', () => run(process.execPath, ['quick-start.cjs'], app).trim());

  writeFileSync(
    join(app, 'usage.ts'),
    `import { createMaintClient, HitlessError, type MaintClient, type LifecycleEvent } from 'hitless';
import { createMaintSimulator } from 'hitless/simulator';
const client: MaintClient = createMaintClient({ url: 'redis://127.0.0.1:6379' });
const count: Promise<number> = client.incr('n');
const value: Promise<string | null> = client.get('k');
const fields: Promise<Record<string, Buffer>> = client.hgetallBuffer('h');
client.events$.subscribe((event: LifecycleEvent) => event.type);
export const checks = [count, value, fields, HitlessError, createMaintSimulator];
`,
  );
  for (const resolution of ['nodenext', 'bundler']) {
    const module = resolution === 'bundler' ? 'esnext' : 'nodenext';
    step(`TypeScript (moduleResolution ${resolution}, no skipLibCheck) type-checks a file using it`, () =>
      run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', 'false', '--module', module, '--moduleResolution', resolution, '--target', 'es2022', '--types', 'node', 'usage.ts'], app),
    );
  }
  step('npx hitless-simulator --help', () => {
    const out = run('npx', ['--no-install', 'hitless-simulator', '--help'], app);
    if (!/hitless-simulator/.test(out)) throw new Error(out);
    return out.split('\n')[0];
  });
} finally {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(process.exitCode ? 'package check failed' : 'package check passed');

function requireVersion(name) {
  return execFileSync(process.execPath, ['-p', `require('${name}/package.json').version`], { cwd: root, encoding: 'utf8' }).trim();
}
