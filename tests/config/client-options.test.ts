import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveClientOptions, resolveMaintConfig, type MaintClientOptions } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

/** Asserts a ConfigError naming `option`, showing `value` and matching `rule`; returns its message. */
function rejects(options: unknown, option: string, value: string, rule: RegExp): string {
  try {
    resolveClientOptions(options as MaintClientOptions);
  } catch (error) {
    assert.instance(error, ConfigError);
    const e = error as ConfigError;
    assert.is(e.option, option);
    assert.ok(e.message.includes(option), e.message);
    assert.ok(e.message.includes(value), `${e.message} should show ${value}`);
    assert.match(e.message, rule);
    return e.message;
  }
  return assert.unreachable(`${JSON.stringify(options)} should be rejected`) as never;
}

test('defaults', () => {
  assert.equal(resolveClientOptions({}), {
    host: 'localhost',
    port: 6379,
    database: 0,
    tls: false,
    protocol: 3,
    poolSize: 4,
    commandTimeout: 5000,
    connectTimeout: 5000,
    retryReads: true,
    maint: resolveMaintConfig(undefined, { poolSize: 4 }),
  });
  assert.equal(resolveClientOptions(), resolveClientOptions({}));
});

test('explicit options are carried; inspect, logger and tls objects untouched', () => {
  const inspect = () => {};
  const logger = { debug() {} };
  const tls = { servername: 'cache.example.com' };
  const r = resolveClientOptions({
    host: '10.0.0.1', port: 7000, username: 'app', password: 'pw', database: 2, clientName: 'worker-1', tls,
    protocol: 2, poolSize: 100, maxActive: 150, commandTimeout: 1, connectTimeout: 2, inspect, logger,
    maintNotifications: { mode: 'disabled' },
  });
  assert.is(r.tls, tls);
  assert.is(r.inspect, inspect);
  assert.is(r.logger, logger);
  assert.equal(
    [r.host, r.port, r.username, r.password, r.database, r.clientName, r.protocol, r.poolSize, r.maxActive, r.commandTimeout, r.connectTimeout],
    ['10.0.0.1', 7000, 'app', 'pw', 2, 'worker-1', 2, 100, 150, 1, 2],
  );
  assert.equal([r.maint.mode, r.maint.maxWorkers, r.maint.handoffQueueSize], ['disabled', 33, 151]);
});

test('tls: true becomes an empty options object; a bracketed IPv6 host is unwrapped', () => {
  const r = resolveClientOptions({ tls: true, host: '[::1]' });
  assert.equal(r.tls, {});
  assert.is(r.host, '::1');
});

test('url with user, percent-encoded password, port and db', () => {
  const r = resolveClientOptions({ url: 'redis://app:p%40ss%3Aw%2Frd%20x@redis.example.com:6380/3' });
  assert.equal(
    [r.host, r.port, r.username, r.password, r.database, r.tls],
    ['redis.example.com', 6380, 'app', 'p@ss:w/rd x', 3, false],
  );
});

test('rediss url turns tls on; password only; defaults for port and db', () => {
  const r = resolveClientOptions({ url: 'rediss://:secret@cache.example.com' });
  assert.equal([r.host, r.port, r.password, r.database, r.tls, 'username' in r], ['cache.example.com', 6379, 'secret', 0, {}, false]);
  assert.equal(resolveClientOptions({ url: 'rediss://h', tls: { rejectUnauthorized: false } }).tls, { rejectUnauthorized: false });
});

test('url with an IPv6 host and a bare path', () => {
  const r = resolveClientOptions({ url: 'redis://[::1]:7000/' });
  assert.equal([r.host, r.port, r.database], ['::1', 7000, 0]);
});

test('url fields that the url leaves out may come from options', () => {
  const r = resolveClientOptions({ url: 'redis://h', username: 'u', password: 'p', database: 4 });
  assert.equal([r.username, r.password, r.database], ['u', 'p', 4]);
});

test('url and host/port together are rejected', () => {
  rejects({ url: 'redis://h', host: 'other' }, 'host', '"other"', /not allowed together with url/);
  rejects({ url: 'redis://h', port: 6380 }, 'port', '6380', /not allowed together with url/);
});

test('a field set by both url and options is rejected, without leaking the password', () => {
  rejects({ url: 'redis://h/1', database: 2 }, 'database', '2', /url sets it too/);
  const message = rejects({ url: 'redis://:one@h', password: 'two' }, 'password', '<redacted>', /url sets it too/);
  assert.not.ok(message.includes('one') || message.includes('two'), message);
});

test('a rediss url with tls: false is rejected', () => {
  rejects({ url: 'rediss://h', tls: false }, 'tls', 'false', /rediss/);
});

