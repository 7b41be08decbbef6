import type { RespValue } from './types.js';

export type ResolvedEndpointType = 'internal-ip' | 'internal-fqdn' | 'external-ip' | 'external-fqdn' | 'none';
/** What was detected about an endpoint's support for maintenance notifications. */
export type MaintSupport = 'unknown' | 'supported' | 'unsupported';

export interface HandshakeSpec {
  protocol: 2 | 3;
  username?: string | undefined;
  password?: string | undefined;
  database: number;
  clientName?: string | undefined;
  libName: string;
  libVersion: string;
  /** Whether to send CLIENT MAINT_NOTIFICATIONS: mode ≠ disabled, RESP3, and the endpoint not known to reject it. */
  maintOptIn: false | { mode: 'enabled' | 'auto'; endpointType: ResolvedEndpointType };
  /** CLIENT TRACKING ON (client-side caching, RESP3 default mode): before the connection serves a read. */
  tracking?: boolean;
  /** READONLY (a cluster reading from replicas: the node serves reads of its primary's slots). */
  readOnly?: boolean;
}

export type HandshakeRole = 'hello' | 'auth' | 'select' | 'setname' | 'tracking' | 'readonly' | 'maint' | 'lib-name' | 'lib-ver';

export interface HandshakeStep {
  role: HandshakeRole;
  args: string[];
}

/** A reply as the handshake sees it: a value, or the server's error text. */
export type HandshakeReply = { ok: true; value: RespValue } | { ok: false; message: string };

export type HandshakeOutcome =
  /** `clientId`: the server's id of this connection, from the HELLO reply (for CLIENT UNBLOCK). */
  | { kind: 'ready'; protocol: 2 | 3; maint: MaintSupport; maintRejection?: string; clientId?: number }
  /** HELLO is unknown to this server: run `steps` (RESP2 AUTH/SELECT/SETNAME) next, then interpret again. */
  | { kind: 'fallback'; steps: HandshakeStep[] }
  | { kind: 'failed'; code: 'ERR_AUTH' | 'ERR_HANDSHAKE' | 'ERR_MAINT_UNSUPPORTED'; message: string };

/**
 * The whole handshake as one pipelined round trip (SPEC §2). The opt-in is pipelined behind
 * HELLO; should HELLO fail, its reply is disregarded and nothing is recorded for the endpoint.
 */
