import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handshakeSteps, interpretHandshake, type HandshakeReply, type HandshakeSpec } from '../../src/protocol/handshake.js';

const spec: HandshakeSpec = { protocol: 3, database: 2, libName: 'hitless', libVersion: '1', maintOptIn: { mode: 'auto', endpointType: 'internal-ip' }, tracking: true };

test('CLIENT TRACKING ON is in the pipelined handshake, after SELECT and before the maintenance opt-in (a push may follow it)', () => {
  const roles = handshakeSteps(spec).map((step) => step.role);
  assert.equal(roles, ['hello', 'select', 'tracking', 'maint', 'lib-name', 'lib-ver']);
  assert.equal(handshakeSteps(spec)[2]?.args, ['CLIENT', 'TRACKING', 'ON']);
  assert.not.ok(handshakeSteps({ ...spec, tracking: false }).some((step) => step.role === 'tracking'));
});

test('a rejected CLIENT TRACKING fails the connection (it must not serve cached reads untracked)', () => {
  const steps = handshakeSteps(spec);
  const replies: HandshakeReply[] = steps.map((step) => (step.role === 'tracking' ? { ok: false, message: 'ERR unknown subcommand' } : { ok: true, value: 'OK' }));
  const outcome = interpretHandshake(spec, steps, replies);
  assert.is(outcome.kind, 'failed');
  assert.match(outcome.kind === 'failed' ? outcome.message : '', /TRACKING/);
});

test('HELLO 3 refused (a RESP2-only server) with caching on: failed, no RESP2 fallback', () => {
  const steps = handshakeSteps(spec);
  const replies: HandshakeReply[] = steps.map((step) => (step.role === 'hello' ? { ok: false, message: 'ERR unknown command HELLO' } : { ok: true, value: 'OK' }));
  const outcome = interpretHandshake({ ...spec, maintOptIn: false }, steps, replies);
  assert.is(outcome.kind, 'failed');
  assert.match(outcome.kind === 'failed' ? outcome.message : '', /RESP3/);
});

test('the HELLO reply\'s id is kept (for CLIENT UNBLOCK)', () => {
  const plain = { ...spec, tracking: false, maintOptIn: false as const, database: 0 };
  const steps = handshakeSteps(plain);
  const replies: HandshakeReply[] = steps.map((step) => (step.role === 'hello' ? { ok: true, value: { server: 'redis', id: 42 } } : { ok: true, value: 'OK' }));
  assert.equal(interpretHandshake(plain, steps, replies), { kind: 'ready', protocol: 3, maint: 'unknown', clientId: 42 });
});

test.run();
