import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  handshakeSteps,
  interpretHandshake,
  type HandshakeReply,
  type HandshakeSpec,
  type HandshakeStep,
} from '../../src/protocol/handshake.js';
import type { RespValue } from '../../src/protocol/types.js';

const base: HandshakeSpec = { protocol: 3, database: 0, libName: 'hitless', libVersion: '1.2.3', maintOptIn: false };
const spec = (overrides: Partial<HandshakeSpec> = {}): HandshakeSpec => ({ ...base, ...overrides });
const auto = { mode: 'auto', endpointType: 'internal-ip' } as const;
const enabled = { mode: 'enabled', endpointType: 'external-fqdn' } as const;

const ok = (value: RespValue = 'OK'): HandshakeReply => ({ ok: true, value });
const err = (message: string): HandshakeReply => ({ ok: false, message });
const allOk = (steps: HandshakeStep[]): HandshakeReply[] => steps.map(() => ok());
const withReply = (steps: HandshakeStep[], role: HandshakeStep['role'], reply: HandshakeReply): HandshakeReply[] => {
  const index = steps.findIndex((step) => step.role === role);
  assert.ok(index >= 0, `no ${role} step`);
  return steps.map((_, i) => (i === index ? reply : ok()));
};
const lib: HandshakeStep[] = [
  { role: 'lib-name', args: ['CLIENT', 'SETINFO', 'LIB-NAME', 'hitless'] },
  { role: 'lib-ver', args: ['CLIENT', 'SETINFO', 'LIB-VER', '1.2.3'] },
];

// ---------------------------------------------------------------- steps: RESP3

test('RESP3 minimal: HELLO 3 then SETINFO LIB-NAME / LIB-VER', () => {
  assert.equal(handshakeSteps(spec()), [{ role: 'hello', args: ['HELLO', '3'] }, ...lib]);
});

test('RESP3: HELLO carries AUTH with the given username and SETNAME', () => {
  const steps = handshakeSteps(spec({ username: 'alice', password: 's3cret', clientName: 'worker-1' }));
  assert.equal(steps[0], { role: 'hello', args: ['HELLO', '3', 'AUTH', 'alice', 's3cret', 'SETNAME', 'worker-1'] });
  assert.not.ok(steps.some((step) => step.role === 'auth' || step.role === 'setname'), 'AUTH/SETNAME are not sent separately');
});

test('RESP3: a password alone authenticates as "default"', () => {
  const steps = handshakeSteps(spec({ password: 'pw' }));
  assert.equal(steps[0], { role: 'hello', args: ['HELLO', '3', 'AUTH', 'default', 'pw'] });
});

test('RESP3: a username without a password sends no AUTH', () => {
  const steps = handshakeSteps(spec({ username: 'alice' }));
  assert.equal(steps[0], { role: 'hello', args: ['HELLO', '3'] });
});

test('SELECT only when the database is not 0', () => {
  assert.not.ok(handshakeSteps(spec({ database: 0 })).some((step) => step.role === 'select'));
  const steps = handshakeSteps(spec({ database: 5 }));
  assert.equal(steps.map((step) => step.role), ['hello', 'select', 'lib-name', 'lib-ver']);
  assert.equal(steps[1], { role: 'select', args: ['SELECT', '5'] });
});

