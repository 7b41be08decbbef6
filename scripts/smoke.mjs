// Loads the built package the way users do, with import and with require, and checks its surface.
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const esm = await import('hitless');
const cjs = require('hitless');
for (const [name, mod] of [['import', esm], ['require', cjs]]) {
  assert.equal(typeof mod.createMaintClient, 'function', `${name}: createMaintClient`);
  assert.equal(typeof mod.resolveMaintConfig, 'function', `${name}: resolveMaintConfig`);
  assert.equal(typeof mod.HitlessError, 'function', `${name}: HitlessError`);
}
// Errors made by one build are instances of the other build's classes.
assert.ok(new cjs.ConfigError('x', 1, 'rule') instanceof esm.HitlessError, 'cross-build instanceof');
const simEsm = await import('hitless/simulator');
const simCjs = require('hitless/simulator');
assert.equal(typeof simEsm.createMaintSimulator, 'function', 'import hitless/simulator');
assert.equal(typeof simCjs.createMaintSimulator, 'function', 'require hitless/simulator');
console.log('smoke: ESM and CJS builds load and agree');
