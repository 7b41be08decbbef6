import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handshakeSteps, interpretHandshake, type HandshakeReply, type HandshakeSpec } from '../../src/protocol/handshake.js';

const spec: HandshakeSpec = { protocol: 3, database: 0, libName: 'hitless', libVersion: '1', maintOptIn: false, readOnly: true };
const okAll = (steps: ReturnType<typeof handshakeSteps>): HandshakeReply[] => steps.map(() => ({ ok: true, value: 'OK' }));

test('READONLY is sent after HELLO (RESP3), in the RESP2 steps, and in the RESP2 fallback; not without readOnly', () => {
  assert.equal(handshakeSteps(spec).map((step) => step.role), ['hello', 'readonly', 'lib-name', 'lib-ver']);
  assert.ok(handshakeSteps({ ...spec, protocol: 2 }).some((step) => step.role === 'readonly' && step.args[0] === 'READONLY'));
  const steps = handshakeSteps(spec);
  const fallback = interpretHandshake(spec, steps, steps.map((step) => (step.role === 'hello' ? { ok: false, message: 'ERR unknown command' } : { ok: true, value: 'OK' })));
  assert.is(fallback.kind, 'fallback');
  assert.ok(fallback.kind === 'fallback' && fallback.steps.some((step) => step.role === 'readonly'));
  assert.not.ok(handshakeSteps({ ...spec, readOnly: false }).some((step) => step.role === 'readonly'));
});

test('a refused READONLY fails the handshake', () => {
  const steps = handshakeSteps(spec);
  assert.is(interpretHandshake(spec, steps, okAll(steps)).kind, 'ready');
  const refused = interpretHandshake(spec, steps, steps.map((step) => (step.role === 'readonly' ? { ok: false, message: 'ERR This instance has cluster support disabled' } : { ok: true, value: 'OK' })));
  assert.is(refused.kind, 'failed');
  assert.ok(refused.kind === 'failed' && /READONLY failed/.test(refused.message));
});

test.run();
