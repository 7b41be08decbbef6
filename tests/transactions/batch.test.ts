import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, RedisReplyError, TransactionError, UsageError } from '../../src/errors.js';
import { transactionBatch, validateTuples } from '../../src/transactions/batch.js';
import { execOutcome, isWatchConflict } from '../../src/transactions/exec-outcome.js';

const throws = (run: () => void): Error | null => {
  try {
    run();
    return null;
  } catch (error) {
    return error as Error;
  }
};

test('validateTuples: non-empty array of [name, ...args]; bad entries named; refused commands named', () => {
  for (const bad of [[], 'x', [['']], [[1]], ['GET'], [['SET', 'k', null]]]) {
    const error = throws(() => validateTuples(bad, 'm()'));
    assert.instance(error, UsageError, JSON.stringify(bad));
    assert.is((error as UsageError).code, 'ERR_INVALID_ARGUMENT');
  }
  const refused = throws(() => validateTuples([['WATCH', 'k']], 'm()')) as UsageError;
  assert.is(refused.code, 'ERR_UNSUPPORTED_COMMAND');
  assert.match(refused.message, /WATCH cannot appear inside m\(\)/);
  assert.is(throws(() => validateTuples([['SET', 'k', 1], ['get', Buffer.from('k')]], 'm()')), null);
});

test('execOutcome: queue error, connection error on EXEC, watched key changed, failed command inside, success', async () => {
  const { pending, settled } = transactionBatch([['SET', 'k', 'v']], 0, 100);
  assert.equal(pending.map((c) => c.name), ['MULTI', 'SET', 'EXEC']);
  pending[0]?.succeed('OK');
  pending[1]?.fail(new RedisReplyError('ERR wrong number of arguments'));
  pending[2]?.fail(new RedisReplyError('EXECABORT Transaction discarded'));
  const outcomes = await Promise.all(settled);
  const error = throws(() => execOutcome(outcomes)) as TransactionError;
  assert.match(error.message, /wrong number/);
  assert.not.ok(isWatchConflict(error), 'not a conflict: retrying would fail the same way');
  const lost = new ConnectionError('ERR_CONNECTION_LOST', 'gone', { sent: true });
  assert.is(throws(() => execOutcome([{ ok: true, value: 'OK' }, { ok: false, value: lost }])), lost);
  const conflict = throws(() => execOutcome([{ ok: true, value: 'OK' }, { ok: true, value: null }]));
  assert.ok(isWatchConflict(conflict));
  const failed = throws(() => execOutcome([{ ok: true, value: 'OK' }, { ok: true, value: ['OK', new RedisReplyError('WRONGTYPE x')] }])) as TransactionError;
  assert.equal(failed.replies.length, 2);
  assert.not.ok(isWatchConflict(failed));
  assert.equal(execOutcome([{ ok: true, value: 'OK' }, { ok: true, value: ['OK'] }]), ['OK']);
  assert.not.ok(isWatchConflict(new Error('x')));
});

test.run();
