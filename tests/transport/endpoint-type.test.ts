import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BlockList } from 'node:net';
import { isInternalAddress, resolveEndpointType, type LookupAll } from '../../src/transport/endpoint-type.js';

const answers = (...addresses: string[]): LookupAll => async () => addresses.map((address) => ({ address }));
const mustNotLookUp: LookupAll = () => {
  throw new Error('an IP literal must not be looked up');
};

test('isInternalAddress: private, loopback, link-local and CGNAT ranges', () => {
  for (const ip of [
    '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '127.8.9.10',
    '169.254.1.1', '100.64.0.1', '100.127.255.255', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'febf::1',
    'fe80::1%eth0', '[::1]',
  ]) {
    assert.ok(isInternalAddress(ip), ip);
  }
});

test('isInternalAddress: public addresses and neighbours of the ranges', () => {
  for (const ip of [
    '8.8.8.8', '11.0.0.1', '172.15.255.255', '172.32.0.1', '192.169.0.1', '128.0.0.1', '169.255.0.1',
    '100.63.255.255', '100.128.0.1', '2001:db8::1', 'fe00::1', 'fec0::1', '::', '::2', '2606:4700::1111',
  ]) {
    assert.not.ok(isInternalAddress(ip), ip);
  }
});

test('isInternalAddress: every IPv4 first and second octet agrees with a BlockList of the ranges', () => {
  const reference = new BlockList();
  for (const [network, prefix] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['127.0.0.0', 8], ['169.254.0.0', 16], ['100.64.0.0', 10]] as const) reference.addSubnet(network, prefix, 'ipv4');
  for (let a = 0; a < 256; a++) {
    for (let b = 0; b < 256; b++) {
      const ip = `${a}.${b}.${(a * 7 + b) % 256}.${(a + b * 3) % 256}`;
      if (isInternalAddress(ip) !== reference.check(ip, 'ipv4')) assert.unreachable(`${ip}: ${isInternalAddress(ip)}`);
    }
  }
});

test('isInternalAddress: IPv4-mapped IPv6 follows the IPv4 address', () => {
  assert.ok(isInternalAddress('::ffff:10.0.0.1'));
  assert.ok(isInternalAddress('::ffff:127.0.0.1'));
  assert.ok(isInternalAddress('::ffff:a00:1'));
  assert.not.ok(isInternalAddress('::ffff:8.8.8.8'));
});

test('isInternalAddress: names and garbage are not internal', () => {
  for (const text of ['localhost', '', 'redis.internal', '10.0.0', '999.0.0.1', 'fc00::zz']) {
    assert.not.ok(isInternalAddress(text), text);
  }
});

test('IP literals are classified without a lookup; TLS picks fqdn', async () => {
  assert.is(await resolveEndpointType({ host: '10.0.0.5', tls: false }, { lookup: mustNotLookUp }), 'internal-ip');
  assert.is(await resolveEndpointType({ host: '10.0.0.5', tls: true }, { lookup: mustNotLookUp }), 'internal-fqdn');
  assert.is(await resolveEndpointType({ host: '8.8.8.8', tls: false }, { lookup: mustNotLookUp }), 'external-ip');
  assert.is(await resolveEndpointType({ host: '[2001:db8::1]', tls: true }, { lookup: mustNotLookUp }), 'external-fqdn');
  assert.is(await resolveEndpointType({ host: '::1', tls: false }, { lookup: mustNotLookUp }), 'internal-ip');
});

test('a name is internal only when every address it resolves to is', async () => {
  assert.is(await resolveEndpointType({ host: 'a', tls: false }, { lookup: answers('10.0.0.1', 'fd00::1') }), 'internal-ip');
  assert.is(await resolveEndpointType({ host: 'b', tls: true }, { lookup: answers('10.0.0.1', '8.8.8.8') }), 'external-fqdn');
  assert.is(await resolveEndpointType({ host: 'c', tls: false }, { lookup: answers() }), 'external-ip');
});

test('the lookup receives the configured name', async () => {
  const asked: string[] = [];
  const lookup: LookupAll = async (host) => {
    asked.push(host);
    return [{ address: '192.168.0.9' }];
  };
  assert.is(await resolveEndpointType({ host: 'redis.corp', tls: true }, { lookup }), 'internal-fqdn');
  assert.equal(asked, ['redis.corp']);
});

test('a DNS failure means external', async () => {
  const rejects: LookupAll = async () => {
    throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
  };
  const throwsSync: LookupAll = () => {
    throw new Error('boom');
  };
  assert.is(await resolveEndpointType({ host: 'gone', tls: false }, { lookup: rejects }), 'external-ip');
  assert.is(await resolveEndpointType({ host: 'gone', tls: true }, { lookup: throwsSync }), 'external-fqdn');
});

test('a lookup that never answers times out as external', async () => {
  const never: LookupAll = () => new Promise(() => {});
  const started = performance.now();
  assert.is(await resolveEndpointType({ host: 'stuck', tls: false }, { lookup: never, timeoutMs: 20 }), 'external-ip');
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 15 && elapsed < 1000, `took ${elapsed} ms`);
});

test('the timeout timer is cleared once the lookup answers', async () => {
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  await resolveEndpointType({ host: 'x', tls: false }, { lookup: answers('10.0.0.1'), timeoutMs: 60_000 });
  const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  assert.is(after, before);
});

test('localhost resolves through the real DNS lookup to internal', async () => {
  assert.is(await resolveEndpointType({ host: 'localhost', tls: false }), 'internal-ip');
  assert.is(await resolveEndpointType({ host: 'localhost', tls: true }), 'internal-fqdn');
});

test.run();
