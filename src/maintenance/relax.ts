/** Notifications that open a relaxation, and the one that closes each. */
export type RelaxFamily = 'MIGRATING' | 'FAILING_OVER' | 'SMIGRATING';
/** Why a relaxation ended: its closing notification, its backstop, or the post-handoff window ran out. */
export type RelaxReason = 'closing-notification' | 'backstop' | 'post-handoff-expired';

export const CLOSING_NOTIFICATION: Record<'MIGRATED' | 'FAILED_OVER' | 'SMIGRATED', RelaxFamily> = {
  MIGRATED: 'MIGRATING',
  FAILED_OVER: 'FAILING_OVER',
  SMIGRATED: 'SMIGRATING',
};

export function relaxSource(family: RelaxFamily, seq: number): string {
  return `${family}:${seq}`;
}

export function addRelaxSource(sources: Record<string, number>, source: string, backstopMs: number): Record<string, number> {
  return { ...sources, [source]: backstopMs };
}

/**
 * Ends the relaxation a closing notification answers: the source with the same seq, or — when
 * the server numbered them differently — every open source of that family.
 */
export function removeRelaxSources(sources: Record<string, number>, family: RelaxFamily, seq: number): { sources: Record<string, number>; removed: string[] } {
  const exact = relaxSource(family, seq);
  const removed = exact in sources ? [exact] : Object.keys(sources).filter((source) => source.startsWith(`${family}:`));
  if (removed.length === 0) return { sources, removed };
  const rest = { ...sources };
  for (const source of removed) delete rest[source];
  return { sources: rest, removed };
}
