/** One log line per simulator event (the CLI writes them on stderr); cluster events name their node. */
import type { ClusterSimulatorEvent } from './cluster/types.js';
import type { SimulatorEvent } from './types.js';

export function describeEvent(event: SimulatorEvent | ClusterSimulatorEvent): string {
  const time = new Date(event.at).toISOString().slice(11, 23);
  const node = 'node' in event && typeof event.node === 'string' ? `[${event.node}] ` : '';
  switch (event.type) {
    case 'action.started':
      return `${time} action ${event.action} ${event.actionId} started ${JSON.stringify(event.parameters)}`;
    case 'action.step':
      return `${time} action ${event.action} ${event.actionId}: ${event.step} ${JSON.stringify(event.detail ?? {})}`;
    case 'action.finished':
      return `${time} action ${event.action} ${event.actionId} ${event.status}${event.error ? `: ${event.error}` : ''}`;
    case 'frame.sent':
      return `${time} ${node}${event.connectionId}@${event.endpoint} <- ${event.frameType}${event.seq === null ? '' : ` seq ${event.seq}`} (${event.bytes.length} bytes)`;
    case 'connection.opened':
      return `${time} ${node}${event.connectionId}@${event.endpoint} opened from ${event.remote}`;
    case 'connection.optedIn':
      return `${time} ${node}${event.connectionId}@${event.endpoint} maintenance notifications ${event.endpointType ?? 'off'}`;
    case 'connection.closed':
      return `${time} ${node}${event.connectionId}@${event.endpoint} closed (${event.reason})`;
    case 'endpoint.state':
      return `${time} ${node}endpoint ${event.endpoint} ${event.state}`;
  }
}
