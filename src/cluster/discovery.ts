/** Asks one node for the cluster's shape: CLUSTER SHARDS, or CLUSTER SLOTS where SHARDS is unknown (Redis < 7). */
import { RedisReplyError } from '../errors.js';
import { encodeCommand } from '../protocol/encoder.js';
import type { RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import type { ClusterNode } from './node.js';
import { parseClusterShards, parseClusterSlots, type TopologyShard } from './topology.js';

export interface Discovered {
  shards: TopologyShard[];
  via: 'CLUSTER SHARDS' | 'CLUSTER SLOTS';
}

const SHARDS = encodeCommand(['CLUSTER', 'SHARDS']);
const SLOTS = encodeCommand(['CLUSTER', 'SLOTS']);

export async function discover(node: ClusterNode, clock: Clock, timeoutMs: number): Promise<Discovered> {
  try {
    return { shards: parseClusterShards(await ask(node, clock, timeoutMs, 'CLUSTER', SHARDS), node.endpoint), via: 'CLUSTER SHARDS' };
  } catch (error) {
    if (!(error instanceof RedisReplyError) || /^(MOVED|ASK|CLUSTERDOWN|LOADING|TRYAGAIN)/.test(error.message)) throw error;
    return { shards: parseClusterSlots(await ask(node, clock, timeoutMs, 'CLUSTER', SLOTS), node.endpoint), via: 'CLUSTER SLOTS' };
  }
}

function ask(node: ClusterNode, clock: Clock, timeoutMs: number, name: string, encoded: string | Buffer): Promise<RespValue> {
  return new Promise((resolve, reject) => node.send(new PendingCommand(name, encoded, clock.now(), timeoutMs, 0, resolve, reject)));
}
