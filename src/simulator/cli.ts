#!/usr/bin/env node
/**
 * hitless-simulator: runs the maintenance simulator until SIGINT/SIGTERM/SIGHUP (a second signal
 * exits at once).
 *
 *   hitless-simulator --spawn --endpoints 2 --api-port 0
 *   hitless-simulator --upstream 127.0.0.1:6379 --api-port 8080
 *
 * When ready it prints one JSON line on stdout:
 *   {"ready":true,"endpoints":["127.0.0.2:P1","127.0.0.3:P2"],"database":"127.0.0.4:P3","api":"http://127.0.0.1:P"}
 * (in TLS mode also "ca": the file with the CA certificate clients should trust)
 * and then logs actions and notifications on stderr.
 *
 * Its defaults are the fault-injector contract's: each endpoint on its own loopback address
 * (--hosts distinct) and a database endpoint that follows the moves (what the endpoints file of
 * --endpoints-config names), so that the official clients' scenario suites run against it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startUnderSignals, writeEndpointsOrExit } from './cli-lifecycle.js';
import { createMaintSimulator } from './index.js';
import { runClusterCli } from './cluster/cli.js';
import { describeEvent } from './event-log.js';
import type { MaintSimulatorOptions } from './types.js';

const USAGE = `Usage: hitless-simulator (--spawn | --upstream host:port) [options]
       hitless-simulator --cluster N [--replicas R] [--spares S] [options]   (see --cluster N --help)

  --spawn               spawn a redis-server primary and replica (needs redis-server on PATH)
  --upstream host:port  front this Redis server instead
  --endpoints N         endpoints (listening ports) to expose (default 2)
  --ports P1,P2,…       ports for the endpoints (default: free ports)
  --api-port P          port of the HTTP control API (default 0: any free port)
  --hosts H             distinct (default: endpoint i on 127.0.0.(2+i), internal form 127.1.0.(2+i)),
                        shared (all on 127.0.0.1) or a list A1,A2,… of loopback addresses
  --internal-hosts L    with --hosts as a list: the internal-ip forms, one per endpoint
  --no-database-endpoint  no database endpoint (by default one more address, after the nodes,
                        leads to the node the database is on, as a managed database's DNS name)
  --endpoints-config F  write the endpoints file the official scenario suites read
                        (REDIS_ENDPOINTS_CONFIG_PATH) to F once ready
  --database-name NAME  its key in that file (default standalone)
  --max-databases N     databases create_database may run at once (default 4; 0 refuses it);
                        the endpoints file gains and loses their entries
  --action-defaults J   default parameters per action type, JSON: {"bind":{"time_s":5}}
  --tls                 TLS mode with a certificate made at start (a throw-away CA; needs openssl
                        on PATH) naming localhost and every address; the endpoints file says tls
  --tls-cert F --tls-key F [--tls-ca F]  TLS mode with your certificate (PEM files) instead
  --tls-ca-out F        write the CA clients should trust to F (default: a temporary file);
                        the ready line names it ("ca")
  --redis-server PATH   redis-server binary for --spawn
  --quiet               do not log events on stderr
  -h, --help            show this help`;

function fail(message: string): never {
  process.stderr.write(`hitless-simulator: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function integer(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) fail(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

interface CliOptions {
  options: MaintSimulatorOptions;
  caOut: string | undefined;
  quiet: boolean;
  endpointsConfig: string | undefined;
  databaseName: string | undefined;
}

function list(text: string): string[] {
  return text.split(',').map((item) => item.trim());
}

function options(argv: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        spawn: { type: 'boolean' },
        upstream: { type: 'string' },
        endpoints: { type: 'string' },
        ports: { type: 'string' },
        'api-port': { type: 'string' },
        'redis-server': { type: 'string' },
        hosts: { type: 'string' },
        'internal-hosts': { type: 'string' },
        'no-database-endpoint': { type: 'boolean' },
        'endpoints-config': { type: 'string' },
        'database-name': { type: 'string' },
        'max-databases': { type: 'string' },
        'action-defaults': { type: 'string' },
        tls: { type: 'boolean' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-ca-out': { type: 'string' },
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
  const result: MaintSimulatorOptions = { apiPort: integer(values['api-port'], '--api-port') ?? 0 };
  if (values.spawn) result.spawn = true;
  if (values.upstream !== undefined) {
    const colon = values.upstream.lastIndexOf(':');
    const port = integer(colon < 0 ? undefined : values.upstream.slice(colon + 1), '--upstream port');
    if (colon <= 0 || port === undefined) fail('--upstream must be host:port');
    result.upstream = { host: values.upstream.slice(0, colon).replace(/^\[|\]$/g, ''), port };
  }
  const endpoints = integer(values.endpoints, '--endpoints');
  if (endpoints !== undefined) result.endpoints = endpoints;
  if (values.ports !== undefined) result.ports = values.ports.split(',').map((port) => integer(port.trim(), '--ports') ?? 0);
  if (values['redis-server'] !== undefined) result.redisServer = values['redis-server'];
  const hosts = values.hosts ?? 'distinct';
  result.hosts = hosts === 'distinct' || hosts === 'shared' ? hosts : list(hosts);
  if (values['internal-hosts'] !== undefined) result.internalHosts = list(values['internal-hosts']);
  result.databaseEndpoint = values['no-database-endpoint'] !== true;
  if (values['action-defaults'] !== undefined) {
    try {
      result.actionDefaults = JSON.parse(values['action-defaults']) as NonNullable<MaintSimulatorOptions['actionDefaults']>;
    } catch (error) {
      fail(`--action-defaults must be JSON: ${(error as Error).message}`);
    }
  }
  const databaseName = values['database-name'];
  if (databaseName !== undefined && databaseName === '') fail('--database-name must not be empty');
  if (databaseName !== undefined) {
    // rladmin status names the database as the endpoints file does.
    const defaults = result.actionDefaults ?? {};
    result.actionDefaults = { ...defaults, execute_rladmin_command: { database_name: databaseName, ...defaults.execute_rladmin_command } };
  }
  const maxDatabases = integer(values['max-databases'], '--max-databases');
  result.databases = {
    ...(maxDatabases === undefined ? {} : { max: maxDatabases }),
    ...(databaseName === undefined ? {} : { name: databaseName }),
    ...(values['endpoints-config'] === undefined ? {} : { endpointsConfig: values['endpoints-config'] }),
  };
  const tls = tlsOption(values);
  if (tls !== undefined) result.tls = tls;
  else if (values['tls-ca-out'] !== undefined) fail('--tls-ca-out needs --tls or --tls-cert/--tls-key');
  return { options: result, caOut: values['tls-ca-out'], quiet: values.quiet === true, endpointsConfig: values['endpoints-config'], databaseName };
}

function tlsOption(values: Record<string, string | boolean | undefined>): MaintSimulatorOptions['tls'] {
  const [cert, key, ca] = (['tls-cert', 'tls-key', 'tls-ca'] as const).map((name) => values[name] as string | undefined);
  if (cert === undefined && key === undefined && ca === undefined) return values['tls'] === true ? true : undefined;
  if (values['tls'] === true) fail('--tls makes its own certificate; not with --tls-cert, --tls-key, --tls-ca');
  if (cert === undefined || key === undefined) fail('--tls-cert and --tls-key go together');
  const read = (path: string, name: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      return fail(`cannot read ${name} ${path}: ${(error as Error).message}`);
    }
  };
  return { cert: read(cert, '--tls-cert'), key: read(key, '--tls-key'), ...(ca === undefined ? {} : { ca: read(ca, '--tls-ca') }) };
}

async function main(): Promise<void> {
  const { options: simulatorOptions, caOut, quiet, endpointsConfig, databaseName } = options(process.argv.slice(2));
  const sim = await startUnderSignals(() => createMaintSimulator(simulatorOptions), fail);
  if (sim === null) return; // closed by the signal handler
  await writeEndpointsOrExit(sim, endpointsConfig, databaseName);
  let ca: string | undefined;
  if (sim.tlsCa !== null) {
    try {
      ca = writeCa(sim.tlsCa, caOut);
    } catch (error) {
      process.stderr.write(`hitless-simulator: cannot write the CA to ${caOut}: ${(error as Error).message}\n`);
      await sim.close();
      process.exit(1);
    }
  }
  if (!quiet) sim.events$.subscribe((event) => process.stderr.write(`${describeEvent(event)}\n`));
  process.stdout.write(`${JSON.stringify({ ready: true, endpoints: sim.endpoints, database: sim.databaseEndpoint, api: sim.api, ...(ca === undefined ? {} : { ca }) })}\n`);
}

/** Writes the CA clients should trust to `path`, or to a temporary file removed at exit; returns where. */
function writeCa(pem: string, path: string | undefined): string {
  if (path !== undefined) {
    writeFileSync(path, pem);
    return path;
  }
  const dir = mkdtempSync(join(tmpdir(), 'hitless-simulator-ca-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'ca.pem');
  writeFileSync(file, pem);
  return file;
}

const argv = process.argv.slice(2);
if (argv.includes('--cluster')) void runClusterCli(argv);
else void main();