test('bad urls are rejected with the password redacted', () => {
  const rule = /redis:\/\/\[user\[:password\]@\]host/;
  for (const url of ['http://h', 'not a url', 'redis://h/abc', 'redis://h/1?x=1', 'redis://h:0', 'redis://:pw@/3', 'redis://u:%E0%A4%A@h']) {
    rejects({ url }, 'url', '', rule);
  }
  rejects({ url: 5 }, 'url', '5', rule);
  for (const url of ['redis://u:supersecret@h/abc', 'http://u:supersecret@h', 'u:supersecret@h', 'redis://supersecret@h/x', 'redis://u:super@secret@h/x']) {
    const message = rejects({ url }, 'url', '<redacted>', rule);
    assert.not.ok(message.includes('secret'), message);
  }
});

test('host and port rules', () => {
  rejects({ host: '' }, 'host', '""', /non-empty host/);
  rejects({ host: ' h' }, 'host', '" h"', /without surrounding spaces/);
  rejects({ host: null }, 'host', 'null', /non-empty host/);
  rejects({ port: 0 }, 'port', '0', /an integer from 1 to 65535/);
  rejects({ port: 65536 }, 'port', '65536', /an integer from 1 to 65535/);
  rejects({ port: '6379' }, 'port', '"6379"', /an integer from 1 to 65535/);
});

test('credential rules; passwords never shown', () => {
  rejects({ username: '', password: 'p' }, 'username', '""', /a non-empty string/);
  const message = rejects({ password: 123456 }, 'password', '<redacted>', /a non-empty string/);
  assert.not.ok(message.includes('123456'), message);
  rejects({ username: 'u' }, 'password', 'undefined', /required when username is set/);
});

test('database and clientName rules', () => {
  rejects({ database: -1 }, 'database', '-1', /an integer ≥ 0/);
  rejects({ database: 1.5 }, 'database', '1.5', /an integer ≥ 0/);
  rejects({ clientName: 'my app' }, 'clientName', '"my app"', /printable ASCII without spaces/);
  rejects({ clientName: '' }, 'clientName', '""', /a non-empty string/);
});

test('tls and protocol rules', () => {
  rejects({ tls: 'yes' }, 'tls', '"yes"', /a boolean or a tls.ConnectionOptions object/);
  rejects({ tls: null }, 'tls', 'null', /a boolean or/);
  rejects({ protocol: 1 }, 'protocol', '1', /one of 2, 3/);
  rejects({ protocol: '3' }, 'protocol', '"3"', /one of 2, 3/);
});

test('pool size rules', () => {
  rejects({ poolSize: 0 }, 'poolSize', '0', /an integer from 1 to 10000/);
  rejects({ poolSize: 10_001 }, 'poolSize', '10001', /an integer from 1 to 10000/);
  rejects({ poolSize: 2.5 }, 'poolSize', '2.5', /an integer/);
  rejects({ poolSize: 10, maxActive: 9 }, 'maxActive', '9', /an integer ≥ 10/);
});

test('timeouts must be positive (0 is not "no timeout")', () => {
  for (const option of ['commandTimeout', 'connectTimeout']) {
    rejects({ [option]: 0 }, option, '0', /an integer from 1 to 2147483647/);
    rejects({ [option]: -1 }, option, '-1', /from 1/);
    rejects({ [option]: 2 ** 31 }, option, '2147483648', /to 2147483647/);
  }
});

test('protocol 2 with mode enabled is a configuration error', () => {
  rejects({ protocol: 2, maintNotifications: { mode: 'enabled' } }, 'maintNotifications.mode', '"enabled"', /requires protocol 3/);
  assert.is(resolveClientOptions({ protocol: 2 }).maint.mode, 'auto');
});

test('maintNotifications errors surface with their path', () => {
  rejects({ maintNotifications: { handoffTimeot: 1 } }, 'maintNotifications.handoffTimeot', '…', /unknown option; did you mean maintNotifications.handoffTimeout\?/);
  rejects({ maintNotifications: { maxHandoffRetries: 0 } }, 'maintNotifications.maxHandoffRetries', '0', /an integer from 1 to 10/);
});

test('a misspelt or unknown top-level option is refused, naming the closest known one and never its value', () => {
  rejects({ comandTimeout: 5 }, 'comandTimeout', '…', /unknown option; did you mean commandTimeout\?/);
  rejects({ PoolSize: 2 }, 'PoolSize', '…', /did you mean poolSize\?/);
  const message = rejects({ pasword: 's3cret-value' }, 'pasword', '…', /did you mean password\?/);
  assert.not.ok(message.includes('s3cret-value'), message);
  rejects({ somethingElseEntirely: true }, 'somethingElseEntirely', '…', /unknown option; known: url, host, port/);
});

test('the options must be an object', () => {
  rejects(null, 'options', 'null', /an object/);
  rejects('redis://h', 'options', '"redis://h"', /an object/);
});

test.run();
