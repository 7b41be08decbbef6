/**
 * Keyless commands that concern the whole cluster, as the server's command tips say: sent to every
 * primary (`request_policy:all_shards`: DBSIZE, FLUSHALL, KEYS, SCRIPT EXISTS, FUNCTION LOAD, PING,
 * …) or to every node the client has a pool for (`all_nodes`: SCRIPT LOAD / FLUSH, CONFIG SET,
 * …; replicas only while they have a ready connection), their replies joined by
 * `response_policy` (agg_sum, all_succeeded, agg_logical_and, …; none: arrays concatenated, as
 * KEYS). Commands whose replies only a person can join (`response_policy:special`: INFO, MEMORY
 * STATS, LATENCY …) still go to one primary (WAIT, tipped all_shards, is refused before routing:
 * it is about one connection's writes). Rare by nature: the cost on the per-command path is one
 * map lookup for keyless commands.
 */
import type { CommandEntry } from '../commands/command-entry.js';
import { COMMAND_TABLE } from '../commands/generated/table.js';
import { commandEntry } from '../commands/keys.js';
import { ConnectionError } from '../errors.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import type { ClusterNode } from './node.js';
import { nodeCaller } from './node-caller.js';
import type { SlotTable } from './slot-table.js';

/** How the replies of a fanned-out command become one. */
export type FanOutJoin = 'all_succeeded' | 'one_succeeded' | 'agg_sum' | 'agg_min' | 'agg_max' | 'agg_logical_and' | 'agg_logical_or' | 'concat';

export interface FanOutPlan {
  /** Every primary, or every node with a pool (primaries and, with replica reads, replicas). */
  readonly to: 'primaries' | 'nodes';
  readonly join: FanOutJoin;
}

const JOINS: ReadonlySet<string> = new Set(['all_succeeded', 'one_succeeded', 'agg_sum', 'agg_min', 'agg_max', 'agg_logical_and', 'agg_logical_or']);
const CONTAINERS: ReadonlySet<string> = new Set(Object.keys(COMMAND_TABLE).flatMap((name) => (name.includes('|') ? [name.slice(0, name.indexOf('|'))] : [])));
const byName = new Map<string, FanOutPlan | null>();

/** The fan-out of a keyless command (`name` upper case, `args` without it), or null: one primary serves it. */
export function fanOutPlan(name: string, args: readonly RespArgument[]): FanOutPlan | null {
  if (CONTAINERS.has(name)) return planOf(commandEntry(name, args));
  let plan = byName.get(name);
  if (plan === undefined) {
    const entry = COMMAND_TABLE[name];
    plan = planOf(entry);
    // Only names from the table are remembered: any string can be sent as a command.
    if (entry !== undefined) byName.set(name, plan);
  }
  return plan;
}

function planOf(entry: CommandEntry | undefined): FanOutPlan | null {
  if (entry === undefined) return null;
  if (entry.policy !== 'all_shards' && entry.policy !== 'all_nodes') return null;
  const response = entry.response;
  if (response !== undefined && !JOINS.has(response)) return null;
  return { to: entry.policy === 'all_nodes' ? 'nodes' : 'primaries', join: (response ?? 'concat') as FanOutJoin };
}

/** Sends the command to every target at once and joins the replies. */
export async function fanOut(table: SlotTable, plan: FanOutPlan, tuple: [string, ...RespArgument[]], binary: boolean, clock: Clock, timeoutMs: number): Promise<RespValue> {
  const primaries = table.primaries.filter((node) => !node.retired);
  // Replicas only while up: one that is down (and not yet out of the map) must not fail a SCRIPT LOAD.
  const targets = plan.to === 'primaries' ? primaries : [...primaries, ...[...table.nodes.values()].filter((node) => !node.retired && node.reachable && !primaries.includes(node))];
  if (targets.length === 0) throw new ConnectionError('ERR_CLUSTER_TOPOLOGY', `${tuple[0]} was not sent: no node of the cluster is known`, { retryable: true });
  const [command, ...args] = tuple;
  const settled = await Promise.allSettled(targets.map((node: ClusterNode) => {
    const caller = nodeCaller(node, clock, timeoutMs);
    return binary ? caller.callBuffer(command, ...args) : caller.call(command, ...args);
  }));
  return joinReplies(plan.join, settled);
}

/** The replies of every node as one, per the command's response policy. Exported for tests. */
export function joinReplies(join: FanOutJoin, settled: ReadonlyArray<PromiseSettledResult<RespValue>>): RespValue {
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  const values = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (join === 'one_succeeded') {
    if (values.length > 0) return values[0] as RespValue;
    throw failed?.reason;
  }
  if (failed !== undefined) throw failed.reason;
  switch (join) {
    case 'all_succeeded':
      return values[0] as RespValue;
    case 'agg_sum':
      return values.reduce<number>((sum, value) => sum + Number(value), 0);
    case 'agg_min':
      return Math.min(...values.map(Number));
    case 'agg_max':
      return Math.max(...values.map(Number));
    case 'agg_logical_and':
    case 'agg_logical_or':
      return logical(join === 'agg_logical_and', values);
    case 'concat':
      if (values.every((value) => Array.isArray(value))) return (values as RespValue[][]).flat();
      return values.find((value) => value !== null) ?? null;
  }
}

/** 1/0 per position (SCRIPT EXISTS answers an array), or for one integer each. */
function logical(and: boolean, values: readonly RespValue[]): RespValue {
  const truth = (value: RespValue) => value === 1 || value === true;
  if (!values.every((value) => Array.isArray(value))) return values.reduce<boolean>((acc, value) => (and ? acc && truth(value) : acc || truth(value)), and) ? 1 : 0;
  const arrays = values as RespValue[][];
  const length = arrays[0]?.length ?? 0;
  return Array.from({ length }, (_, i) => (arrays.reduce<boolean>((acc, array) => (and ? acc && truth(array[i] as RespValue) : acc || truth(array[i] as RespValue)), and) ? 1 : 0));
}
