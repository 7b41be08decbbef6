import type { Clock } from '../../transport/clock.js';
import type { ClusterNode } from '../node.js';
import { nodeCaller } from '../node-caller.js';
import { redirectOf } from '../redirect.js';
import type { ClusterRouter } from '../router.js';

/**
 * Asks `node` whether it serves `channel`'s slot with EXISTS (a keyed read that touches nothing;
 * unlike SSUBSCRIBE, a replica answers it with MOVED): MOVED patches the map; a reply, or ASK (the
 * slot is still migrating away), says it serves. Every answer but a reply asks for a refresh.
 * With replica reads every connection has sent READONLY, so a replica serves the EXISTS too: then
 * ROLE must also say `master` (a demoted primary subscribed again would deliver its replication
 * stream, every message twice).
 */
export async function probeOwner(router: ClusterRouter, clock: Clock, timeoutMs: number, node: ClusterNode, channel: string): Promise<'served' | 'moved' | 'unknown'> {
  try {
    const caller = nodeCaller(node, clock, timeoutMs);
    await caller.call('EXISTS', channel);
    if (router.readsReplicas && !(await isPrimary(caller))) {
      router.refresher.request('probe');
      return 'unknown';
    }
    return 'served';
  } catch (error) {
    const redirect = redirectOf(error as Error, node.endpoint);
    router.refresher.request('probe');
    if (redirect?.kind === 'ask') return 'served';
    if (redirect?.kind !== 'moved') return 'unknown';
    router.assign(redirect.endpoint, [[redirect.slot, redirect.slot]]);
    return 'moved';
  }
}

/** ROLE's first element; a server that refuses ROLE (ACL) is taken at its EXISTS' word. */
async function isPrimary(caller: ReturnType<typeof nodeCaller>): Promise<boolean> {
  try {
    const role = await caller.call('ROLE');
    return !Array.isArray(role) || role[0] === 'master';
  } catch {
    return true;
  }
}

/** Whether `promise` settled within `ms`. */
export function within(promise: Promise<void>, ms: number, clock: Clock): Promise<boolean> {
  let timer: unknown;
  const late = new Promise<boolean>((resolve) => (timer = clock.setTimeout(() => resolve(false), ms)));
  return Promise.race([promise.then(() => true), late]).finally(() => clock.clearTimeout(timer));
}
