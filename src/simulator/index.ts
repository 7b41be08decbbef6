/**
 * `hitless/simulator`: a maintenance simulator. A proxy on 127.0.0.1 in front of real
 * redis-server processes that speaks the maintenance notifications of managed Redis
 * (MOVING, MIGRATING/MIGRATED, FAILING_OVER/FAILED_OVER), so handoffs can be rehearsed locally.
 *
 *   const sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
 *   // point a client at sim.endpoints[0], then:
 *   await sim.run({ type: 'bind', parameters: { time_s: 5 } });
 *   await sim.close();
 */
import { ConfigError } from '../errors.js';
import { Simulator } from './simulator.js';
import type { MaintSimulator, MaintSimulatorOptions } from './types.js';

export type {
  ActionRequest,
  ActionResult,
  ActionState,
  ActionStatus,
  ActionType,
  BindParameters,
  BlackholeParameters,
  ConnectionInfo,
  CutParameters,
  EndpointState,
  EndpointType,
  FailoverParameters,
  HostPort,
  InjectOptions,
  LatencyParameters,
  MaintSimulator,
  MaintSimulatorOptions,
  MigrateParameters,
  SentFrame,
  SimulatorTlsOptions,
  SimulatorEvent,
} from './types.js';
export { ENDPOINT_TYPES } from './types.js';
export { encodePush, formatEndpoint, movingFrame, migratingFrame, migratedFrame, failingOverFrame, failedOverFrame } from './push-frames.js';
export type { PushElement } from './push-frames.js';

function isPort(value: unknown, allowZero: boolean): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= (allowZero ? 0 : 1) && value <= 65_535;
}

function validate(options: MaintSimulatorOptions): void {
  const { upstream, spawn, endpoints, ports, apiPort, redisServer, tls } = options;
  if (spawn !== undefined && typeof spawn !== 'boolean') throw new ConfigError('spawn', spawn, 'true or false');
  if (upstream !== undefined) {
    if (typeof upstream !== 'object' || upstream === null || typeof upstream.host !== 'string' || upstream.host === '' || !isPort(upstream.port, false)) {
      throw new ConfigError('upstream', upstream, '{ host: string, port: 1..65535 }');
    }
  }
  if ((upstream === undefined) === (spawn !== true)) {
    throw new ConfigError('upstream', upstream, 'give exactly one of upstream (a server to front) or spawn: true');
  }
  if (endpoints !== undefined && (!Number.isInteger(endpoints) || endpoints < 1 || endpoints > 64)) {
    throw new ConfigError('endpoints', endpoints, 'an integer from 1 to 64');
  }
  if (ports !== undefined) {
    if (!Array.isArray(ports) || ports.length !== (endpoints ?? 2) || !ports.every((port) => isPort(port, true))) {
      throw new ConfigError('ports', ports, `one port (0..65535) per endpoint (${endpoints ?? 2})`);
    }
  }
  if (tls !== undefined) {
    const each = Array.isArray(tls) ? tls : [tls];
    const pem = (value: unknown) => (typeof value === 'string' && value !== '') || Buffer.isBuffer(value);
    if ((Array.isArray(tls) && tls.length !== (endpoints ?? 2)) || !each.every((entry) => typeof entry === 'object' && entry !== null && pem(entry.cert) && pem(entry.key))) {
      throw new ConfigError('tls', Array.isArray(tls) ? `${tls.length} entries` : typeof tls, `{ cert, key } (PEM), or one such entry per endpoint (${endpoints ?? 2})`);
    }
  }
  if (apiPort !== undefined && !isPort(apiPort, true)) throw new ConfigError('apiPort', apiPort, 'a port from 0 to 65535');
  if (redisServer !== undefined && (typeof redisServer !== 'string' || redisServer === '')) {
    throw new ConfigError('redisServer', redisServer, 'a path or command name');
  }
}

/** Starts a simulator: spawns servers if asked, opens the endpoints (and the HTTP API when `apiPort` is given). */
export async function createMaintSimulator(options: MaintSimulatorOptions = {}): Promise<MaintSimulator> {
  validate(options);
  const simulator = new Simulator(options);
  try {
    await simulator.init();
  } catch (error) {
    await simulator.close();
    throw error;
  }
  return simulator;
}
