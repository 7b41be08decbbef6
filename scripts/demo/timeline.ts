/** One line of text for each lifecycle event worth showing on the timeline. */
import type { LifecycleEvent, MaintenanceNotification } from '../../src/index.js';

/** How an entry is coloured: drill steps, notifications, good news, trouble. */
export type Tone = 'info' | 'drill' | 'notify' | 'good' | 'warn' | 'bad';

export interface Described {
  kind: 'notification' | 'handoff' | 'relax' | 'connection' | 'endpoint';
  tone: Tone;
  /** Marked on the charts: the notification type, `handoff`, or null. */
  tag: string | null;
  text: string;
}

export function describeNotification(n: MaintenanceNotification): string {
  switch (n.type) {
    case 'MOVING':
      return `MOVING #${n.seq} → ${n.endpoint === null ? 'same address (none)' : `${n.endpoint.host}:${n.endpoint.port}`} within ${n.timeS} s`;
    case 'MIGRATING':
    case 'FAILING_OVER':
      return `${n.type} #${n.seq} shards ${n.shards.join(',')} for ${n.timeS} s`;
    case 'MIGRATED':
    case 'FAILED_OVER':
      return `${n.type} #${n.seq} shards ${n.shards.join(',')}`;
    case 'SMIGRATING':
      return `SMIGRATING #${n.seq} ${n.slots.length} slot ranges`;
    case 'SMIGRATED':
      return `SMIGRATED #${n.seq} ${n.moves.length} moves`;
  }
}

export function describeEvent(event: LifecycleEvent): Described | null {
  switch (event.type) {
    case 'notification.received':
      return { kind: 'notification', tone: 'notify', tag: event.notification.type, text: `${describeNotification(event.notification)} on ${event.connectionId}` };
    case 'notification.ignored':
      return { kind: 'notification', tone: 'info', tag: null, text: `${event.notification.type} #${event.notification.seq} ignored on ${event.connectionId} (${event.reason})` };
    case 'notification.invalid':
      return { kind: 'notification', tone: 'warn', tag: null, text: `invalid ${event.notificationType} on ${event.connectionId}: ${event.reason}` };
    case 'handoff.queued':
      return null;
    case 'handoff.started':
      return { kind: 'handoff', tone: 'info', tag: null, text: `handoff ${event.connectionId} started ${event.from} → ${event.to}` };
    case 'handoff.retried':
      return { kind: 'handoff', tone: 'warn', tag: null, text: `handoff ${event.connectionId} retry ${event.attempt} → ${event.to}: ${event.reason}` };
    case 'handoff.succeeded':
      return { kind: 'handoff', tone: 'good', tag: 'handoff', text: `handoff ${event.connectionId} done in ${event.durationMs.toFixed(1)} ms → ${event.to}` };
    case 'handoff.failed':
      return { kind: 'handoff', tone: 'bad', tag: 'handoff-failed', text: `handoff ${event.connectionId} → ${event.to} failed after ${event.attempts} attempts: ${event.reason}` };
    case 'handoff.fellBack':
      return { kind: 'handoff', tone: 'warn', tag: null, text: `handoff ${event.connectionId} fell back to a reconnect (${event.reason})` };
    case 'connection.relaxed':
      return { kind: 'relax', tone: 'info', tag: null, text: `${event.connectionId} relaxed to ${event.timeoutMs} ms (${event.source})` };
    case 'connection.unrelaxed':
      return { kind: 'relax', tone: 'info', tag: null, text: `${event.connectionId} unrelaxed (${event.source}: ${event.reason})` };
    case 'connection.created':
      return { kind: 'connection', tone: 'info', tag: null, text: `${event.connectionId} created → ${event.endpoint}${event.dedicated ? ' (dedicated)' : ''}` };
    case 'connection.ready':
      return { kind: 'connection', tone: 'good', tag: null, text: `${event.connectionId} ready on ${event.endpoint}` };
    case 'connection.lost':
      return { kind: 'connection', tone: 'warn', tag: null, text: `${event.connectionId} lost on ${event.endpoint}: ${event.reason}` };
    case 'connection.reconnecting':
      return { kind: 'connection', tone: 'warn', tag: null, text: `${event.connectionId} reconnecting to ${event.endpoint} (attempt ${event.attempt}, in ${event.delayMs} ms)` };
    case 'connection.closed':
      return { kind: 'connection', tone: 'info', tag: null, text: `${event.connectionId} closed on ${event.endpoint}` };
    case 'endpoint.moved':
      return { kind: 'endpoint', tone: 'notify', tag: null, text: `pool endpoint ${event.from} → ${event.to} (MOVING #${event.seq})` };
    case 'endpoint.support':
      return { kind: 'endpoint', tone: 'info', tag: null, text: `${event.endpoint}: maintenance notifications ${event.support}${event.reason === undefined ? '' : ` (${event.reason})`}` };
    case 'pool.resized':
      return { kind: 'connection', tone: 'info', tag: null, text: `pool size ${event.size} (+${event.dedicated} dedicated)` };
    case 'command.carried':
      return { kind: 'handoff', tone: 'good', tag: null, text: `${event.command} on ${event.connectionId} carried ${event.from} → ${event.to}` };
    case 'pubsub.connected':
      return { kind: 'connection', tone: 'good', tag: null, text: `subscriber socket ready on ${event.endpoint}` };
    case 'pubsub.lost':
      return { kind: 'connection', tone: 'warn', tag: null, text: `subscriber socket lost on ${event.endpoint}: ${event.reason}` };
    case 'pubsub.resubscribed':
      return { kind: 'connection', tone: 'warn', tag: null, text: `resubscribed on ${event.endpoint} after ${event.downtimeMs.toFixed(0)} ms (messages in between are gone)` };
    case 'pubsub.moved':
      return { kind: 'handoff', tone: event.exact ? 'good' : 'warn', tag: null, text: `subscriber moved ${event.from} → ${event.to} in ${event.durationMs.toFixed(1)} ms${event.exact ? ' (fenced: exactly once)' : ` (${event.reason ?? 'not fenced'})`}` };
    case 'pubsub.moveFailed':
      return { kind: 'handoff', tone: 'bad', tag: null, text: `subscriber move → ${event.to} failed: ${event.reason}` };
  }
}
