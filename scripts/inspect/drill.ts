/** The light workload and the drill `npm run inspect` shows in the Stately inspector. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientState, MaintClient } from '../../src/index.js';
import type { MaintSimulator } from '../../src/simulator/index.js';

export interface Workload {
  readonly stats: { ok: number; failed: number; lastError: string | null };
  stop(): Promise<void>;
}

/** `workers` loops of SET + GET, each pausing `pauseMs` between rounds: a few hundred commands a second at most. */
export function startWorkload(client: MaintClient, workers = 4, pauseMs = 50): Workload {
  const stats = { ok: 0, failed: 0, lastError: null as string | null };
  let running = true;
  const loop = async (worker: number) => {
    for (let round = 0; running; round++) {
      const key = `hitless:inspect:${worker}`;
      try {
        await client.set(key, String(round));
        const value = await client.get(key);
        if (value !== String(round)) throw new Error(`GET ${key} returned ${String(value)}, expected ${round}`);
        stats.ok += 2;
      } catch (error) {
        stats.failed += 1;
        stats.lastError = (error as Error).message;
      }
      if (running) await sleep(pauseMs);
    }
  };
  const loops = Array.from({ length: workers }, (_, worker) => loop(worker));
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Each connection's states in order, from `state$` (one snapshot per tick with changes). */
export class StateTrail {
  readonly trails = new Map<string, string[]>();

  constructor(private readonly print: (line: string) => void) {}

  update(state: ClientState): void {
    for (const connection of state.connections) {
      const trail = this.trails.get(connection.id) ?? [];
      const last = trail[trail.length - 1];
      if (last === connection.state) continue;
      if (last !== undefined) this.print(`${connection.id} ${last} → ${connection.state}  (${connection.endpoint})`);
      trail.push(connection.state);
      this.trails.set(connection.id, trail);
    }
  }

  /** Connections whose states went idle → relaxed → handingOff → relaxed → idle (in order, others between allowed). */
  sawFullCycle(): string[] {
    const wanted = ['idle', 'relaxed', 'handingOff', 'relaxed', 'idle'];
    return [...this.trails].filter(([, trail]) => {
      let next = 0;
      for (const state of trail) if (state === wanted[next]) next += 1;
      return next >= wanted.length;
    }).map(([id]) => id);
  }
}

/**
 * MIGRATING relaxes every connection; while it lasts, a MOVING (bind, with the new endpoint
 * holding its replies for a second so the handoff can be seen) hands them off; they stay relaxed
 * after the handoff, then MIGRATED and the end of the post-handoff relaxation bring them back to idle.
 */
export async function runDrill(sim: MaintSimulator, client: MaintClient, say: (line: string) => void, signal: AbortSignal): Promise<void> {
  await sleep(2000, undefined, { signal });
  say('drill: migrate — MIGRATING: connections relax their timeouts');
  const migrate = sim.run({ type: 'migrate', parameters: { time_s: 10, duration_s: 6, delay_ms: 20 } });
  migrate.catch(() => {}); // awaited below; on abort the simulator closing ends it
  await sleep(2500, undefined, { signal });
  say('drill: bind — MOVING to the other endpoint: connections hand off');
  const bind = sim.run({ type: 'bind', parameters: { time_s: 4, stall_target_s: 1 } });
  bind.catch(() => {});
  await abortable(Promise.all([migrate, bind]), signal);
  say('drill: migration over (MIGRATED); waiting for every connection to be idle');
  const deadline = Date.now() + 20_000;
  while (!client.state().connections.every((connection) => connection.state === 'idle') && Date.now() < deadline) await sleep(100, undefined, { signal });
  await sleep(1500, undefined, { signal });
}

export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
