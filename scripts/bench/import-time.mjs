// `npm run bench` workload `import`: how long a fresh Node process takes to import a client's
// package (what a serverless function or a CLI pays before its first connect). Plain node, no
// TypeScript loader: the built hitless (dist/esm), node-redis and ioredis as installed.
//
//   node scripts/bench/import-time.mjs <client name>
const name = process.argv[2] ?? '';
const specifier = name.startsWith('hitless') ? new URL('../../dist/esm/index.js', import.meta.url).href : name.startsWith('node-redis') ? 'redis' : name.startsWith('ioredis') ? 'ioredis' : null;
if (specifier === null) throw new Error(`unknown client ${name}`);
const started = performance.now();
await import(specifier);
console.log(JSON.stringify({ client: name, workload: 'import', importMs: performance.now() - started }));