export function handshakeSteps(spec: HandshakeSpec): HandshakeStep[] {
  const steps: HandshakeStep[] = [];
  if (spec.protocol === 3) {
    const hello = ['HELLO', '3'];
    if (spec.password !== undefined) hello.push('AUTH', spec.username ?? 'default', spec.password);
    if (spec.clientName !== undefined) hello.push('SETNAME', spec.clientName);
    steps.push({ role: 'hello', args: hello });
  } else {
    steps.push(...resp2Steps(spec).filter((step) => step.role !== 'select'));
  }
  if (spec.database !== 0) steps.push({ role: 'select', args: ['SELECT', String(spec.database)] });
  if (spec.protocol === 3 && spec.tracking === true) steps.push({ role: 'tracking', args: ['CLIENT', 'TRACKING', 'ON'] });
  if (spec.protocol === 3 && spec.readOnly === true) steps.push({ role: 'readonly', args: ['READONLY'] });
  if (spec.protocol === 3 && spec.maintOptIn !== false) {
    steps.push({ role: 'maint', args: ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', spec.maintOptIn.endpointType] });
  }
  steps.push({ role: 'lib-name', args: ['CLIENT', 'SETINFO', 'LIB-NAME', spec.libName] });
  steps.push({ role: 'lib-ver', args: ['CLIENT', 'SETINFO', 'LIB-VER', spec.libVersion] });
  return steps;
}

function resp2Steps(spec: HandshakeSpec): HandshakeStep[] {
  const steps: HandshakeStep[] = [];
  if (spec.password !== undefined) {
    steps.push({ role: 'auth', args: spec.username === undefined ? ['AUTH', spec.password] : ['AUTH', spec.username, spec.password] });
  }
  if (spec.database !== 0) steps.push({ role: 'select', args: ['SELECT', String(spec.database)] });
  if (spec.clientName !== undefined) steps.push({ role: 'setname', args: ['CLIENT', 'SETNAME', spec.clientName] });
  if (spec.readOnly === true) steps.push({ role: 'readonly', args: ['READONLY'] });
  return steps;
}

/** Decides what the replies to `steps` mean. `fallbackDone` is true when interpreting the RESP2 fallback round. */
export function interpretHandshake(spec: HandshakeSpec, steps: HandshakeStep[], replies: HandshakeReply[], fallbackDone = false): HandshakeOutcome {
  const replyOf = (role: HandshakeRole) => {
    const index = steps.findIndex((step) => step.role === role);
    return index === -1 ? undefined : replies[index];
  };
  // Refused credentials (a wrong password, a revoked or disabled user) fail HELLO or AUTH; no
  // password where one is needed shows as NOAUTH on whatever comes first (RESP2 has no HELLO).
  // A NOPERM elsewhere is a restricted user's missing command, not a refusal of its credentials.
  const refusal = steps.findIndex((step, i) => {
    const reply = replies[i];
    if (reply === undefined || reply.ok) return false;
    return step.role === 'hello' || step.role === 'auth' ? isAuthFailure(reply.message) : /^NOAUTH\b/.test(reply.message);
  });
  const refused = replies[refusal];
  if (refused !== undefined && !refused.ok) return { kind: 'failed', code: 'ERR_AUTH', message: `Authentication failed: ${withoutArguments(refused.message)}` };
  const hello = replyOf('hello');
  if (hello !== undefined && !hello.ok) {
    if (spec.maintOptIn !== false && spec.maintOptIn.mode === 'enabled') {
      return { kind: 'failed', code: 'ERR_MAINT_UNSUPPORTED', message: `Maintenance notifications need RESP3, but HELLO 3 failed: ${withoutArguments(hello.message)}` };
    }
    if (spec.tracking === true) return { kind: 'failed', code: 'ERR_HANDSHAKE', message: `Client-side caching needs RESP3 (invalidation pushes), but HELLO 3 failed: ${withoutArguments(hello.message)}` };
    return { kind: 'fallback', steps: resp2Steps(spec) };
  }
  for (const role of ['auth', 'select', 'setname', 'tracking', 'readonly'] as const) {
    const reply = replyOf(role);
    if (reply !== undefined && !reply.ok) {
      return { kind: 'failed', code: 'ERR_HANDSHAKE', message: `${role.toUpperCase()} failed during the handshake: ${reply.message}` };
    }
  }
  const protocol = fallbackDone || spec.protocol === 2 ? 2 : 3;
  const helloId = hello?.ok === true && typeof hello.value === 'object' && hello.value !== null ? (hello.value as Record<string, unknown>)['id'] : undefined;
  const id = typeof helloId === 'number' ? { clientId: helloId } : {};
  const maint = replyOf('maint');
  if (maint === undefined) return { kind: 'ready', protocol, maint: 'unknown', ...id };
  if (maint.ok) return { kind: 'ready', protocol, maint: 'supported', ...id };
  if (spec.maintOptIn !== false && spec.maintOptIn.mode === 'enabled') {
    return { kind: 'failed', code: 'ERR_MAINT_UNSUPPORTED', message: `The server rejected CLIENT MAINT_NOTIFICATIONS: ${maint.message}` };
  }
  return { kind: 'ready', protocol, maint: 'unsupported', maintRejection: maint.message, ...id };
}

function isAuthFailure(message: string): boolean {
  return /^(WRONGPASS|NOAUTH|NOPERM)\b/.test(message) || /invalid (username|password)/i.test(message) || /called without any password configured/i.test(message);
}

/**
 * A server's error text without the arguments it may quote: a server that does not know HELLO
 * answers "ERR unknown command 'HELLO', with args beginning with: '3' 'AUTH' 'user' '<password>'".
 */
function withoutArguments(message: string): string {
  const at = message.search(/,? with args beginning with/i);
  return at === -1 ? message : `${message.slice(0, at)} (arguments not shown)`;
}