test('maintenance opt-in only when maintOptIn is set, with the resolved endpoint type', () => {
  assert.not.ok(handshakeSteps(spec()).some((step) => step.role === 'maint'));
  for (const endpointType of ['internal-ip', 'internal-fqdn', 'external-ip', 'external-fqdn', 'none'] as const) {
    for (const mode of ['auto', 'enabled'] as const) {
      const steps = handshakeSteps(spec({ maintOptIn: { mode, endpointType } }));
      const maint = steps.filter((step) => step.role === 'maint');
      assert.equal(maint, [{ role: 'maint', args: ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', endpointType] }], `${mode}/${endpointType}`);
    }
  }
});

test('full RESP3 order: HELLO, SELECT, opt-in, then SETINFO last', () => {
  const steps = handshakeSteps(spec({ password: 'pw', clientName: 'n', database: 2, maintOptIn: auto }));
  assert.equal(steps.map((step) => step.role), ['hello', 'select', 'maint', 'lib-name', 'lib-ver']);
  assert.equal(steps.slice(-2), lib);
});

// ---------------------------------------------------------------- steps: RESP2

test('RESP2 minimal: only SETINFO', () => {
  assert.equal(handshakeSteps(spec({ protocol: 2 })), lib);
});

test('RESP2: AUTH with a password only, and with username + password', () => {
  assert.equal(handshakeSteps(spec({ protocol: 2, password: 'pw' }))[0], { role: 'auth', args: ['AUTH', 'pw'] });
  assert.equal(handshakeSteps(spec({ protocol: 2, username: 'bob', password: 'pw' }))[0], { role: 'auth', args: ['AUTH', 'bob', 'pw'] });
});

test('RESP2: AUTH, SELECT, CLIENT SETNAME and SETINFO, SELECT exactly once', () => {
  const steps = handshakeSteps(spec({ protocol: 2, password: 'pw', database: 3, clientName: 'svc' }));
  assert.ok(!steps.some((step) => step.role === 'hello'), 'no HELLO on RESP2');
  assert.equal(steps.filter((step) => step.role === 'select'), [{ role: 'select', args: ['SELECT', '3'] }]);
  assert.ok(steps.some((step) => step.role === 'setname' && step.args.join(' ') === 'CLIENT SETNAME svc'));
  assert.equal(steps[0]?.role, 'auth', 'AUTH comes first');
  assert.equal(steps.slice(-2), lib);
  assert.equal(steps.length, 5);
});

test('RESP2: never the maintenance opt-in, whatever maintOptIn says', () => {
  for (const maintOptIn of [auto, enabled]) {
    assert.not.ok(handshakeSteps(spec({ protocol: 2, maintOptIn })).some((step) => step.role === 'maint' || step.args.includes('MAINT_NOTIFICATIONS')));
  }
});

// ---------------------------------------------------------------- interpret

test('interpret: every reply OK → ready on RESP3 with maint supported', () => {
  const s = spec({ password: 'pw', database: 1, maintOptIn: auto });
  const steps = handshakeSteps(s);
  assert.equal(interpretHandshake(s, steps, allOk(steps)), { kind: 'ready', protocol: 3, maint: 'supported' });
});

test('interpret: no opt-in sent → ready with maint unknown', () => {
  const s = spec();
  const steps = handshakeSteps(s);
  assert.equal(interpretHandshake(s, steps, allOk(steps)), { kind: 'ready', protocol: 3, maint: 'unknown' });
});

test('interpret: SETINFO errors are ignored', () => {
  const s = spec({ maintOptIn: auto });
  const steps = handshakeSteps(s);
  const replies = steps.map((step) => (step.role.startsWith('lib-') ? err("ERR unknown subcommand 'SETINFO'") : ok()));
  assert.equal(interpretHandshake(s, steps, replies), { kind: 'ready', protocol: 3, maint: 'supported' });
});

test('interpret: opt-in rejected in auto → ready, unsupported, with the server text', () => {
  const s = spec({ maintOptIn: auto });
  const steps = handshakeSteps(s);
  const text = "ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.";
  assert.equal(interpretHandshake(s, steps, withReply(steps, 'maint', err(text))), {
    kind: 'ready',
    protocol: 3,
    maint: 'unsupported',
    maintRejection: text,
  });
});

test('interpret: opt-in rejected in enabled → failed ERR_MAINT_UNSUPPORTED naming the reply', () => {
  const s = spec({ maintOptIn: enabled });
  const steps = handshakeSteps(s);
  const text = "ERR unknown subcommand 'MAINT_NOTIFICATIONS'";
  const outcome = interpretHandshake(s, steps, withReply(steps, 'maint', err(text)));
  assert.is(outcome.kind, 'failed');
  if (outcome.kind !== 'failed') return;
  assert.is(outcome.code, 'ERR_MAINT_UNSUPPORTED');
  assert.ok(outcome.message.includes(text), outcome.message);
});

for (const text of ['WRONGPASS invalid username-password pair or user is disabled.', 'NOAUTH HELLO must be called with the client already authenticated']) {
  test(`interpret: HELLO auth failure (${text.split(' ')[0]}) → failed ERR_AUTH`, () => {
    for (const maintOptIn of [false, auto, enabled] as const) {
      const s = spec({ password: 'bad', maintOptIn });
      const steps = handshakeSteps(s);
      const outcome = interpretHandshake(s, steps, withReply(steps, 'hello', err(text)));
      assert.is(outcome.kind, 'failed');
      if (outcome.kind !== 'failed') return;
      assert.is(outcome.code, 'ERR_AUTH');
      assert.ok(outcome.message.includes(text), outcome.message);
    }
  });
}

test('interpret: HELLO unknown → fallback with the RESP2 steps (AUTH, SELECT, SETNAME)', () => {
  const s = spec({ username: 'u', password: 'pw', database: 4, clientName: 'n', maintOptIn: auto });
  const steps = handshakeSteps(s);
  // Everything pipelined behind HELLO fails too on such a server; none of it may matter.
  const replies = steps.map((step) => err(step.role === 'hello' ? "ERR unknown command 'HELLO'" : 'ERR whatever'));
  assert.equal(interpretHandshake(s, steps, replies), {
    kind: 'fallback',
    steps: [
      { role: 'auth', args: ['AUTH', 'u', 'pw'] },
      { role: 'select', args: ['SELECT', '4'] },
      { role: 'setname', args: ['CLIENT', 'SETNAME', 'n'] },
    ],
  });
});

test('interpret: HELLO unknown without the opt-in → fallback too', () => {
  const s = spec({ password: 'pw' });
  const steps = handshakeSteps(s);
  assert.equal(interpretHandshake(s, steps, withReply(steps, 'hello', err("ERR unknown command 'HELLO'"))), {
    kind: 'fallback',
    steps: [{ role: 'auth', args: ['AUTH', 'pw'] }],
  });
});

test('interpret: HELLO unknown with mode enabled → failed ERR_MAINT_UNSUPPORTED, without the arguments the server quotes (the password)', () => {
  for (const [options, code] of [[{ maintOptIn: enabled }, 'ERR_MAINT_UNSUPPORTED'], [{ tracking: true }, 'ERR_HANDSHAKE']] as const) {
    const s = spec({ username: 'u', password: 'hunter2', ...options });
    const steps = handshakeSteps(s);
    const text = "ERR unknown command 'HELLO', with args beginning with: '3' 'AUTH' 'u' 'hunter2' ";
    const outcome = interpretHandshake(s, steps, withReply(steps, 'hello', err(text)));
    assert.is(outcome.kind, 'failed');
    if (outcome.kind !== 'failed') return;
    assert.is(outcome.code, code);
    assert.ok(outcome.message.includes("ERR unknown command 'HELLO' (arguments not shown)"), outcome.message);
    assert.not.ok(outcome.message.includes('hunter2'), outcome.message);
  }
});

test('interpret: the fallback round → ready on protocol 2', () => {
  const s = spec({ password: 'pw', database: 4, clientName: 'n', maintOptIn: auto });
  const first = handshakeSteps(s);
  const outcome = interpretHandshake(s, first, withReply(first, 'hello', err("ERR unknown command 'HELLO'")));
  assert.is(outcome.kind, 'fallback');
  if (outcome.kind !== 'fallback') return;
  const second = interpretHandshake(s, outcome.steps, allOk(outcome.steps), true);
  assert.is(second.kind, 'ready');
  if (second.kind !== 'ready') return;
  assert.is(second.protocol, 2);
  assert.is.not(second.maint, 'supported');
});

test('interpret: a refused AUTH in the fallback round (or on RESP2) → failed ERR_AUTH', () => {
  const s = spec({ password: 'bad' });
  const steps = [{ role: 'auth', args: ['AUTH', 'bad'] }] satisfies HandshakeStep[];
  for (const text of ['WRONGPASS invalid username-password pair', 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?']) {
    const outcome = interpretHandshake(s, steps, [err(text)], true);
    assert.is(outcome.kind, 'failed');
    if (outcome.kind !== 'failed') return;
    assert.is(outcome.code, 'ERR_AUTH');
    assert.ok(outcome.message.includes(text.split(' ')[0] as string), outcome.message);
  }
});

test('interpret: RESP2 without a password where one is needed (NOAUTH on SELECT) → ERR_AUTH; a NOPERM on SELECT or SETINFO is not a refusal', () => {
  const s = spec({ protocol: 2, database: 1 });
  const steps = handshakeSteps(s);
  const noauth = interpretHandshake(s, steps, withReply(steps, 'select', err('NOAUTH Authentication required.')));
  assert.is(noauth.kind === 'failed' && noauth.code, 'ERR_AUTH');
  const noperm = interpretHandshake(s, steps, withReply(steps, 'select', err("NOPERM this user has no permissions to run the 'select' command")));
  assert.is(noperm.kind === 'failed' && noperm.code, 'ERR_HANDSHAKE');
  const setinfo = interpretHandshake(s, steps, withReply(steps, 'lib-name', err("NOPERM this user has no permissions to run the 'client|setinfo' command")));
  assert.is(setinfo.kind, 'ready');
});

test('interpret: RESP2 configured, all OK → ready on protocol 2', () => {
  const s = spec({ protocol: 2, password: 'pw', database: 1 });
  const steps = handshakeSteps(s);
  assert.equal(interpretHandshake(s, steps, allOk(steps)), { kind: 'ready', protocol: 2, maint: 'unknown' });
});

for (const protocol of [2, 3] as const) {
  test(`interpret: SELECT failure on RESP${protocol} → failed ERR_HANDSHAKE with the server text`, () => {
    const s = spec({ protocol, database: 99, maintOptIn: protocol === 3 ? auto : false });
    const steps = handshakeSteps(s);
    const text = 'ERR DB index is out of range';
    const outcome = interpretHandshake(s, steps, withReply(steps, 'select', err(text)));
    assert.is(outcome.kind, 'failed');
    if (outcome.kind !== 'failed') return;
    assert.is(outcome.code, 'ERR_HANDSHAKE');
    assert.ok(outcome.message.includes(text), outcome.message);
  });
}

test('interpret: CLIENT SETNAME failure on RESP2 → failed ERR_HANDSHAKE', () => {
  const s = spec({ protocol: 2, clientName: 'bad name' });
  const steps = handshakeSteps(s);
  const outcome = interpretHandshake(s, steps, withReply(steps, 'setname', err('ERR Client names cannot contain spaces')));
  assert.is(outcome.kind, 'failed');
  if (outcome.kind !== 'failed') return;
  assert.is(outcome.code, 'ERR_HANDSHAKE');
});

test.run();
