// Loads the built package the way users do, with import and with require, and checks its surface.
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
// Loading hitless must not load RxJS's index (every operator: most of a cold start's import time); see src/rx.ts.
const rxjsIndex = require.resolve('rxjs');
const esm = await import('hitless');
const cjs = require('hitless');
for (const [name, mod] of [['import', esm], ['require', cjs]]) {
  assert.equal(typeof mod.createMaintClient, 'function', `${name}: createMaintClient`);
  assert.equal(typeof mod.resolveMaintConfig, 'function', `${name}: resolveMaintConfig`);
  assert.equal(typeof mod.HitlessError, 'function', `${name}: HitlessError`);
}
// Errors made by one build are instances of the other build's classes.
assert.ok(new cjs.ConfigError('x', 1, 'rule') instanceof esm.HitlessError, 'cross-build instanceof');
assert.ok(!(rxjsIndex in require.cache), 'require(hitless) loaded the rxjs index');
const { Observable } = await import('rxjs');
assert.ok(esm.createMaintClient({ port: 1 }).events$ instanceof Observable, "events$ is an Observable of the users' rxjs");
const simEsm = await import('hitless/simulator');
const simCjs = require('hitless/simulator');
assert.equal(typeof simEsm.createMaintSimulator, 'function', 'import hitless/simulator');
assert.equal(typeof simCjs.createMaintSimulator, 'function', 'require hitless/simulator');
console.log('smoke: ESM and CJS builds load and agree');
