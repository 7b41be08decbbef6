/**
 * What the Stately inspector may see of machine contexts and events: plain data only, with
 * secrets and payloads taken out. Used as `sanitizeContext` / `sanitizeEvent` of
 * `createWebSocketInspector`, which hands over live objects: nothing here mutates its input.
 *
 * - a string, number or bigint under a key like password / auth / secret / token / credential /
 *   apiKey (at any depth below it) becomes `[redacted]`;
 * - in an array (a command), every string or Buffer after an `AUTH` element becomes `[redacted]`
 *   (`HELLO 3 AUTH user pass`, `AUTH pass`);
 * - a password in a URL (`redis://user:pass@host`) becomes `[redacted]`;
 * - Buffers and typed arrays (also as JSON: `{ type: 'Buffer', data: [...] }`) become
 *   `[Buffer n bytes]`: values are user data;
 * - Errors become `{ name, message }`, Dates ISO text, Maps objects, Sets arrays; objects with
 *   `toJSON` (actor refs) are sanitized as their JSON; other class instances (sockets, pipelines)
 *   become `[ClassName]`; functions `[Function name]`; cycles `[Circular]`; below MAX_DEPTH `[…]`.
 */
import type { AnyEventObject, MachineContext } from 'xstate';

export const REDACTED = '[redacted]';
export const MAX_DEPTH = 8;

const SENSITIVE_KEY = /passw(or)?d|passphrase|^pass$|pwd|auth|secret|token|credential|api[-_]?key|private[-_]?key/i;
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]+@/gi;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

export function sanitizeContext(context: MachineContext): MachineContext {
  const clean = sanitizeValue(context);
  return typeof clean === 'object' && clean !== null && !Array.isArray(clean) ? (clean as MachineContext) : {};
}

export function sanitizeEvent(event: AnyEventObject): AnyEventObject {
  const clean = sanitizeValue(event);
  return typeof clean === 'object' && clean !== null && !Array.isArray(clean) ? { ...(clean as Record<string, unknown>), type: event.type } : { type: event.type };
}

/** A JSON-friendly copy of `value` with the rules above applied. */
export function sanitizeValue(value: unknown): unknown {
  return walk(value, false, 0, new Set());
}

function walk(value: unknown, secret: boolean, depth: number, path: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
      return secret ? REDACTED : value.replace(URL_PASSWORD, `$1${REDACTED}@`);
    case 'number':
    case 'bigint':
      return secret ? REDACTED : typeof value === 'bigint' ? value.toString() : value;
    case 'boolean':
    case 'undefined':
      return value;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return null;
  const object = value as object;
  if (secret && (ArrayBuffer.isView(object) || object instanceof ArrayBuffer || isSerializedBuffer(object))) return REDACTED;
  if (ArrayBuffer.isView(object)) return `[${Buffer.isBuffer(object) ? 'Buffer' : object.constructor.name} ${object.byteLength} bytes]`;
  if (object instanceof ArrayBuffer) return `[ArrayBuffer ${object.byteLength} bytes]`;
  if (isSerializedBuffer(object)) return `[Buffer ${object.data.length} bytes]`;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
  if (path.has(object)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[…]';
  path.add(object);
  try {
    if (Array.isArray(object)) return walkArray(object, secret, depth, path);
    if (object instanceof Error) return { name: object.name, message: walk(object.message, secret, depth + 1, path) };
    if (object instanceof Map) return walkEntries([...object.entries()].map(([key, entry]) => [String(key), entry]), secret, depth, path);
    if (object instanceof Set) return walkArray([...object], secret, depth, path);
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk(toJSON.call(object), secret, depth + 1, path);
    const prototype = Object.getPrototypeOf(object) as object | null;
    if (prototype !== null && prototype !== Object.prototype) return `[${(object.constructor as { name?: string } | undefined)?.name || 'Object'}]`;
    return walkEntries(Object.entries(object), secret, depth, path);
  } finally {
    path.delete(object);
  }
}

function walkArray(items: readonly unknown[], secret: boolean, depth: number, path: Set<object>): unknown[] {
  let afterAuth = false;
  return items.map((item) => {
    const clean = walk(item, secret || (afterAuth && (typeof item === 'string' || ArrayBuffer.isView(item))), depth + 1, path);
    if (typeof item === 'string' && item.toUpperCase() === 'AUTH') afterAuth = true;
    return clean;
  });
}

function walkEntries(entries: Array<[string, unknown]>, secret: boolean, depth: number, path: Set<object>): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const [key, entry] of entries) clean[key] = walk(entry, secret || isSensitiveKey(key), depth + 1, path);
  return clean;
}

function isSerializedBuffer(object: object): object is { type: 'Buffer'; data: unknown[] } {
  const candidate = object as { type?: unknown; data?: unknown };
  return candidate.type === 'Buffer' && Array.isArray(candidate.data) && Object.keys(object).length === 2;
}
