/**
 * `hitless-simulator --cluster N [--replicas R] [--spares S]`: the cluster mode as a process.
 * When ready it prints one JSON line on stdout:
 *   {"ready":true,"endpoints":[…],"nodes":[{"index","id","endpoint","role"}],"api":"http://127.0.0.1:P"}
 * then logs actions and notifications on stderr until SIGINT/SIGTERM/SIGHUP (a second signal exits at once).
 */
import { parseArgs } from 'node:util';
import { startUnderSignals, writeEndpointsOrExit } from '../cli-lifecycle.js';
import { describeEvent } from '../event-log.js';
import { createMaintSimulator } from '../index.js';
import type { MaintClusterSimulatorOptions } from './types.js';

const USAGE = `Usage: hitless-simulator --cluster N [options]

  --cluster N           spawn a Redis Cluster of N primaries (needs redis-server on PATH)
  --replicas R          replicas per primary (default 0)
  --spares S            primaries without slots, destinations of slot_migrate add / remove-add (default 0)
  --api-port P          port of the HTTP control API (default 0: any free port)
  --action-defaults J   default parameters per action type, JSON: {"bind":{"time_s":5}}
  --endpoints-config F  write the endpoints file the official scenario suites read
                        (REDIS_ENDPOINTS_CONFIG_PATH) to F once ready: an OSS-cluster-API database
  --database-name NAME  its key in that file and its name in rladmin status (default cluster)
  --max-databases N     databases create_database may run at once (default 4; 0 refuses it)
  --redis-server PATH   redis-server binary
  --quiet               do not log events on stderr
  -h, --help            show this help

Actions (POST /action {"type","parameters"}): reshard {slots,to}, failover {node?}, bind {node?,time_s?},
slot_migrate {effect,trigger?}, cluster_failover {node_id?}, node_kill {node_id}, sequence_of_actions {actions},
execute_rladmin_command {rladmin_command: status}, create_database {database_config}, delete_database {bdb_id}.`;

function fail(message: string): never {
  process.stderr.write(`hitless-simulator: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function count(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) fail(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function options(argv: string[]): { options: MaintClusterSimulatorOptions; quiet: boolean; endpointsConfig: string | undefined; name: string | undefined } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        cluster: { type: 'string' },
        replicas: { type: 'string' },
        spares: { type: 'string' },
        'api-port': { type: 'string' },
        'action-defaults': { type: 'string' },
        'endpoints-config': { type: 'string' },
        'database-name': { type: 'string' },
        'max-databases': { type: 'string' },
        'redis-server': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const result: MaintClusterSimulatorOptions = {
    primaries: count(values.cluster, '--cluster', 0),
    replicasPerPrimary: count(values.replicas, '--replicas', 0),
    spares: count(values.spares, '--spares', 0),
    apiPort: count(values['api-port'], '--api-port', 0),
  };
  if (values['redis-server'] !== undefined) result.redisServer = values['redis-server'];
  if (values['action-defaults'] !== undefined) {
    try {
      result.actionDefaults = JSON.parse(values['action-defaults']) as NonNullable<MaintClusterSimulatorOptions['actionDefaults']>;
    } catch (error) {
      fail(`--action-defaults must be JSON: ${(error as Error).message}`);
    }
  }
  const name = values['database-name'];
  if (name === '') fail('--database-name must not be empty');
  if (name !== undefined) {
    const defaults = result.actionDefaults ?? {};
    result.actionDefaults = { ...defaults, execute_rladmin_command: { database_name: name, ...defaults.execute_rladmin_command } };
  }
  const file = values['endpoints-config'];
  const max = values['max-databases'] === undefined ? undefined : count(values['max-databases'], '--max-databases', 0);
  result.databases = { ...(max === undefined ? {} : { max }), ...(name === undefined ? {} : { name }), ...(file === undefined ? {} : { endpointsConfig: file }) };
  return { options: result, quiet: values.quiet === true, endpointsConfig: file, name };
}

export async function runClusterCli(argv: string[]): Promise<void> {
  const { options: clusterOptions, quiet, endpointsConfig, name } = options(argv);
  const sim = await startUnderSignals(() => createMaintSimulator({ cluster: clusterOptions }), fail);
  if (sim === null) return; // closed by the signal handler
  await writeEndpointsOrExit(sim, endpointsConfig, name);
  if (!quiet) sim.events$.subscribe((event) => process.stderr.write(`${describeEvent(event)}\n`));
  const nodes = sim.nodes.map((node) => ({ index: node.index, id: node.id, endpoint: node.endpoint, role: node.server.replicaOf !== null ? 'replica' : node.server.slots === null ? 'spare' : 'primary' }));
  process.stdout.write(`${JSON.stringify({ ready: true, endpoints: sim.endpoints, nodes, api: sim.api })}\n`);
}
