/**
 * bind: a node's address moves. A new front door (a new port) leads to the node's other proxy
 * endpoint; the connections that came through the old door are told MOVING to it (with the time
 * left, also those that opt in there later), then the node announces it (`cluster-announce-port`)
 * and the action waits until every node's CLUSTER NODES names it. At `closeS` the old door stops
 * accepting and cuts its client connections; the node's replication links stay up.
 */
import { notify } from '../actions/notify.js';
import { formatEndpoint, movingFrameTo } from '../push-frames.js';
import { delay } from '../timing.js';
import type { ProxyConnection } from '../proxy-connection.js';
import { hostPort, waitAnnounced, type ClusterCore } from './core.js';
import { openFrontDoor } from './front-door.js';
import type { ClusterBindParameters, ClusterBindResult } from './types.js';

const NO_FAULTS = { duplicate: false, malformed: false };

export async function bind(core: ClusterCore, parameters: ClusterBindParameters): Promise<ClusterBindResult> {
  const node = core.node(parameters.node);
  const timeS = parameters.timeS ?? 15;
  const closeS = parameters.closeS ?? (timeS * 17) / 15;
  const from = node.endpoint;
  const oldDoor = node.door;
  const oldProxy = node.proxyAddress;
  const next = 1 - node.proxy;
  const door = await openFrontDoor(() => hostPort(node.simulator.endpoints[next] as string), node.server);
  core.keepDoor(door);
  node.door = door;
  node.proxy = next;
  const to = node.endpoint;
  const seq = core.nextSeq();
  const started = Date.now();
  const leaving = (connection: ProxyConnection) => connection.endpoint === oldProxy;
  const moving = (connections: Iterable<ProxyConnection>) =>
    notify(connections, 'MOVING', seq, '', NO_FAULTS, (connection) =>
      movingFrameTo(seq, Math.max(0, timeS - (Date.now() - started) / 1000), formatEndpoint(connection.endpointType ?? 'none', door.port)),
    );
  const told = moving(node.simulator.liveConnections().filter(leaving));
  const closeWindow = node.simulator.openWindow({ applies: leaving, notice: (connection) => void moving([connection]) });
  core.step('moving-sent', { seq, from, to, time_s: timeS, connections: told });
  try {
    // Told first, then announced: a refresh meanwhile still finds the old address, which serves until closeS.
    await core.command(node, 'CONFIG', 'SET', 'cluster-announce-port', String(door.port));
    await waitAnnounced(core, node.id, door.port);
    core.step('announced', { node: node.index, from, to });
    await delay(Math.max(0, closeS * 1000 - (Date.now() - started)), core.signal);
  } finally {
    closeWindow();
  }
  await oldDoor.retire();
  for (const connection of node.simulator.liveConnections().filter(leaving)) connection.close('endpoint retired');
  core.step('old-endpoint-closed', { endpoint: from });
  return { seq, from, to, told };
}
