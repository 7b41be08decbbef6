import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { migrationTarget } from '../../src/cluster/sharded/importer.js';
import { bySlot } from '../../src/cluster/sharded/node-home.js';
import { keySlot } from '../../src/cluster/slot.js';

const nodes = [
  'aaa 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460 [5258->-bbb] [42-<-ccc]',
  'bbb 127.0.0.1:7002@17002,host-b master - 0 1700000000000 2 connected 5461-10922',
  'ccc 127.0.0.1:7003@17003 master - 0 1700000000000 3 connected 10923-16383',
  '',
].join('\n');

test('migrationTarget: the node a MIGRATING slot goes to, from the myself line', () => {
  assert.equal(migrationTarget(nodes, 5258), { host: '127.0.0.1', port: 7002 });
  assert.is(migrationTarget(nodes, 42), null, 'importing, not migrating');
  assert.is(migrationTarget(nodes, 100), null, 'not migrating');
  assert.is(migrationTarget(nodes.replace('myself,', ''), 5258), null, 'no myself line');
  assert.is(migrationTarget(nodes.replace(/^bbb.*$/m, ''), 5258), null, 'an unknown node id');
  assert.is(migrationTarget(nodes.replace('127.0.0.1:7002', '127.0.0.1:x'), 5258), null, 'a bad address');
  assert.is(migrationTarget('', 5258), null);
});

test('bySlot: one group per slot, in first-seen order', () => {
  const groups = bySlot(['{a}1', 'b', '{a}2', 'c']);
  assert.equal(groups.map((group) => group.map((name) => keySlot(name))), [[keySlot('{a}1'), keySlot('{a}1')], [keySlot('b')], [keySlot('c')]]);
  assert.equal(groups[0], ['{a}1', '{a}2']);
});

test.run();
