import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fanOut, fanOutPlan, joinReplies } from '../../src/cluster/fan-out.js';
import { splitAcrossSlots } from '../../src/cluster/multi-slot.js';
import { SlotTable } from '../../src/cluster/slot-table.js';
import { keySlot } from '../../src/cluster/slot.js';
import { ConnectionError, RedisReplyError } from '../../src/errors.js';
import type { RespArgument, RespValue } from '../../src/protocol/types.js';
import { systemClock } from '../../src/transport/clock.js';

const ok = (value: RespValue): PromiseSettledResult<RespValue> => ({ status: 'fulfilled', value });
const no = (message: string): PromiseSettledResult<RespValue> => ({ status: 'rejected', reason: new RedisReplyError(message) });
const thrown = (run: () => unknown): Error => {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

test('plans come from the command tips: all_shards → primaries, all_nodes → every node, special and unknown → one node', () => {
  assert.equal(fanOutPlan('DBSIZE', []), { to: 'primaries', join: 'agg_sum' });
  assert.equal(fanOutPlan('KEYS', ['*']), { to: 'primaries', join: 'concat' });
  assert.equal(fanOutPlan('SCRIPT', ['LOAD', 'return 1']), { to: 'nodes', join: 'all_succeeded' });
  assert.equal(fanOutPlan('SCRIPT', ['exists', 'x']), { to: 'primaries', join: 'agg_logical_and' });
  assert.equal(fanOutPlan('SCRIPT', ['KILL']), { to: 'primaries', join: 'one_succeeded' });
  assert.is(fanOutPlan('INFO', []), null);
  assert.is(fanOutPlan('MEMORY', ['STATS']), null);
  assert.is(fanOutPlan('LASTSAVE', []), null);
  assert.is(fanOutPlan('NOSUCHCOMMAND', []), null);
  // Asked twice: the remembered plan.
  assert.equal(fanOutPlan('DBSIZE', []), { to: 'primaries', join: 'agg_sum' });
});

test('replies join per response policy', () => {
  assert.is(joinReplies('agg_sum', [ok(2), ok(3), ok(0)]), 5);
  assert.is(joinReplies('agg_min', [ok(2), ok(1), ok(4)]), 1);
  assert.is(joinReplies('agg_max', [ok(2), ok(1), ok(4)]), 4);
  assert.equal(joinReplies('agg_logical_and', [ok([1, 1, 0]), ok([1, 0, 0])]), [1, 0, 0]);
  assert.equal(joinReplies('agg_logical_or', [ok([1, 0, 0]), ok([0, 0, 1])]), [1, 0, 1]);
  assert.is(joinReplies('agg_logical_and', [ok(1), ok(0)]), 0);
  assert.equal(joinReplies('agg_logical_and', []), []);
  assert.is(joinReplies('agg_logical_or', [ok(0), ok(true)]), 1);
  assert.is(joinReplies('all_succeeded', [ok('OK'), ok('OK')]), 'OK');
  assert.equal(joinReplies('concat', [ok(['a']), ok([]), ok(['b', 'c'])]), ['a', 'b', 'c']);
  assert.is(joinReplies('concat', [ok(null), ok('k'), ok(null)]), 'k');
  assert.is(joinReplies('concat', [ok(null), ok(null)]), null);
  assert.is(joinReplies('one_succeeded', [no('NOTBUSY a'), ok('OK')]), 'OK');
  assert.is(thrown(() => joinReplies('one_succeeded', [no('NOTBUSY a'), no('NOTBUSY b')])).message, 'NOTBUSY a');
  assert.is(thrown(() => joinReplies('agg_sum', [ok(1), no('ERR down')])).message, 'ERR down');
  assert.is(thrown(() => joinReplies('all_succeeded', [no('ERR first'), no('ERR second')])).message, 'ERR first');
});

test('a fan-out with no node known fails typed, before sending', async () => {
  const table = new SlotTable(() => {
    throw new Error('no node is created');
  });
  const error = await fanOut(table, { to: 'primaries', join: 'agg_sum' }, ['DBSIZE'], false, systemClock, 100).catch((e: unknown) => e);
  assert.instance(error, ConnectionError);
  assert.is((error as ConnectionError).code, 'ERR_CLUSTER_TOPOLOGY');
  const nodes = await fanOut(table, { to: 'nodes', join: 'all_succeeded' }, ['SCRIPT', 'FLUSH'], false, systemClock, 100).catch((e: unknown) => e);
  assert.instance(nodes, ConnectionError);
});

test('a split command: one part per slot, values back in key order; a part that fails fails the whole; others are not split', async () => {
  const sent: Array<[RespArgument[], number]> = [];
  const keys = ['a', 'b', 'c', 'a', '{a}x'];
  const values = await splitAcrossSlots('MGET', keys, async (args, slot) => {
    sent.push([args, slot]);
    return args.map((key) => `v:${String(key)}`);
  });
  assert.equal(values, keys.map((key) => `v:${key}`));
  assert.equal(sent.map(([, slot]) => slot).sort(), [...new Set(keys.map((key) => keySlot(key)))].sort());
  assert.equal(sent.find(([, slot]) => slot === keySlot('a'))?.[0], ['a', 'a', '{a}x']);
  assert.is(await splitAcrossSlots('DEL', keys, async (args) => args.length - 1), 2);
  const failing = splitAcrossSlots('EXISTS', keys, async (args) => {
    if (args.includes('b')) throw new RedisReplyError('ERR part');
    return 1;
  });
  assert.is(((await failing?.catch((e: unknown) => e)) as Error).message, 'ERR part');
  assert.is(splitAcrossSlots('MSET', ['a', '1', 'b', '2'], async () => 'OK'), null);
});

test.run();
