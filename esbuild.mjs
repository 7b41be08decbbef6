// Builds the package: declarations with tsc, then ESM and CJS bundles with esbuild.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
];
const entries = [
  { in: 'src/index.ts', out: 'index' },
  { in: 'src/opentelemetry.ts', out: 'opentelemetry' },
  { in: 'src/simulator/index.ts', out: 'simulator/index' },
  { in: 'src/simulator/cli.ts', out: 'simulator/cli' },
].filter((entry) => existsSync(entry.in));

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

// CommonJS callers need CommonJS declarations (.d.cts) beside the ESM ones, or the types
// masquerade as ESM: a copy of each .d.ts whose relative imports name .cjs files.
for (const file of readdirSync('dist/types', { recursive: true })) {
  if (!String(file).endsWith('.d.ts')) continue;
  const path = `dist/types/${file}`;
  const text = readFileSync(path, 'utf8').replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\.js\2/g, '$1$2$3.cjs$2');
  writeFileSync(path.replace(/\.d\.ts$/, '.d.cts'), text);
}

const common = { bundle: true, platform: 'node', target: 'node20', external, sourcemap: true, logLevel: 'warning'};
await build({ ...common, entryPoints: entries, format: 'esm', outdir: 'dist/esm', outExtension: { '.js': '.js' } });
await build({ ...common, entryPoints: entries, format: 'cjs', outdir: 'dist/cjs', outExtension: { '.js': '.cjs' } });
for (const file of ['dist/esm/simulator/cli.js', 'dist/cjs/simulator/cli.cjs']) if (existsSync(file)) chmodSync(file, 0o755);
console.log(`built ${entries.length} entries as ESM and CJS, declarations in dist/types`);
