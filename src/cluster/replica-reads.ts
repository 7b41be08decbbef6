/**
 * Where a read-only command goes when the cluster reads from replicas (`readFrom`): a replica of
 * the slot's shard that has a ready connection, round-robin, and the primary when none has
 * (`'prefer-replica'`); or round-robin over the primary and its ready replicas (`'any'`). Writes,
 * transactions and blocking commands never come here. Per command: a short loop over the shard's
 * replicas, only with replica reads on.
 */
import type { ClusterNode } from './node.js';
import type { ReadFrom } from './options.js';

export function readerOf(primary: ClusterNode, readFrom: ReadFrom): ClusterNode {
  const replicas = primary.replicas;
  const count = replicas.length;
  if (count === 0 || readFrom === 'primary') return primary;
  const choices = readFrom === 'any' ? count + 1 : count;
  const start = primary.readTurn;
  primary.readTurn = (start + 1) % choices;
  for (let i = 0; i < choices; i++) {
    const index = (start + i) % choices;
    // Index `count` stands for the primary itself ('any' only).
    if (index === count) return primary;
    const replica = replicas[index] as ClusterNode;
    if (!replica.retired && replica.reachable) return replica;
  }
  return primary;
}
