/**
 * Maintenance push notifications (SPEC §3): one decoded push frame in, one classification out.
 * Lenient about what servers are known to vary (integers as numeric strings, JSON or comma shard
 * lists, older SMIGRATED forms, unknown trailing elements); never throws, whatever the input.
 */
import { parseEndpoint, type Endpoint } from './endpoint.js';
import type { RespValue } from './types.js';

/** An inclusive range of cluster slots. */
export type SlotRange = readonly [from: number, to: number];

/** Slots that moved from `source` (null when not given) to `destination` (SMIGRATED). */
export type SlotMove = { source: Endpoint | null; destination: Endpoint; slots: SlotRange[] };

/** A parsed maintenance notification (SPEC §3). */
export type MaintenanceNotification =
  | { type: 'MOVING'; seq: number; timeS: number; endpoint: Endpoint | null }
  | { type: 'MIGRATING'; seq: number; timeS: number; shards: string[] }
  | { type: 'MIGRATED'; seq: number; shards: string[] }
  | { type: 'FAILING_OVER'; seq: number; timeS: number; shards: string[] }
  | { type: 'FAILED_OVER'; seq: number; shards: string[] }
  | { type: 'SMIGRATING'; seq: number; slots: SlotRange[] }
  | { type: 'SMIGRATED'; seq: number; moves: SlotMove[] };

/** The type of a maintenance notification: MOVING, MIGRATING, MIGRATED, FAILING_OVER, FAILED_OVER, SMIGRATING, SMIGRATED. */
export type MaintenanceNotificationType = MaintenanceNotification['type'];

export type PushClassification =
  | { kind: 'maintenance'; notification: MaintenanceNotification }
  | { kind: 'invalid'; type: MaintenanceNotificationType; reason: string }
  | { kind: 'other'; type: string };

const MAINTENANCE_TYPES: ReadonlySet<string> = new Set<MaintenanceNotificationType>([
  'MOVING',
  'MIGRATING',
  'MIGRATED',
  'FAILING_OVER',
  'FAILED_OVER',
  'SMIGRATING',
  'SMIGRATED',
]);

export const MAX_SLOT = 16383;

export function isMaintenanceType(type: string): type is MaintenanceNotificationType {
  return MAINTENANCE_TYPES.has(type);
}

/** Thrown inside the parser only; always caught in classifyPush. */
class Malformed {
  constructor(readonly reason: string) {}
}

export function classifyPush(frame: readonly RespValue[]): PushClassification {
  const head: unknown = Array.isArray(frame) ? frame[0] : undefined;
  const type = typeof head === 'string' ? head : '';
  if (!isMaintenanceType(type)) return { kind: 'other', type };
  try {
    return { kind: 'maintenance', notification: parse(type, frame) };
  } catch (error) {
    // Anything other than Malformed would be a parser bug; it still must not escape (SPEC §3).
    const reason = error instanceof Malformed ? error.reason : 'unreadable frame';
    return { kind: 'invalid', type, reason };
  }
}

function parse(type: MaintenanceNotificationType, frame: readonly RespValue[]): MaintenanceNotification {
  const seq = readInt(frame[1], 'seq');
  switch (type) {
    case 'MOVING':
      return { type, seq, timeS: readInt(frame[2], 'timeS'), endpoint: readMovingEndpoint(frame[3]) };
    case 'MIGRATING':
    case 'FAILING_OVER':
      return { type, seq, timeS: readInt(frame[2], 'timeS'), shards: readShards(frame[3]) };
    case 'MIGRATED':
    case 'FAILED_OVER':
      return { type, seq, shards: readShards(frame[2]) };
    case 'SMIGRATING':
      return { type, seq, slots: frame[2] === undefined || frame[2] === null ? [] : readSlots(frame[2]) };
    case 'SMIGRATED':
      return { type, seq, moves: readMoves(frame[2], frame[3]) };
  }
}

