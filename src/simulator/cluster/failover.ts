/**
 * failover: a primary's replica takes over (`CLUSTER FAILOVER` on the replica), told either as
 * managed Redis tells it (FAILING_OVER to the primary's connections, FAILED_OVER once the
 * replica serves) or as the OSS cluster API does (SMIGRATING of the primary's slots, SMIGRATED
 * `[primary, replica, slots]` to every connection). Connections that opt in meanwhile on the
 * primary are told too.
 */
import type { AdminValue } from '../admin-client.js';
import { failedOverFrame, failingOverFrame } from '../push-frames.js';
import { waitFor } from '../timing.js';
import { lateJoiners, ranges, tell, type ClusterCore, type ClusterNode } from './core.js';
import { smigratedFrame, smigratingFrame } from './frames.js';
import type { ClusterFailoverParameters } from './types.js';

export async function failover(core: ClusterCore, parameters: ClusterFailoverParameters): Promise<{ promoted: string }> {
  const primary = core.node(parameters.node);
  const target = await replicaOf(core, primary);
  if (target === undefined) throw new Error(`cluster simulator: ${primary.endpoint} has no replica to fail over to`);
  const owners = await core.owners();
  const slots = ranges(owners.flatMap((owner, slot) => (owner === primary ? [slot] : [])));
  const oss = parameters.notifications === 'smigrated';
  if (oss && slots.length === 0) throw new Error(`cluster simulator: ${primary.endpoint} serves no slot`);
  const seq = core.nextSeq();
  const opening = oss ? smigratingFrame(seq, slots) : failingOverFrame(seq, 2, [primary.id]);
  const type = oss ? 'SMIGRATING' : 'FAILING_OVER';
  tell(primary, type, seq, opening);
  const close = lateJoiners([primary], type, seq, () => opening);
  core.step(`${type.toLowerCase()}-sent`, { seq, node: primary.endpoint });
  try {
    await core.command(target, 'CLUSTER', 'FAILOVER', ...(parameters.force ? ['FORCE'] : []));
    await waitFor(async () => String(((await core.command(target, 'ROLE')) as AdminValue[])[0]).startsWith('master'), 10_000, 'cluster simulator: the replica was not promoted in time', core.signal);
    await core.spawned.waitForConvergence(10_000);
  } finally {
    close();
  }
  const closing = core.nextSeq();
  if (oss) {
    const frame = smigratedFrame(closing, [{ source: primary.endpoint, destination: target.endpoint, slots }]);
    for (const node of core.nodes) tell(node, 'SMIGRATED', closing, frame);
  } else {
    const frame = failedOverFrame(closing, [primary.id]);
    tell(primary, 'FAILED_OVER', closing, frame);
    tell(target, 'FAILED_OVER', closing, frame);
  }
  core.step(oss ? 'smigrated-sent' : 'failed_over-sent', { seq: closing, promoted: target.endpoint });
  return { promoted: target.endpoint };
}

/** A healthy replica of `primary`, as its CLUSTER NODES says. */
export async function replicaOf(core: ClusterCore, primary: ClusterNode): Promise<ClusterNode | undefined> {
  const text = String(await core.command(primary, 'CLUSTER', 'NODES'));
  for (const line of text.split('\n')) {
    const [id, , flags, master] = line.split(' ');
    if (master === primary.id && flags?.includes('slave') && !flags.includes('fail')) return core.nodes.find((node) => node.id === id);
  }
  return undefined;
}
