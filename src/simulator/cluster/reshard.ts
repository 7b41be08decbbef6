/**
 * reshard: SMIGRATING to each source's connections (and, while the move lasts, to each that opts
 * in later), a real migration (SETSLOT IMPORTING / MIGRATING, MIGRATE … KEYS in batches, SETSLOT
 * NODE on every primary), then SMIGRATED `[src, dst, slots]` to every connection of every node.
 */
import { delay } from '../timing.js';
import { lateJoiners, ranges, tell, type ClusterCore, type ClusterNode } from './core.js';
import { malformedClusterFrame, smigratedFlatFrame, smigratedFrame, smigratedPairsFrame, smigratingFrame, type SlotMoveText } from './frames.js';
import type { ReshardParameters, ReshardResult } from './types.js';

export async function reshard(core: ClusterCore, parameters: ReshardParameters): Promise<ReshardResult> {
  const destination = core.node(parameters.to);
  const owners = await core.owners();
  const bySource = new Map<ClusterNode, number[]>();
  for (const entry of parameters.slots) {
    const [first, last] = typeof entry === 'number' ? [entry, entry] : entry;
    for (let slot = first; slot <= last; slot++) {
      const source = owners[slot];
      if (source === undefined || source === destination) continue;
      bySource.set(source, [...(bySource.get(source) ?? []), slot]);
    }
  }
  const times = parameters.duplicate ? 2 : 1;
  const smigratingSeqs: number[] = [];
  const closers: Array<() => void> = [];
  for (const [source, slots] of bySource) {
    const seq = core.nextSeq();
    smigratingSeqs.push(seq);
    const frame = smigratingFrame(seq, ranges(slots));
    if (parameters.malformed) tell(source, 'malformed:SMIGRATING', seq, malformedClusterFrame('SMIGRATING'));
    for (let i = 0; i < times; i++) tell(source, 'SMIGRATING', seq, frame);
    closers.push(lateJoiners([source], 'SMIGRATING', seq, () => frame));
    core.step('smigrating-sent', { seq, node: source.endpoint, slots: slots.length });
  }
  let keys = 0;
  try {
    if ((parameters.pauseMs ?? 0) > 0) await delay(parameters.pauseMs as number, core.signal);
    const primaries = [...new Set(owners.filter((owner) => owner !== undefined))];
    if (!primaries.includes(destination)) primaries.push(destination);
    // A few slots at a time (each slot's own steps stay in order).
    const work = [...bySource].flatMap(([source, slots]) => slots.map((slot) => ({ source, slot })));
    const lanes = Array.from({ length: Math.min(parameters.parallel ?? 8, work.length) }, async () => {
      for (let item = work.shift(); item !== undefined; item = work.shift()) {
        keys += await migrateSlot(core, item.slot, item.source, destination, primaries, parameters.batch ?? 100);
      }
    });
    await Promise.all(lanes);
  } finally {
    for (const close of closers) close();
  }
  const moves: SlotMoveText[] = [...bySource].map(([source, slots]) => ({ source: source.endpoint, destination: destination.endpoint, slots: ranges(slots) }));
  core.step('migrated', { keys, slots: [...bySource.values()].reduce((sum, slots) => sum + slots.length, 0) });
  if (parameters.dropClosing || moves.length === 0) return { moves, keys, smigratingSeqs, smigratedSeq: null };
  const seq = core.nextSeq();
  const frame =
    parameters.form === 'flat'
      ? smigratedFlatFrame(seq, destination.endpoint, moves.flatMap((move) => move.slots))
      : parameters.form === 'pairs'
        ? smigratedPairsFrame(seq, [{ destination: destination.endpoint, slots: moves.flatMap((move) => move.slots) }])
        : smigratedFrame(seq, moves);
  for (const node of core.nodes) {
    if (parameters.malformed) tell(node, 'malformed:SMIGRATED', seq, malformedClusterFrame('SMIGRATED'));
    for (let i = 0; i < times; i++) tell(node, 'SMIGRATED', seq, frame);
  }
  core.step('smigrated-sent', { seq });
  return { moves, keys, smigratingSeqs, smigratedSeq: seq };
}

async function migrateSlot(core: ClusterCore, slot: number, source: ClusterNode, destination: ClusterNode, primaries: ClusterNode[], batch: number): Promise<number> {
  const text = String(slot);
  await core.command(destination, 'CLUSTER', 'SETSLOT', text, 'IMPORTING', source.id);
  await core.command(source, 'CLUSTER', 'SETSLOT', text, 'MIGRATING', destination.id);
  let moved = 0;
  for (;;) {
    const keys = (await core.command(source, 'CLUSTER', 'GETKEYSINSLOT', text, String(batch))) as string[];
    if (keys.length === 0) break;
    await core.command(source, 'MIGRATE', destination.server.host, String(destination.server.port), '', '0', '5000', 'REPLACE', 'KEYS', ...keys);
    moved += keys.length;
  }
  // Destination first, then the source, then everyone else (the order the cluster spec gives).
  await core.command(destination, 'CLUSTER', 'SETSLOT', text, 'NODE', destination.id);
  await core.command(source, 'CLUSTER', 'SETSLOT', text, 'NODE', destination.id);
  for (const other of primaries) if (other !== source && other !== destination) await core.command(other, 'CLUSTER', 'SETSLOT', text, 'NODE', destination.id);
  return moved;
}
