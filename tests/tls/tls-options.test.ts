import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/index.js';
import { createMaintSimulator } from '../../src/simulator/index.js';
import { isCertificateError, tlsOptionsFor } from '../../src/transport/tls-options.js';

test('tlsOptionsFor: SNI is the dialled name; the user servername only for the configured host; never an IP', () => {
  const user = { ca: 'CA', servername: 'cache.example.test' };
  assert.equal(tlsOptionsFor({ host: 'db.example.test', port: 1 }, user, 'db.example.test'), { ca: 'CA', servername: 'cache.example.test', host: 'db.example.test', port: 1 });
  assert.equal(tlsOptionsFor({ host: 'node2.example.test', port: 2 }, user, 'db.example.test'), { ca: 'CA', servername: 'node2.example.test', host: 'node2.example.test', port: 2 });
  assert.equal(tlsOptionsFor({ host: '10.0.0.7', port: 3 }, user, 'db.example.test'), { ca: 'CA', host: '10.0.0.7', port: 3 });
  assert.equal(tlsOptionsFor({ host: '10.0.0.7', port: 3 }, {}, '10.0.0.7'), { host: '10.0.0.7', port: 3 });
  assert.equal(tlsOptionsFor({ host: 'a.test', port: 4 }, {}, undefined), { servername: 'a.test', host: 'a.test', port: 4 });
});

test('isCertificateError: certificate codes yes; network errors and odd values no', () => {
  assert.ok(isCertificateError(Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })));
  assert.ok(isCertificateError({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }));
  assert.not.ok(isCertificateError({ code: 'ECONNREFUSED' }));
  assert.not.ok(isCertificateError({ code: 7 }));
  assert.not.ok(isCertificateError(null));
  assert.not.ok(isCertificateError('text'));
});

test('the simulator refuses a malformed tls option, naming it', async () => {
  for (const tls of [{ cert: '' , key: 'k' }, [{ cert: 'c', key: 'k' }], { cert: 'c' }, null]) {
    try {
      await createMaintSimulator({ upstream: { host: '127.0.0.1', port: 6379 }, endpoints: 2, tls: tls as never });
      assert.unreachable('accepted');
    } catch (error) {
      assert.instance(error, ConfigError);
      assert.is((error as ConfigError).option, 'tls');
    }
  }
});

test.run();
