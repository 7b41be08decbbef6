import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterNode } from '../../src/cluster/node.js';
import { readerOf } from '../../src/cluster/replica-reads.js';
import { SlotTable } from '../../src/cluster/slot-table.js';
import type { TopologyShard } from '../../src/cluster/topology.js';
import { formatEndpoint, type Endpoint } from '../../src/protocol/endpoint.js';

/** What the slot table and the read routing use of a node: its address, id, replicas, and whether it can serve. */
function fakeNode(endpoint: Endpoint, id: string | null): ClusterNode {
  const node = {
    endpoint,
    key: formatEndpoint(endpoint),
    id,
    retired: false,
    replicas: [] as ClusterNode[],
    readTurn: 0,
    reachable: true,
    moveTo(to: Endpoint) {
      node.endpoint = to;
      node.key = formatEndpoint(to);
    },
  };
  return node as unknown as ClusterNode;
}

const at = (port: number): Endpoint => ({ host: '10.0.0.1', port });
const shard = (port: number, id: string | null, first: number, last: number, replicas: Array<[number, string | null]> = []): TopologyShard => ({
  primary: { ...at(port), id },
  replicas: replicas.map(([p, i]) => ({ ...at(p), id: i })),
  slots: [[first, last]],
});

function table(withReplicas = false): { table: SlotTable; created: ClusterNode[] } {
  const created: ClusterNode[] = [];
  const t = new SlotTable((endpoint, id) => {
    const node = fakeNode(endpoint, id);
    created.push(node);
    return node;
  }, withReplicas);
  return { table: t, created };
}

test('rekey: the node answers at its new address, the old one still leads to it; nothing to do for the same address or a node not in the map', () => {
  const { table: t, created } = table();
  t.apply([shard(7000, 'a', 0, 8191), shard(7001, 'b', 8192, 16383)]);
  const a = t.nodeAt(at(7000));
  assert.is(t.rekey(a, at(7000)), undefined);
  assert.is(t.rekey(fakeNode(at(7005), 'z'), at(7006)), undefined);
  assert.is(t.nodes.has('10.0.0.1:7006'), false);
  assert.is(t.rekey(a, at(7100)), undefined);
  assert.is(a.key, '10.0.0.1:7100');
  assert.is(t.nodes.get('10.0.0.1:7100'), a);
  assert.is(t.nodes.has('10.0.0.1:7000'), false);
  assert.is(t.nodeAt(at(7000)), a, 'the old address leads to the moved node');
  assert.is(t.owners[0], a);
  assert.is(created.length, 2);
  // A refresh that still names the old address (same id) keeps the moved node.
  t.apply([shard(7000, 'a', 0, 8191), shard(7001, 'b', 8192, 16383)]);
  assert.is(t.owners[0], a);
  assert.is(created.length, 2);
  assert.is(t.nodeAt(at(7000)), a, 'still an alias');
  // Another node (another id) at the old address: the alias is gone.
  const { orphans } = t.apply([shard(7000, 'c', 0, 8191), shard(7001, 'b', 8192, 16383)]);
  assert.is(created.length, 3);
  assert.equal(orphans, [a]);
  assert.is.not(t.nodeAt(at(7000)), a);
});

test('an alias is not followed for a node of another id, nor for a retired node; it goes once the node leaves the map', () => {
  const { table: t, created } = table();
  t.apply([shard(7000, 'a', 0, 16383)]);
  const a = t.nodeAt(at(7000));
  t.rekey(a, at(7100));
  assert.is.not(t.nodeAt(at(7000), 'other-id'), a);
  assert.is(created.length, 2);
  const { table: u } = table();
  u.apply([shard(7000, 'a', 0, 16383)]);
  const b = u.nodeAt(at(7000));
  u.rekey(b, at(7100));
  b.retired = true;
  assert.is.not(u.nodeAt(at(7000)), b);
  const { table: v } = table();
  v.apply([shard(7000, 'a', 0, 16383)]);
  const c = v.nodeAt(at(7000));
  v.rekey(c, at(7100));
  v.apply([shard(7200, 'd', 0, 16383)]);
  assert.is.not(v.nodeAt(at(7000)), c, 'the node left: its old address is forgotten');
});

test('rekey onto a node a MOVED opened at the new address: its slots are the moving node’s, and it is handed back to retire', () => {
  const { table: t } = table();
  t.apply([shard(7000, 'a', 0, 8191), shard(7001, 'b', 8192, 16383)]);
  const a = t.nodeAt(at(7000));
  const opened = t.assign(at(7100), [[5, 5]]);
  assert.is(t.primaries.length, 3);
  assert.is(t.rekey(a, at(7100)), opened);
  assert.is(t.owners[5], a);
  assert.is(t.primaries.length, 2);
  assert.ok(!t.primaries.includes(opened));
  // The moving node owning nothing yet (only reached by ASK): it takes the displaced one's place.
  const { table: u } = table();
  u.apply([shard(7000, 'a', 0, 16383)]);
  const asked = u.nodeAt(at(7300));
  const other = u.assign(at(7400), [[9, 9]]);
  assert.is(u.rekey(asked, at(7400)), other);
  assert.ok(u.primaries.includes(asked) && !u.primaries.includes(other));
  assert.is(u.owners[9], asked);
});

test('with replicas: listed on their primary, kept (not orphans), shown as replicas; without: no replica node', () => {
  const { table: t } = table(true);
  t.apply([shard(7000, 'a', 0, 16383, [[7001, 'ra'], [7002, null]])]);
  const a = t.nodeAt(at(7000));
  assert.equal(a.replicas.map((node) => node.key), ['10.0.0.1:7001', '10.0.0.1:7002']);
  assert.is(a.replicas[0]?.id, 'ra');
  assert.ok(t.isReplica(a.replicas[0]!));
  assert.not.ok(t.isReplica(a));
  const { orphans } = t.apply([shard(7000, 'a', 0, 16383, [[7001, 'ra']])]);
  assert.equal(orphans.map((node) => node.key), ['10.0.0.1:7002']);
  const { table: u } = table(false);
  u.apply([shard(7000, 'a', 0, 16383, [[7001, 'ra']])]);
  assert.is(u.nodes.size, 1);
  assert.equal(u.nodeAt(at(7000)).replicas, []);
});

test('readerOf: a ready replica round-robin; the primary when none is up; any includes the primary; primary mode never a replica', () => {
  const primary = fakeNode(at(7000), 'p');
  assert.is(readerOf(primary, 'prefer-replica'), primary, 'no replica');
  const r1 = fakeNode(at(7001), 'r1');
  const r2 = fakeNode(at(7002), 'r2');
  primary.replicas = [r1, r2];
  assert.is(readerOf(primary, 'primary'), primary);
  const picks = Array.from({ length: 4 }, () => readerOf(primary, 'prefer-replica'));
  assert.equal(picks, [r1, r2, r1, r2]);
  (r1 as { reachable: boolean }).reachable = false;
  assert.equal(Array.from({ length: 3 }, () => readerOf(primary, 'prefer-replica')), [r2, r2, r2]);
  r2.retired = true;
  assert.is(readerOf(primary, 'prefer-replica'), primary, 'none up');
  (r1 as { reachable: boolean }).reachable = true;
  r2.retired = false;
  primary.readTurn = 0;
  assert.equal(new Set(Array.from({ length: 6 }, () => readerOf(primary, 'any'))), new Set([r1, r2, primary]));
});

test.run();
