/**
 * Where a migrating slot is going, from its source's `CLUSTER NODES` (the `myself` line lists
 * `[slot->-<node id>]` while the slot is MIGRATING). SMIGRATING names the slots but not their
 * destination; knowing it lets the subscriber SSUBSCRIBE there (after ASKING) before the slot moves.
 */
import { parseEndpoint, type Endpoint } from '../../protocol/endpoint.js';

/** The address of the node `slot` is migrating to, per this CLUSTER NODES text from the source; null when it is not migrating. */
export function migrationTarget(nodes: string, slot: number): Endpoint | null {
  const lines = nodes.split('\n');
  const mine = lines.find((line) => line.split(' ')[2]?.split(',').includes('myself'));
  if (mine === undefined) return null;
  const marker = `[${slot}->-`;
  const entry = mine.split(' ').slice(8).find((field) => field.startsWith(marker));
  if (entry === undefined) return null;
  const id = entry.slice(marker.length, -1);
  const line = lines.find((candidate) => candidate.startsWith(`${id} `));
  // `ip:port@cport[,hostname]`
  const address = line?.split(' ')[1]?.split('@')[0];
  if (address === undefined) return null;
  const parsed = parseEndpoint(address);
  return parsed.kind === 'endpoint' ? parsed.endpoint : null;
}
