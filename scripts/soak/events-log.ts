/** The lifecycle events worth a line in the soak's log (what went wrong, and where), stamped with the time. */
import type { LifecycleEvent, MaintClient } from '../../src/index.js';

const NOTEWORTHY = new Set(['connection.lost', 'handoff.failed', 'handoff.fellBack', 'pubsub.lost', 'pubsub.moveFailed']);

export function logEvents(client: MaintClient, label: string, log: (line: string) => void): void {
  client.events$.subscribe((event: LifecycleEvent) => {
    if (!NOTEWORTHY.has(event.type) && !(event.type === 'pubsub.moved' && !event.exact)) return;
    const { type, at: _at, ...rest } = event as LifecycleEvent & { at?: number };
    log(`  ${new Date().toISOString()} [${label}] ${type} ${JSON.stringify(rest)}`);
  });
}
