/**
 * The cluster mode's action requests (`run` / `start`, `POST /action`): validated up front (a
 * ConfigError naming the bad parameter, a 400 over HTTP), then run against the cluster.
 * `bdb_id` and `cluster_index`, which the fault-injector contract sends with everything, are
 * accepted and ignored. Without a node, failover and bind pick the owner of slot 0 (the shard
 * the official clients' suites pick).
 */
import { ConfigError } from '../../errors.js';
import { Params } from '../actions/params.js';
import { bind } from './bind.js';
import type { ClusterCore, ClusterNode } from './core.js';
import { failover } from './failover.js';
import { reshard } from './reshard.js';
import { planSlotMigrate } from './slot-migrate.js';
import { planClusterRladmin, planClusterSequence, type ClusterPlanner } from './contract-actions.js';
import type { ClusterActionType, MaintClusterSimulatorOptions, ReshardParameters } from './types.js';

/** A validated action, ready to run against the cluster. */
export type ClusterPlan = (core: ClusterCore) => Promise<Record<string, unknown>>;

type Parse = (params: Params, raw: Record<string, unknown>, core: ClusterCore, plan: ClusterPlanner) => ClusterPlan;

const SLOTS = 16_384;

const ACTIONS: Record<ClusterActionType, { parameters: string[]; parse: Parse }> = {
  reshard: {
    parameters: ['slots', 'to', 'batch', 'parallel', 'form', 'dropClosing', 'duplicate', 'malformed', 'pauseMs'],
    parse: (params, raw, core) => {
      const slots = params.array('slots').map((entry) => slotEntry(entry));
      if (slots.length === 0) throw new ConfigError('parameters.slots', [], 'at least one slot or [first, last] range');
      const to = nodeRef(core, raw, 'to', true) as ClusterNode;
      const form = raw['form'];
      if (form !== undefined && form !== 'triplets' && form !== 'flat' && form !== 'pairs') throw new ConfigError('parameters.form', form, 'triplets, flat or pairs');
      const parameters: ReshardParameters = {
        slots,
        to: to.index,
        batch: params.number('batch', 100, 1, 100_000),
        parallel: params.number('parallel', 8, 1, 64),
        dropClosing: params.boolean('dropClosing'),
        duplicate: params.boolean('duplicate'),
        malformed: params.boolean('malformed'),
        pauseMs: params.number('pauseMs', 0, 0, 600_000),
        ...(form === undefined ? {} : { form }),
      };
      return async (scoped) => ({ ...(await reshard(scoped, parameters)) });
    },
  },
  failover: {
    parameters: ['node', 'force', 'notifications'],
    parse: (params, raw, core) => {
      const node = nodeRef(core, raw, 'node', false);
      const force = params.boolean('force');
      const notifications = raw['notifications'];
      if (notifications !== undefined && notifications !== 'failing-over' && notifications !== 'smigrated') throw new ConfigError('parameters.notifications', notifications, 'failing-over or smigrated');
      return async (scoped) => ({ ...(await failover(scoped, { node: (node ?? (await slotZeroOwner(scoped))).index, force, ...(notifications === undefined ? {} : { notifications }) })) });
    },
  },
  // go-redis's name: { node_id, force }.
  cluster_failover: {
    parameters: ['node_id', 'force'],
    parse: (params, raw, core) => {
      const node = nodeRef(core, raw, 'node_id', false);
      const force = params.boolean('force');
      return async (scoped) => ({ ...(await failover(scoped, { node: (node ?? (await slotZeroOwner(scoped))).index, force })) });
    },
  },
  bind: {
    parameters: ['node', 'time_s', 'close_s'],
    parse: (params, raw, core) => {
      const node = nodeRef(core, raw, 'node', false);
      const timeS = params.number('time_s', 15);
      const closeS = params.number('close_s', (timeS * 17) / 15);
      return async (scoped) => ({ ...(await bind(scoped, { node: (node ?? (await slotZeroOwner(scoped))).index, timeS, closeS })) });
    },
  },
  slot_migrate: {
    parameters: [],
    parse: (_params, raw, core) => {
      const plan = planSlotMigrate(raw, core);
      return () => plan();
    },
  },
  // go-redis's name: { node_id }; a crash: the cluster fails the node's slots over by itself.
  node_kill: {
    parameters: ['node_id', 'node'],
    parse: (_params, raw, core) => {
      const node = nodeRef(core, raw, raw['node_id'] === undefined ? 'node' : 'node_id', true) as ClusterNode;
      return async (scoped) => {
        await node.server.process.kill();
        scoped.step('killed', { node: node.endpoint });
        return { killed: node.endpoint, id: node.id };
      };
    },
  },
  sequence_of_actions: {
    parameters: ['actions', 'bdbId'],
    parse: (_params, raw, _core, plan) => planClusterSequence(raw, plan),
  },
  execute_rladmin_command: {
    parameters: ['rladmin_command', 'database_name'],
    parse: (params, _raw, _core, plan) => planClusterRladmin(params, plan),
  },
};

/** The action types, in the order `GET /actions` lists them. */
export const CLUSTER_ACTION_TYPES = Object.keys(ACTIONS) as ClusterActionType[];

export function isClusterActionType(type: unknown): type is ClusterActionType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(ACTIONS, type);
}

/** Validates a request (per-type defaults under what it gives) and returns its plan. */
export function planClusterAction(type: unknown, parameters: unknown, core: ClusterCore, defaults: MaintClusterSimulatorOptions['actionDefaults'] = {}): ClusterPlan {
  if (!isClusterActionType(type)) throw new ConfigError('type', type, `a cluster action type: ${CLUSTER_ACTION_TYPES.join(', ')}`);
  const preset = defaults[type];
  if (parameters !== undefined && parameters !== null && (typeof parameters !== 'object' || Array.isArray(parameters))) throw new ConfigError('parameters', parameters, 'an object');
  const raw = { ...preset, ...((parameters ?? {}) as Record<string, unknown>) };
  const { parameters: names, parse } = ACTIONS[type];
  // slot_migrate reads its own parameters.
  const params = new Params(raw, type === 'slot_migrate' ? Object.keys(raw) : names);
  return parse(params, raw, core, (subType, subParameters) => planClusterAction(subType, subParameters, core, defaults));
}

function slotEntry(entry: unknown): number | [number, number] {
  const slot = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < SLOTS;
  if (slot(entry)) return entry as number;
  if (Array.isArray(entry) && entry.length === 2 && slot(entry[0]) && slot(entry[1]) && (entry[0] as number) <= (entry[1] as number)) return [entry[0] as number, entry[1] as number];
  throw new ConfigError('parameters.slots', entry, `slots (0..${SLOTS - 1}) and [first, last] ranges`);
}

function nodeRef(core: ClusterCore, raw: Record<string, unknown>, name: string, required: boolean): ClusterNode | undefined {
  const value = raw[name];
  if (value === undefined && !required) return undefined;
  try {
    if (typeof value !== 'number' && typeof value !== 'string') throw new RangeError('not a node');
    return core.node(value);
  } catch {
    throw new ConfigError(`parameters.${name}`, value, `${required ? 'required: ' : ''}a node index (0..${core.nodes.length - 1}), endpoint or id`);
  }
}

async function slotZeroOwner(core: ClusterCore): Promise<ClusterNode> {
  const owner = (await core.owners())[0];
  if (owner === undefined) throw new Error('cluster simulator: no node serves slot 0');
  return owner;
}
