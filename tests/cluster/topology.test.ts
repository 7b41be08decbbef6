import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { discover } from '../../src/cluster/discovery.js';
import type { ClusterNode } from '../../src/cluster/node.js';
import { parseClusterShards, parseClusterSlots } from '../../src/cluster/topology.js';
import { ProtocolError, RedisReplyError } from '../../src/index.js';
import type { RespValue } from '../../src/protocol/types.js';
import type { PendingCommand } from '../../src/transport/command.js';

const asked = { host: '10.0.0.9', port: 7000 };

test('CLUSTER SHARDS as RESP2 flat lists: endpoint, else ip, else the asked host; failed primaries and failed replicas skipped', () => {
  const reply: RespValue = [
    ['slots', [0, 100, 200, 300], 'nodes', [
      ['id', 'a', 'port', 7001, 'ip', '10.0.0.1', 'endpoint', '10.0.0.1', 'role', 'master', 'health', 'online'],
      ['id', 'b', 'port', 7002, 'ip', '10.0.0.2', 'endpoint', '?', 'role', 'replica', 'health', 'online'],
      ['id', 'c', 'port', 7003, 'ip', '10.0.0.3', 'endpoint', '10.0.0.3', 'role', 'replica', 'health', 'failed'],
    ]],
    ['slots', [101, 199], 'nodes', [
      ['id', 'd', 'port', 7004, 'ip', '10.0.0.4', 'endpoint', '10.0.0.4', 'role', 'master', 'health', 'failed'],
      ['id', 'e', 'port', 7005, 'ip', '', 'endpoint', '', 'role', 'master', 'health', 'online'],
    ]],
    // A primary that lost all its slots (after a failover) forms a shard with none: not routable.
    ['slots', [], 'nodes', [['id', 'f', 'port', 7006, 'ip', '10.0.0.6', 'endpoint', '10.0.0.6', 'role', 'master', 'health', 'online']]],
  ];
  assert.equal(parseClusterShards(reply, asked), [
    { primary: { host: '10.0.0.1', port: 7001, id: 'a' }, replicas: [{ host: '10.0.0.2', port: 7002, id: 'b' }], slots: [[0, 100], [200, 300]] },
    { primary: { host: '10.0.0.9', port: 7005, id: 'e' }, replicas: [], slots: [[101, 199]] },
  ]);
});

test('CLUSTER SHARDS as RESP3 maps; a node without id or health', () => {
  const reply: RespValue = [{ slots: [0, 16383], nodes: [{ port: 6379, ip: '127.0.0.1', role: 'master' }] }];
  assert.equal(parseClusterShards(reply, asked), [{ primary: { host: '127.0.0.1', port: 6379, id: null }, replicas: [], slots: [[0, 16383]] }]);
});

test('CLUSTER SLOTS: rows grouped by primary; an empty host is the asked one', () => {
  const reply: RespValue = [
    [0, 100, ['10.0.0.1', 7001, 'a'], ['10.0.0.2', 7002, 'b']],
    [101, 200, ['', 7003, 'c']],
    [201, 300, ['10.0.0.1', 7001, 'a']],
    [301, 400, [null, 7004]],
  ];
  assert.equal(parseClusterSlots(reply, asked), [
    { primary: { host: '10.0.0.1', port: 7001, id: 'a' }, replicas: [{ host: '10.0.0.2', port: 7002, id: 'b' }], slots: [[0, 100], [201, 300]] },
    { primary: { host: '10.0.0.9', port: 7003, id: 'c' }, replicas: [], slots: [[101, 200]] },
    { primary: { host: '10.0.0.9', port: 7004, id: null }, replicas: [], slots: [[301, 400]] },
  ]);
});

test('malformed replies are ProtocolErrors', () => {
  for (const bad of ['x', [['slots']], [5], [{ slots: [0, 1] }]] as RespValue[]) assert.throws(() => parseClusterShards(bad, asked), (e: Error) => e instanceof ProtocolError);
  for (const bad of [null, [[0, 1]], [[0, 1, 'x']]] as RespValue[]) assert.throws(() => parseClusterSlots(bad, asked), (e: Error) => e instanceof ProtocolError);
});

function fakeNode(answers: Record<string, RespValue | Error>): ClusterNode {
  return {
    endpoint: asked,
    send(command: PendingCommand) {
      const text = String(command.encoded);
      const answer = text.includes('SHARDS') ? answers['SHARDS'] : answers['SLOTS'];
      if (answer instanceof Error) command.fail(answer);
      else command.succeed(answer as RespValue);
    },
  } as unknown as ClusterNode;
}

test('discovery falls back to CLUSTER SLOTS where SHARDS is unknown; a redirect-like error is not a fallback', async () => {
  const clock = new SimulatedClock();
  const old = fakeNode({ SHARDS: new RedisReplyError("ERR unknown subcommand 'SHARDS'"), SLOTS: [[0, 16383, ['10.0.0.1', 7001, 'a']]] });
  const found = await discover(old, clock, 1000);
  assert.is(found.via, 'CLUSTER SLOTS');
  assert.is(found.shards[0]?.primary.port, 7001);
  const loading = fakeNode({ SHARDS: new RedisReplyError('LOADING Redis is loading the dataset in memory') });
  await discover(loading, clock, 1000).then(
    () => assert.unreachable(),
    (error: Error) => assert.match(error.message, /^LOADING/),
  );
});

test('a router with no map yet refuses a command typed (no node serves its slot)', async () => {
  const { ClusterRouter } = await import('../../src/cluster/router.js');
  const { ClusterCommand } = await import('../../src/cluster/cluster-command.js');
  const { resolveClusterOptions } = await import('../../src/cluster/options.js');
  const { createLogger } = await import('../../src/log.js');
  const router = new ClusterRouter({ options: resolveClusterOptions({ rootNodes: ['127.0.0.1:1'] }), clock: new SimulatedClock(), logger: createLogger('error'), emit: () => {}, emitNode: () => {}, onNotification: () => {}, onHandled: () => {}, onChange: () => {} });
  const error = await new Promise<Error>((resolve) => router.send(new ClusterCommand(router, ['GET', 'k'], 1, 'GET', 0, 1000, () => resolve(new Error('resolved')), resolve)));
  assert.is((error as { code?: string }).code, 'ERR_CLUSTER_TOPOLOGY');
  await router.close();
});

test.run();
