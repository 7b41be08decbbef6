import type { Clock } from '../transport/clock.js';
import type { PendingCommand } from '../transport/command.js';
import type { Connection } from './connection.js';
import { WaitQueue } from './wait-queue.js';

/**
 * The per-command path of the pool: straight to a connection's pipeline, or parked until one is
 * ready. Every command issued in one tick goes to the same connection, chosen as the one with
 * the fewest in flight: commands a caller issues without awaiting keep their order, and share
 * one socket write. No actor, no Subject, no timer per command.
 */
export class Router {
  private routable: Connection[] = [];
  private tickTarget: Connection | null = null;
  private rotation = 0;
  /** Commands parked until a connection is ready; made with the first one parked. */
  private waiting: WaitQueue | null = null;
  /** Connections that are relaxed or handing off right now; made with the first one. */
  private inMaintenance: Set<Connection> | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly relaxedTimeoutMs: number,
  ) {}

  /** Whether `connection` is relaxed or handing off now (a command parked meanwhile gets the relaxed timeout). */
  setInMaintenance(connection: Connection, on: boolean): void {
    if (on) (this.inMaintenance ??= new Set()).add(connection);
    else this.inMaintenance?.delete(connection);
  }

  send(command: PendingCommand): void {
    let target = this.tickTarget;
    if (target === null || !target.ready) {
      const chosen = this.leastLoaded();
      if (chosen === undefined) {
        // Parked while connections relax or hand off: the wait is part of the maintenance.
        if (this.inMaintenance !== null && this.inMaintenance.size > 0) command.relax(this.relaxedTimeoutMs);
        (this.waiting ??= new WaitQueue(this.clock)).push(command);
        return;
      }
      target = this.tickTarget = chosen;
      process.nextTick(endTick, this);
    }
    target.write(command);
  }

  /** @internal */
  endTick(): void {
    this.tickTarget = null;
  }

  /** A connection took or stopped taking commands: keep the routable set in step, flush parked commands. */
  update(connection: Connection): void {
    if (connection.ready && !connection.dedicated) {
      if (!this.routable.includes(connection)) this.routable = this.routable.concat(connection);
      this.waiting?.drain(
        () => connection.ready,
        (command) => connection.write(command),
      );
    } else if (this.routable.includes(connection)) {
      this.routable = this.routable.filter((c) => c !== connection);
    }
  }

  forget(connection: Connection): void {
    this.inMaintenance?.delete(connection);
    this.update(connection);
  }

  failParked(error: (command: PendingCommand) => Error): void {
    this.waiting?.failAll(error);
  }

  /** The ready connection with the fewest in flight; ties go round-robin, so idle connections share the ticks. */
  private leastLoaded(): Connection | undefined {
    const routable = this.routable;
    const count = routable.length;
    let best: Connection | undefined;
    let bestIndex = 0;
    let least = Infinity;
    for (let step = 0; step < count; step++) {
      const index = (this.rotation + step) % count;
      const candidate = routable[index] as Connection;
      const inflight = candidate.inflight;
      if (inflight < least && candidate.ready) {
        best = candidate;
        bestIndex = index;
        least = inflight;
        if (inflight === 0) break;
      }
    }
    this.rotation = bestIndex + 1;
    return best;
  }
}

function endTick(router: Router): void {
  router.endTick();
}
