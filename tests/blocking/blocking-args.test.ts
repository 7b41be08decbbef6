import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dollarIds, withBlockTime } from '../../src/pool/blocking-args.js';

test('withBlockTime: seconds for the list/zset commands (last or first argument), ms for XREAD/XREADGROUP', () => {
  assert.equal(withBlockTime(['BLPOP', 'a', 'b', '10'], 2500), ['BLPOP', 'a', 'b', '2.500']);
  assert.equal(withBlockTime(['blmove', 'a', 'b', 'LEFT', 'RIGHT', '5'], 0.2), ['blmove', 'a', 'b', 'LEFT', 'RIGHT', '0.001']);
  assert.equal(withBlockTime(['BZMPOP', '9', '1', 'z', 'MIN'], 1234.2), ['BZMPOP', '1.235', '1', 'z', 'MIN']);
  assert.equal(withBlockTime(['BLMPOP', '9', '1', 'l', 'LEFT'], Infinity), ['BLMPOP', '0', '1', 'l', 'LEFT']);
  assert.equal(withBlockTime(['XREAD', 'COUNT', '1', 'BLOCK', '5000', 'STREAMS', 's', '0'], 1200.5), ['XREAD', 'COUNT', '1', 'BLOCK', '1201', 'STREAMS', 's', '0']);
  assert.equal(withBlockTime(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], Infinity), ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>']);
  // A "BLOCK" that is a stream name is not the option.
  assert.equal(withBlockTime(['XREAD', 'STREAMS', 'BLOCK', '0'], 10), ['XREAD', 'STREAMS', 'BLOCK', '0']);
  assert.equal(withBlockTime(['GET', 'k'], 10), ['GET', 'k']);
});

test('dollarIds: only XREAD, only the ids that are $', () => {
  assert.equal(dollarIds(['XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'b', '$', '0-1']), [{ key: 'a', index: 6 }]);
  assert.equal(dollarIds(['xread', 'BLOCK', '0', 'STREAMS', 'a', 'b', '$', '$']), [{ key: 'a', index: 6 }, { key: 'b', index: 7 }]);
  assert.equal(dollarIds(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'a', '>']), []);
  assert.equal(dollarIds(['BLPOP', '$', '0']), []);
});

test.run();
