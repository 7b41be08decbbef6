/** Command-line flags of `npm run demo` / `npm run dashboard`, their defaults and `--help`. */
import { parseArgs } from 'node:util';
import { ENDPOINT_TYPES, type EndpointType } from '../../src/simulator/index.js';

export type ClientKind = 'hitless' | 'node-redis';

export interface DemoOptions {
  /** Concurrent callers, each awaiting one command at a time. */
  callers: number;
  /** How long the workload runs; the drill is spread over it (it runs longer if the drill needs more). */
  durationS: number;
  /** The time announced in MIGRATING / FAILING_OVER / MOVING; sets the length of each action. */
  timeS: number;
  endpointType: EndpointType;
  /** hitless pool size. */
  pool: number;
  /** Command deadline outside maintenance, ms. */
  commandTimeoutMs: number;
  web: boolean;
  port: number;
  keepOpen: boolean;
  compare: ClientKind | null;
  /** Force plain line output even on a TTY. */
  plain: boolean;
  /** Run the drill on the cluster simulator (3 primaries + 3 replicas) with createMaintCluster. */
  cluster: boolean;
}

export const DEFAULTS: DemoOptions = {
  callers: 50,
  durationS: 45,
  timeS: 8,
  endpointType: 'internal-ip',
  pool: 4,
  commandTimeoutMs: 1000,
  web: false,
  port: 0,
  keepOpen: false,
  compare: null,
  plain: false,
  cluster: false,
};

export const HELP = `hitless demo — a maintenance drill against a live workload, with a dashboard

Usage: npm run demo -- [flags]        (npm run dashboard = the same with --web)

Starts a maintenance simulator (two spawned redis-servers behind two endpoints), a hitless
client with a steady INCR/GET workload, then runs migrate, failover and bind (MOVING) while a
live dashboard shows throughput, latency, failures, every connection's state and endpoint, and
the notification/handoff log. Ends with a report (commands, failures, handoffs and the worst
latency per action). Exit status: 0 when no hitless command failed and every action ran, 1 when
one did (with --compare, node-redis failures are reported but do not change it), 2 on bad flags,
130 on Ctrl-C.

Flags:
  --callers N          concurrent callers, one command in flight each      (default ${DEFAULTS.callers})
  --duration-s S       how long the workload runs; the drill is spread over
                       it, and it runs longer when the drill needs more     (default ${DEFAULTS.durationS})
  --time-s S           time announced in MIGRATING/FAILING_OVER/MOVING;
                       sets how long each action lasts (may be fractional)  (default ${DEFAULTS.timeS})
  --endpoint-type T    how MOVING names the new endpoint: ${ENDPOINT_TYPES.join(' | ')}
                       (none: reconnect to the same address, which DNS
                       re-points to the new node after 30% of --time-s)     (default ${DEFAULTS.endpointType})
  --pool N             hitless pool size                                   (default ${DEFAULTS.pool})
  --command-timeout-ms N  command deadline outside maintenance              (default ${DEFAULTS.commandTimeoutMs})
  --compare node-redis run the same drill with node-redis afterwards (RESP3,
                       maintNotifications 'enabled') and print both reports side by side
  --web                serve the dashboard in a browser instead of the terminal
  --port N             port of the web dashboard on 127.0.0.1; 0 = any free (default ${DEFAULTS.port})
  --keep-open          with --web: keep serving after the report until Ctrl-C
  --plain              plain line output even when stdout is a terminal
  --cluster            the cluster drill instead: a spawned Redis Cluster (3 primaries, a replica
                       each) behind the cluster simulator and a createMaintCluster client; it
                       reshards a third of the slots (SMIGRATING/SMIGRATED), fails over a shard
                       (FAILING_OVER/FAILED_OVER) and binds a node to a new address (MOVING)
  -h, --help           this text

A shorter run:   npm run demo -- --duration-s 12 --time-s 2 --callers 10
Side by side:    npm run demo -- --compare node-redis
In a browser:    npm run dashboard -- --port 8080 --keep-open
On a cluster:    npm run demo -- --cluster
`;

function number(flag: string, text: string | undefined, fallback: number, min: number, max: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`--${flag} ${text}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

/** Parses argv; returns null for --help. Throws an Error with a readable message on bad input. */
export function parseDemoArgs(argv: string[]): DemoOptions | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      callers: { type: 'string' },
      'duration-s': { type: 'string' },
      'time-s': { type: 'string' },
      'endpoint-type': { type: 'string' },
      pool: { type: 'string' },
      'command-timeout-ms': { type: 'string' },
      compare: { type: 'string' },
      web: { type: 'boolean' },
      port: { type: 'string' },
      'keep-open': { type: 'boolean' },
      plain: { type: 'boolean' },
      cluster: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return null;
  const endpointType = values['endpoint-type'] ?? DEFAULTS.endpointType;
  if (!(ENDPOINT_TYPES as readonly string[]).includes(endpointType)) {
    throw new Error(`--endpoint-type ${endpointType}: expected one of ${ENDPOINT_TYPES.join(', ')}`);
  }
  const compare = values.compare ?? null;
  if (compare !== null && compare !== 'node-redis') throw new Error(`--compare ${compare}: only node-redis is supported`);
  const web = values.web === true;
  if (values['keep-open'] === true && !web) throw new Error('--keep-open needs --web');
  if (values.cluster === true && compare !== null) throw new Error('--compare runs the standalone drill only (not with --cluster)');
  return {
    callers: number('callers', values.callers, DEFAULTS.callers, 1, 10_000, true),
    durationS: number('duration-s', values['duration-s'], DEFAULTS.durationS, 1, 3600, false),
    timeS: number('time-s', values['time-s'], DEFAULTS.timeS, 1, 120, false),
    endpointType: endpointType as EndpointType,
    pool: number('pool', values.pool, DEFAULTS.pool, 1, 1000, true),
    commandTimeoutMs: number('command-timeout-ms', values['command-timeout-ms'], DEFAULTS.commandTimeoutMs, 10, 600_000, true),
    web,
    port: number('port', values.port, DEFAULTS.port, 0, 65_535, true),
    keepOpen: values['keep-open'] === true,
    compare,
    plain: values.plain === true,
    cluster: values.cluster === true,
  };
}
