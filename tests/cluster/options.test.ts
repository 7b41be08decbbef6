import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeOptions, resolveClusterOptions } from '../../src/cluster/options.js';
import { ConfigError, createMaintCluster } from '../../src/index.js';

test('root nodes as objects, host:port and URLs; every client option applies to each node', () => {
  const resolved = resolveClusterOptions({ rootNodes: ['rediss://u:secret@10.0.0.1:7000', '10.0.0.2:7001', { host: '10.0.0.3', port: 7002 }], poolSize: 3, commandTimeout: 900 });
  assert.equal(resolved.rootNodes, [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '10.0.0.3', port: 7002 }]);
  assert.is(resolved.node.poolSize, 3);
  assert.is(resolved.node.username, 'u');
  assert.ok(resolved.node.tls !== false);
  assert.equal([resolved.refreshCooldown, resolved.refreshInterval, resolved.maxRedirections], [500, 30_000, 16]);
  const node = nodeOptions(resolved.node, { host: '10.0.0.7', port: 7007 });
  assert.equal([node.host, node.port, node.commandTimeout], ['10.0.0.7', 7007, 900]);
  assert.is(resolved.readFrom, 'primary');
  assert.is(resolved.node.readOnlyConnections, undefined);
});

test('readFrom: replica reads make every node connection send READONLY', () => {
  for (const readFrom of ['prefer-replica', 'any'] as const) {
    const resolved = resolveClusterOptions({ rootNodes: ['10.0.0.1:7000'], readFrom });
    assert.is(resolved.readFrom, readFrom);
    assert.is(nodeOptions(resolved.node, { host: '10.0.0.2', port: 7001 }).readOnlyConnections, true);
  }
  assert.is(resolveClusterOptions({ rootNodes: ['10.0.0.1:7000'], readFrom: 'primary' }).node.readOnlyConnections, undefined);
});

test('bad options are ConfigErrors naming the option', () => {
  const cases: Array<[unknown, string]> = [
    [null, 'options'],
    [{}, 'rootNodes'],
    [{ rootNodes: [] }, 'rootNodes'],
    [{ rootNodes: [42] }, 'rootNodes[0]'],
    [{ rootNodes: [{ host: 'a' }] }, 'rootNodes[0]'],
    [{ rootNodes: ['not a host:x'] }, 'rootNodes[0]'],
    [{ rootNodes: ['redis://a:1/2'] }, 'rootNodes[0]'],
    [{ rootNodes: ['a:1'], host: 'b' }, 'host'],
    [{ rootNodes: ['a:1'], database: 1 }, 'database'],
    [{ rootNodes: ['a:1'], refreshCooldown: -1 }, 'refreshCooldown'],
    [{ rootNodes: ['a:1'], maxRedirections: 0 }, 'maxRedirections'],
    [{ rootNodes: ['a:1'], refreshInterval: 1.5 }, 'refreshInterval'],
    [{ rootNodes: ['a:1'], readFrom: 'replica-only' }, 'readFrom'],
  ];
  for (const [options, option] of cases) {
    assert.throws(
      () => createMaintCluster(options as never),
      (error: Error) => error instanceof ConfigError && error.option === option,
      JSON.stringify(options),
    );
  }
});

test.run();
