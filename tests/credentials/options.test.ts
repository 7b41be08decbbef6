import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createMaintClient } from '../../src/index.js';
import { resolveClientOptions } from '../../src/config.js';

test('credentials: a function; not together with a password, in the options or the url', () => {
  const provider = () => ({ password: 'p' });
  assert.is(resolveClientOptions({ credentials: provider }).credentials, provider);
  for (const options of [{ credentials: 'secret' }, { credentials: provider, password: 'p' }, { credentials: provider, username: 'u', password: 'p' }, { credentials: provider, url: 'redis://u:p@h:1' }]) {
    try {
      createMaintClient(options as never);
      assert.unreachable(JSON.stringify(Object.keys(options)));
    } catch (error) {
      assert.instance(error, ConfigError);
      assert.is((error as ConfigError).option, 'credentials');
      assert.not.match((error as Error).message, /secret/);
    }
  }
});

test.run();
