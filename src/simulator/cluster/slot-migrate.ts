/**
 * The fault-injector contract's `slot_migrate` (the OSS cluster API scenarios of the official
 * clients), on the spawned cluster. Effects, as the contract names them:
 * - `slot-shuffle`: half of a primary's slots move to another primary (slots move, endpoints stay);
 * - `remove`: all of a primary's slots move to another primary (one endpoint leaves the map);
 * - `add`: half of a primary's slots move to a spare, a primary without slots (one endpoint joins);
 * - `remove-add`: all of a primary's slots move to a spare — or, with trigger `failover`, to its
 *   replica by a failover (one endpoint leaves, one joins).
 * Triggers: `migrate` (alias `default`; a reshard with SMIGRATING / SMIGRATED) and `failover`.
 * `source_node` / `target_node` pick the nodes (index, endpoint or id); by default the source is
 * the owner of slot 0 and the target the next primary (or the first spare).
 */
import { ConfigError } from '../../errors.js';
import { Params } from '../actions/params.js';
import { ranges, type ClusterCore, type ClusterNode } from './core.js';
import { failover, replicaOf } from './failover.js';
import { reshard } from './reshard.js';

export const SLOT_MIGRATE_EFFECTS = ['slot-shuffle', 'remove', 'add', 'remove-add'] as const;
type Effect = (typeof SLOT_MIGRATE_EFFECTS)[number];

interface Trigger {
  name: string;
  description: string;
  requirements: Array<{ dbconfig: Record<string, unknown>; cluster: Record<string, unknown>; description: string }>;
}

const MIGRATE: Trigger = { name: 'migrate', description: 'a reshard (SETSLOT / MIGRATE) told by SMIGRATING and SMIGRATED', requirements: [] };

function triggersOf(effect: Effect): Trigger[] {
  const spare = { dbconfig: {}, cluster: { spares: 1 }, description: 'a primary without slots (--spares 1)' };
  switch (effect) {
    case 'slot-shuffle':
    case 'remove':
      return [MIGRATE];
    case 'add':
      return [{ ...MIGRATE, requirements: [spare] }];
    case 'remove-add':
      return [
        { ...MIGRATE, requirements: [spare] },
        { name: 'failover', description: "the primary's replica takes over, told by SMIGRATING and SMIGRATED", requirements: [{ dbconfig: { replication: true }, cluster: { replicas: 1 }, description: 'a replica per primary (--replicas 1)' }] },
      ];
  }
}

/** `GET /slot-migrate?effect=E`: the triggers that can cause the effect here. */
export function slotMigrateListing(effect: string | null, cluster: Record<string, unknown>): Record<string, unknown> {
  const known = (SLOT_MIGRATE_EFFECTS as readonly string[]).includes(effect ?? '');
  return { action: 'slot_migrate', effect, cluster, triggers: known ? triggersOf(effect as Effect) : [] };
}

const PARAMETERS = ['effect', 'trigger', 'variant', 'source_node', 'target_node'];

/** Validates a `slot_migrate` request; the plan runs it. */
export function planSlotMigrate(raw: unknown, core: ClusterCore): () => Promise<Record<string, unknown>> {
  const params = new Params(raw, PARAMETERS);
  const effect = params.string('effect');
  if (effect === undefined || !(SLOT_MIGRATE_EFFECTS as readonly string[]).includes(effect)) {
    throw new ConfigError('parameters.effect', effect, `one of ${SLOT_MIGRATE_EFFECTS.join(', ')}`);
  }
  // go-redis sends `variant` (older) or `trigger`; redis-py `variant`.
  const given = params.string('trigger') ?? params.string('variant') ?? 'migrate';
  const trigger = given === 'default' ? 'migrate' : given;
  const names = triggersOf(effect as Effect).map((entry) => entry.name);
  if (!names.includes(trigger)) throw new ConfigError('parameters.trigger', given, `for effect ${effect}: ${names.join(', ')} (or default)`);
  const pick = (name: string) => {
    const value = (raw as Record<string, unknown> | undefined)?.[name];
    if (value === undefined) return undefined;
    try {
      return core.node(value as number | string);
    } catch {
      throw new ConfigError(`parameters.${name}`, value, 'a node index, endpoint or id');
    }
  };
  const source = pick('source_node');
  const target = pick('target_node');
  return async () => {
    const owners = await core.owners();
    const slotsOf = (node: ClusterNode) => owners.flatMap((owner, slot) => (owner === node ? [slot] : []));
    const from = source ?? (owners[0] as ClusterNode);
    const slots = slotsOf(from);
    if (slots.length === 0) throw new Error(`slot_migrate: ${from.endpoint} serves no slot`);
    if (trigger === 'failover') {
      const replica = await replicaOf(core, from);
      if (target !== undefined && target !== replica) throw new Error(`slot_migrate: with trigger failover the target is ${from.endpoint}'s replica`);
      const { promoted } = await failover(core, { node: from.index, notifications: 'smigrated' });
      return { effect, trigger, source: from.endpoint, target: promoted, slots: ranges(slots) };
    }
    const primaries = new Set(owners.filter((owner) => owner !== undefined));
    const spare = effect === 'add' || effect === 'remove-add';
    const to = target ?? (spare ? await spareOf(core, primaries) : core.nodes.find((node) => node !== from && primaries.has(node)));
    if (to === undefined) throw new Error(`slot_migrate: no ${spare ? 'spare primary (start with spares: 1 / --spares 1)' : 'other primary'} to move slots to`);
    if (to === from) throw new Error('slot_migrate: source and target are the same node');
    const moving = effect === 'slot-shuffle' || effect === 'add' ? slots.slice(0, Math.ceil(slots.length / 2)) : slots;
    const result = await reshard(core, { slots: ranges(moving), to: to.index });
    return { effect, trigger, source: from.endpoint, target: to.endpoint, slots: ranges(moving), keys: result.keys, smigratingSeqs: result.smigratingSeqs, smigratedSeq: result.smigratedSeq };
  };
}

/** A spare: a primary (ROLE master, not a replica) that serves no slot now. */
async function spareOf(core: ClusterCore, primaries: ReadonlySet<ClusterNode>): Promise<ClusterNode | undefined> {
  for (const node of core.nodes) {
    if (primaries.has(node)) continue;
    const role = await core.command(node, 'ROLE').then((reply) => String((reply as unknown[])[0]), () => 'down');
    if (role === 'master') return node;
  }
  return undefined;
}
