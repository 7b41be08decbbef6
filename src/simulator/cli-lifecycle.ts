/**
 * What both modes of `hitless-simulator` (standalone and `--cluster`) do around their simulator:
 * signal handling from the first moment — a signal during start-up (servers being spawned) still
 * shuts down what was started, once the start settles, and a second signal exits at once (the
 * servers this process spawned are killed on exit) — and the endpoints file, written once ready.
 */
import { ConfigError } from '../errors.js';
import { writeEndpointsFile } from './endpoints-file.js';
import type { MaintClusterSimulator } from './cluster/types.js';
import type { MaintSimulator } from './types.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Starts the simulator under the CLI's signal handling; null when a signal came first (the handler exits). Exits on a failed start (a ConfigError through `usage`). */
export async function startUnderSignals<S extends { close(): Promise<void> }>(create: () => Promise<S>, usage: (message: string) => never): Promise<S | null> {
  let starting: Promise<S | null> = Promise.resolve(null);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`hitless-simulator: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`hitless-simulator: ${signal}, shutting down\n`);
    starting
      .then((sim) => sim?.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`hitless-simulator: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
  };
  for (const signal of SIGNALS) process.on(signal, () => stop(signal));
  const creating = create();
  starting = creating.catch(() => null);
  try {
    const sim = await creating;
    return stopping ? null : sim;
  } catch (error) {
    if (stopping) return null;
    if (error instanceof ConfigError) usage(error.message);
    process.stderr.write(`hitless-simulator: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

/** Writes the endpoints file (`--endpoints-config`) if asked for; on failure closes the simulator and exits 1. */
export async function writeEndpointsOrExit(sim: MaintSimulator | MaintClusterSimulator, path: string | undefined, name: string | undefined): Promise<void> {
  if (path === undefined) return;
  try {
    await writeEndpointsFile(sim, path, name === undefined ? {} : { name });
  } catch (error) {
    process.stderr.write(`hitless-simulator: cannot write ${path}: ${(error as Error).message}\n`);
    await sim.close();
    process.exit(1);
  }
}
