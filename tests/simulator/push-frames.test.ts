import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENDPOINT_TYPES, formatEndpoint, movingFrame, movingFrameTo } from '../../src/simulator/index.js';

test('formatEndpoint and movingFrame (public helpers) name 127.0.0.1 or localhost, or null for none; movingFrameTo names what it is given', () => {
  assert.equal(ENDPOINT_TYPES.map((type) => formatEndpoint(type, 7000)), ['127.0.0.1:7000', 'localhost:7000', '127.0.0.1:7000', 'localhost:7000', null]);
  assert.is(movingFrame(3, 14.2, 7000, 'external-ip').toString(), '>4\r\n$6\r\nMOVING\r\n:3\r\n:15\r\n$14\r\n127.0.0.1:7000\r\n');
  assert.is(movingFrame(3, 2, 7000, 'none').toString(), '>4\r\n$6\r\nMOVING\r\n:3\r\n:2\r\n_\r\n');
  assert.is(movingFrameTo(4, 1, '127.0.0.9:1').toString(), '>4\r\n$6\r\nMOVING\r\n:4\r\n:1\r\n$11\r\n127.0.0.9:1\r\n');
});

test.run();
