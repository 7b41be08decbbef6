/**
 * `npm run inspect [-- --keep-open] [--port N] [--wait S] [--pool-size N]`
 *
 * Shows hitless's state machines in the Stately inspector: starts the simulator (2 endpoints), a
 * client whose actor tree is inspected over a local WebSocket, a light workload, then a drill
 * (migrate, and a bind while it lasts) so that every connection goes
 * idle → relaxed → handingOff → relaxed → idle. Open the printed URL (the inspector page, fed by
 * a relay on 127.0.0.1) before the drill starts: the relay replays only its last 200 messages,
 * and the page does not reconnect by itself (reload it when the script restarts on the same port).
 * Stops after the drill (or on Ctrl-C) and closes everything; `--keep-open` waits for Ctrl-C.
 * Contexts and events are sanitized (secrets, Buffers, sockets) before they leave the process.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createWebSocketInspector } from '@statelyai/inspect';
import { createMaintClient, type MaintClient } from '../src/index.js';
import { createMaintSimulator, type MaintSimulator } from '../src/simulator/index.js';
import { abortable, runDrill, startWorkload, StateTrail, type Workload } from './inspect/drill.js';
import { sanitizeContext, sanitizeEvent } from './inspect/sanitize.js';
import { freePort, startInspectorRelay, type InspectorRelay } from './inspect/server.js';

const USAGE = `usage: npm run inspect [-- --keep-open] [--port N] [--wait SECONDS] [--pool-size N]
  --keep-open     keep running after the drill, until Ctrl-C
  --port N        port of the inspector relay (default: a free one)
  --wait S        seconds to wait for the inspector page before the drill (default: 15 in a terminal, else 0)
  --pool-size N   connections in the client's pool (default 3)`;

const { values: args } = parseArgs({
  options: {
    'keep-open': { type: 'boolean', default: false },
    port: { type: 'string' },
    wait: { type: 'string' },
    'pool-size': { type: 'string', default: '3' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function integer(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const requestedPort = integer('port', args.port, 1, 65_535);
const waitS = integer('wait', args.wait, 0, 3600) ?? (process.stdout.isTTY ? 15 : 0);
const poolSize = integer('pool-size', args['pool-size'], 1, 50) as number;

const started = Date.now();
const say = (line: string) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s  ${line}`);

const controller = new AbortController();
const onSigint = () => {
  if (controller.signal.aborted) {
    console.error('\nsecond Ctrl-C: exiting without cleaning up');
    process.exit(130);
  }
  console.log('\nCtrl-C: stopping (Ctrl-C again to force)');
  controller.abort(new Error('interrupted'));
};
process.on('SIGINT', onSigint);
process.on('SIGTERM', onSigint);

/** Undone in reverse order, whatever happens. */
const cleanups: Array<[string, () => Promise<void> | void]> = [];

async function main(): Promise<void> {
  const signal = controller.signal;
  const relay: InspectorRelay = await startInspectorRelay(requestedPort ?? (await freePort()));
  cleanups.push(['inspector relay', () => relay.stop()]);
  const inspector = createWebSocketInspector({ url: relay.socketUrl, sanitizeContext, sanitizeEvent });
  cleanups.push([
    'inspector',
    async () => {
      await sleep(50); // the inspector sends on the next turn: let the last events go out
      inspector.stop();
      await sleep(200); // and its close handshake finish before the relay ends
    },
  ]);
  if (!(await relay.waitForClient(0, 5000))) throw new Error(`the inspector did not connect to ${relay.socketUrl}`);

  console.log(`\n  Stately inspector: open ${relay.pageUrl}  (or http://127.0.0.1:${relay.port}; reload it if it was open before)\n  relay: ${relay.socketUrl}, bound to 127.0.0.1 only\n`);

  say('starting the simulator (2 endpoints; waits for its replica to sync)…');
  const sim: MaintSimulator = await createMaintSimulator({ spawn: true, endpoints: 2 });
  cleanups.push(['simulator', () => sim.close()]);
  signal.throwIfAborted();
  say(`simulator endpoints: ${sim.endpoints.join(', ')} (active ${sim.activeEndpoint})`);

  const [host, port] = sim.activeEndpoint.split(':') as [string, string];
  const client: MaintClient = createMaintClient({
    host,
    port: Number(port),
    poolSize,
    inspect: inspector.inspect,
    maintNotifications: { relaxedTimeout: 5000, postHandoffRelaxedDuration: 3000 },
  });
  cleanups.push(['client', () => client.close()]);
  const trail = new StateTrail(say);
  client.state$.subscribe((state) => trail.update(state));
  client.events$.subscribe((event) => {
    if (event.type === 'handoff.succeeded') say(`${event.connectionId} handed off ${event.from} → ${event.to} in ${event.durationMs.toFixed(0)} ms`);
    if (event.type === 'handoff.failed') say(`${event.connectionId} handoff to ${event.to} failed: ${event.reason}`);
  });
  await abortable(client.connect(), signal);
  say(`client ready: ${poolSize} connection(s), inspected`);

  const workload: Workload = startWorkload(client);
  cleanups.push(['workload', () => workload.stop()]);

  if (waitS > 0 && relay.clients < 2) {
    say(`waiting up to ${waitS} s for the inspector page (${relay.pageUrl}) to connect…`);
    const connected = await abortable(relay.waitForClient(1, waitS * 1000), signal);
    say(connected ? 'inspector page connected' : 'no inspector page yet; running the drill anyway');
  }

  await runDrill(sim, client, say, signal);
  const cycled = trail.sawFullCycle();
  say(`drill done: ${cycled.length}/${trail.trails.size} connection(s) went idle → relaxed → handingOff → relaxed → idle${cycled.length > 0 ? ` (${cycled.join(', ')})` : ''}`);
  say(`workload: ${workload.stats.ok} commands ok, ${workload.stats.failed} failed${workload.stats.lastError === null ? '' : ` (last: ${workload.stats.lastError})`}`);

  if (args['keep-open']) {
    say('--keep-open: the inspector stays up; Ctrl-C to stop');
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  if (!controller.signal.aborted) {
    console.error('inspect failed:', error);
    exitCode = 1;
  }
} finally {
  const closed = cleanups.map(([name]) => name).reverse();
  for (const [name, cleanup] of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error(`closing the ${name} failed:`, error);
      exitCode = 1;
    }
  }
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigint);
  if (closed.length > 0) say(`stopped; closed: ${closed.join(', ')}`);
}
process.exitCode = exitCode;
// Everything is closed; should anything still hold the event loop (a browser's half-closed socket), do not hang.
setTimeout(() => {
  console.error(`still running after cleanup (${process.getActiveResourcesInfo().join(', ')}); exiting`);
  process.exit(exitCode);
}, 3000).unref();
