/**
 * RESP3 push frames for maintenance notifications, byte for byte as a managed server writes them
 * (see SPEC §3): the type and string fields as bulk strings, seq and time as integers, a missing
 * endpoint as RESP3 null, shard lists as a bulk string holding a JSON array.
 */
import type { EndpointType } from './types.js';

/** One element of a push frame: a string, an integer, or null. */
export type PushElement = string | number | null;

export type NotificationType = 'MOVING' | 'MIGRATING' | 'MIGRATED' | 'FAILING_OVER' | 'FAILED_OVER';

function bulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

/** Encodes a push frame: strings as bulk strings, numbers as integers, null as `_`. */
export function encodePush(elements: readonly PushElement[]): Buffer {
  let out = `>${elements.length}\r\n`;
  for (const element of elements) {
    if (element === null) out += '_\r\n';
    else if (typeof element === 'number') out += `:${Math.trunc(element)}\r\n`;
    else out += bulk(element);
  }
  return Buffer.from(out);
}

/** The endpoint text a connection asked for: IP or name form, or null for `none`. */
export function formatEndpoint(type: EndpointType, port: number): string | null {
  switch (type) {
    case 'internal-ip':
    case 'external-ip':
      return `127.0.0.1:${port}`;
    case 'internal-fqdn':
    case 'external-fqdn':
      return `localhost:${port}`;
    case 'none':
      return null;
  }
}

/** Announced times are whole seconds on the wire; a fraction rounds up so that a client is never told too little. */
export function wireSeconds(seconds: number): number {
  return Math.max(0, Math.ceil(seconds - 1e-9));
}

/** A MOVING push frame naming `port` in the form `type` asks for (null endpoint for `none`). */
export function movingFrame(seq: number, timeS: number, port: number, type: EndpointType): Buffer {
  return encodePush(['MOVING', seq, wireSeconds(timeS), formatEndpoint(type, port)]);
}

/** A MIGRATING push frame. */
export function migratingFrame(seq: number, timeS: number, shards: readonly string[]): Buffer {
  return encodePush(['MIGRATING', seq, wireSeconds(timeS), JSON.stringify(shards)]);
}

/** A MIGRATED push frame. */
export function migratedFrame(seq: number, shards: readonly string[]): Buffer {
  return encodePush(['MIGRATED', seq, JSON.stringify(shards)]);
}

/** A FAILING_OVER push frame. */
export function failingOverFrame(seq: number, timeS: number, shards: readonly string[]): Buffer {
  return encodePush(['FAILING_OVER', seq, wireSeconds(timeS), JSON.stringify(shards)]);
}

/** A FAILED_OVER push frame. */
export function failedOverFrame(seq: number, shards: readonly string[]): Buffer {
  return encodePush(['FAILED_OVER', seq, JSON.stringify(shards)]);
}

/**
 * A notification a client cannot read: valid RESP (so it never corrupts the stream) whose seq is
 * not a number. A client must report it and carry on.
 */
export function malformedFrame(type: NotificationType): Buffer {
  switch (type) {
    case 'MOVING':
      return encodePush(['MOVING', 'not-a-number', 'soon', '127.0.0.1:notaport']);
    case 'MIGRATED':
    case 'FAILED_OVER':
      return encodePush([type, 'not-a-number']);
    default:
      return encodePush([type, 'not-a-number', 'soon']);
  }
}