/** A non-negative safe integer, as a RESP integer, a numeric string or a bigint. */
function readInt(value: RespValue | undefined, field: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  if (typeof value === 'bigint' && value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  throw new Malformed(value === undefined ? `${field} is missing` : `${field} is not a non-negative integer`);
}

function readMovingEndpoint(value: RespValue | undefined): Endpoint | null {
  if (value !== null && value !== undefined && typeof value !== 'string') throw new Malformed('endpoint is not a string');
  const parsed = parseEndpoint(value);
  if (parsed.kind === 'invalid') throw new Malformed(`endpoint: ${parsed.reason}`);
  return parsed.kind === 'endpoint' ? parsed.endpoint : null;
}

function readDestination(value: RespValue | undefined, field: string): Endpoint {
  const parsed = typeof value === 'string' ? parseEndpoint(value) : undefined;
  if (parsed?.kind === 'endpoint') return parsed.endpoint;
  throw new Malformed(`${field}: ${parsed?.kind === 'invalid' ? parsed.reason : 'not a host:port string'}`);
}

function readSource(value: RespValue | undefined): Endpoint | null {
  if (value !== null && typeof value !== 'string') throw new Malformed('source: not a host:port string');
  const parsed = parseEndpoint(value);
  if (parsed.kind === 'invalid') throw new Malformed(`source: ${parsed.reason}`);
  return parsed.kind === 'endpoint' ? parsed.endpoint : null;
}

/** A JSON array string, a comma list, a RESP array, or a single id; absent/null/empty → []. */
function readShards(value: RespValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'number' || typeof value === 'bigint') return [String(value)];
  if (Array.isArray(value)) return value.map(shardId);
  if (typeof value !== 'string') throw new Malformed('shards is not a list');
  const text = value.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Malformed('shards is not valid JSON');
    }
    if (!Array.isArray(parsed)) throw new Malformed('shards JSON is not an array');
    return parsed.map(shardId);
  }
  return text.split(',').map((id) => id.trim()).filter((id) => id !== '');
}

function shardId(value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new Malformed('a shard id is not a string or number');
}

/** `"123,456,789-1000"` (or a RESP array of such parts) → inclusive ranges, each within 0..16383. */
function readSlots(value: RespValue | undefined): SlotRange[] {
  if (value === undefined) throw new Malformed('slots are missing');
  const parts = Array.isArray(value) ? value : [value];
  const ranges: SlotRange[] = [];
  for (const part of parts) {
    if (typeof part === 'number') {
      ranges.push(slotRange(String(part)));
      continue;
    }
    if (typeof part !== 'string') throw new Malformed('slots is not a string');
    for (const piece of part.split(',')) {
      const text = piece.trim();
      if (text !== '') ranges.push(slotRange(text));
    }
  }
  return ranges;
}

function slotRange(text: string): SlotRange {
  const match = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(text);
  if (match === null) throw new Malformed(`slot ${quote(text)} is not a slot or range`);
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  if (to > MAX_SLOT) throw new Malformed(`slot ${quote(text)} is outside 0..${MAX_SLOT}`);
  if (from > to) throw new Malformed(`slot range ${quote(text)} is reversed`);
  return [from, to];
}

/**
 * SMIGRATED forms: `[seq, [[src, dst, slots], …]]` (current), `[seq, [[dst, slots], …]]` and
 * `[seq, dst, slots]` (older). Absent → no moves.
 */
function readMoves(list: RespValue | undefined, flatSlots: RespValue | undefined): SlotMove[] {
  if (list === undefined || list === null) return [];
  if (typeof list === 'string') {
    return [{ source: null, destination: readDestination(list, 'destination'), slots: readSlots(flatSlots) }];
  }
  if (!Array.isArray(list)) throw new Malformed('moves is not a list');
  return list.map((entry, index): SlotMove => {
    if (!Array.isArray(entry)) throw new Malformed(`move ${index} is not a list`);
    if (entry.length === 2) {
      return { source: null, destination: readDestination(entry[0], `move ${index} destination`), slots: readSlots(entry[1]) };
    }
    if (entry.length < 3) throw new Malformed(`move ${index} has ${entry.length} elements`);
    return {
      source: readSource(entry[0]),
      destination: readDestination(entry[1], `move ${index} destination`),
      slots: readSlots(entry[2]),
    };
  });
}

function quote(text: string): string {
  return JSON.stringify(text.length > 32 ? `${text.slice(0, 29)}...` : text);
}
