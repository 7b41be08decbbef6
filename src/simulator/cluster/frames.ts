/**
 * Cluster maintenance push frames (SPEC §3), byte for byte: SMIGRATING `seq slots` and SMIGRATED
 * in its current triplet form `seq [[src, dst, slots], …]` and the two older forms.
 */
/** Slots and [first, last] ranges. */
export type SlotList = ReadonlyArray<number | readonly [number, number]>;

function bulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

/** `123,456,789-1000`. */
export function slotText(slots: SlotList): string {
  return slots.map((slot) => (typeof slot === 'number' ? String(slot) : slot[0] === slot[1] ? String(slot[0]) : `${slot[0]}-${slot[1]}`)).join(',');
}

/** Fault: an SMIGRATING / SMIGRATED whose seq and slots are garbage (a client must report and ignore it). */
export function malformedClusterFrame(type: 'SMIGRATING' | 'SMIGRATED'): Buffer {
  return Buffer.from(`>3\r\n${bulk(type)}${bulk('not-a-number')}${bulk('slots?')}`);
}

/** `SMIGRATING seq slots`. */
export function smigratingFrame(seq: number, slots: SlotList): Buffer {
  return Buffer.from(`>3\r\n${bulk('SMIGRATING')}:${seq}\r\n${bulk(slotText(slots))}`);
}

/** One `[src, dst, slots]` triplet. */
export interface SlotMoveText {
  source: string;
  destination: string;
  slots: SlotList;
}

/** The current form: `SMIGRATED seq [[src, dst, slots], …]`. */
export function smigratedFrame(seq: number, moves: readonly SlotMoveText[]): Buffer {
  let out = `>3\r\n${bulk('SMIGRATED')}:${seq}\r\n*${moves.length}\r\n`;
  for (const move of moves) out += `*3\r\n${bulk(move.source)}${bulk(move.destination)}${bulk(slotText(move.slots))}`;
  return Buffer.from(out);
}

/** The older flat form: `SMIGRATED seq dst slots`. */
export function smigratedFlatFrame(seq: number, destination: string, slots: SlotList): Buffer {
  return Buffer.from(`>4\r\n${bulk('SMIGRATED')}:${seq}\r\n${bulk(destination)}${bulk(slotText(slots))}`);
}

/** The older nested-pairs form: `SMIGRATED seq [[dst, slots], …]`. */
export function smigratedPairsFrame(seq: number, moves: ReadonlyArray<{ destination: string; slots: SlotList }>): Buffer {
  let out = `>3\r\n${bulk('SMIGRATED')}:${seq}\r\n*${moves.length}\r\n`;
  for (const move of moves) out += `*2\r\n${bulk(move.destination)}${bulk(slotText(move.slots))}`;
  return Buffer.from(out);
}
