import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeEvent } from '../../src/simulator/event-log.js';

const at = Date.UTC(2026, 0, 1, 12, 0, 0, 5);

test('one line per event: actions with or without detail and error; connection and endpoint events name their cluster node when they have one', () => {
  assert.is(describeEvent({ type: 'action.started', actionId: 'a1', action: 'reshard', parameters: { to: 1 }, at }), '12:00:00.005 action reshard a1 started {"to":1}');
  assert.is(describeEvent({ type: 'action.step', actionId: 'a1', action: 'bind', step: 'moving-sent', at }), '12:00:00.005 action bind a1: moving-sent {}');
  assert.is(describeEvent({ type: 'action.step', actionId: 'a1', action: 'bind', step: 'announced', detail: { node: 1 }, at }), '12:00:00.005 action bind a1: announced {"node":1}');
  assert.is(describeEvent({ type: 'action.finished', actionId: 'a1', action: 'failover', status: 'failed', error: 'no replica', at }), '12:00:00.005 action failover a1 failed: no replica');
  assert.is(describeEvent({ type: 'action.finished', actionId: 'a1', action: 'migrate', status: 'success', at }), '12:00:00.005 action migrate a1 success');
  assert.is(
    describeEvent({ type: 'frame.sent', connectionId: 'c1', endpoint: '127.0.0.1:2', frameType: 'SMIGRATING', seq: 4, bytes: Buffer.from('abc'), actionId: null, at, node: '127.0.0.1:9' }),
    '12:00:00.005 [127.0.0.1:9] c1@127.0.0.1:2 <- SMIGRATING seq 4 (3 bytes)',
  );
  assert.is(describeEvent({ type: 'frame.sent', connectionId: 'c1', endpoint: 'e', frameType: 'raw', seq: null, bytes: Buffer.from('x'), actionId: null, at }), '12:00:00.005 c1@e <- raw (1 bytes)');
  assert.is(describeEvent({ type: 'connection.opened', connectionId: 'c2', endpoint: 'e', remote: 'r', at }), '12:00:00.005 c2@e opened from r');
  assert.is(describeEvent({ type: 'connection.optedIn', connectionId: 'c2', endpoint: 'e', endpointType: null, at }), '12:00:00.005 c2@e maintenance notifications off');
  assert.is(describeEvent({ type: 'connection.optedIn', connectionId: 'c2', endpoint: 'e', endpointType: 'internal-ip', at }), '12:00:00.005 c2@e maintenance notifications internal-ip');
  assert.is(describeEvent({ type: 'connection.closed', connectionId: 'c2', endpoint: 'e', reason: 'gone', at, node: 'n' }), '12:00:00.005 [n] c2@e closed (gone)');
  assert.is(describeEvent({ type: 'endpoint.state', endpoint: 'e', state: 'retired', at, node: 'n' }), '12:00:00.005 [n] endpoint e retired');
});

test.run();
