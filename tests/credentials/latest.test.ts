import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Subject } from 'rxjs';
import { LatestCredentials } from '../../src/credentials/latest.js';
import type { Credentials } from '../../src/credentials/provider.js';

const outcome = (value: unknown) => Promise.resolve(value).then((v) => ({ ok: v }), (e: unknown) => ({ error: e }));

test('a waiter for the first value is rejected when the source fails (with or without an error value) or the client closes', async () => {
  const failing = new Subject<Credentials>();
  const latest = new LatestCredentials(failing, () => {});
  const waiting = outcome(latest.provider());
  failing.error(undefined);
  const failed = (await waiting) as { error: Error };
  assert.match(failed.error.message, /credentials observable failed/);
  assert.is(((await outcome(latest.provider())) as { error: Error }).error, failed.error, 'later sockets fail the same way');

  const quiet = new Subject<Credentials>();
  const closing = new LatestCredentials(quiet, () => {});
  const pending = outcome(closing.provider());
  closing.close();
  assert.match(((await pending) as { error: Error }).error.message, /closed/);
  assert.not.ok(quiet.observed);
});

test('later values call onChange, the first does not; the provider answers the latest', async () => {
  const source = new Subject<Credentials>();
  let changes = 0;
  const latest = new LatestCredentials(source, () => changes++);
  source.next({ password: 'a' });
  assert.is(changes, 0);
  source.next({ password: 'b' });
  assert.is(changes, 1);
  assert.equal(await latest.provider(), { password: 'b' });
  latest.close();
});

test.run();
