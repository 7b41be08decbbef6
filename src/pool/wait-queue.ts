import { TimeoutError } from '../errors.js';
import { timerDelay, type Clock } from '../transport/clock.js';
import type { PendingCommand } from '../transport/command.js';
import { Fifo } from '../transport/fifo.js';

/**
 * Commands that have no connection to go to yet (all reconnecting, or the pool not ready).
 * Each still honours its own deadline: one timer watches the earliest.
 */
export class WaitQueue {
  private readonly queue = new Fifo<PendingCommand>();
  private timer: unknown = undefined;
  private timerAt = Infinity;

  constructor(private readonly clock: Clock) {}

  get length(): number {
    return this.queue.length;
  }

  push(command: PendingCommand): void {
    this.queue.push(command);
    if (command.deadline < this.timerAt) this.arm(command.deadline);
  }

  /** Hands queued commands, oldest first, to `write` while `canWrite()` says yes. */
  drain(canWrite: () => boolean, write: (command: PendingCommand) => void): void {
    while (this.queue.length > 0 && canWrite()) {
      const command = this.queue.shift() as PendingCommand;
      if (!command.settled) write(command);
    }
    if (this.queue.length === 0) this.disarm();
  }

  failAll(error: (command: PendingCommand) => Error): void {
    this.disarm();
    for (let command = this.queue.shift(); command !== undefined; command = this.queue.shift()) command.fail(error(command));
  }

  private arm(at: number): void {
    if (at === Infinity) return;
    this.disarm();
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => this.expire(), timerDelay(at - this.clock.now()));
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    const expired = this.queue.removeWhere((command) => command.settled || command.deadline <= now);
    for (const command of expired) {
      command.fail(new TimeoutError(command.relaxed ? 'ERR_MAINTENANCE_TIMEOUT' : 'ERR_COMMAND_TIMEOUT', command.timeout, command.name, false));
    }
    let next = Infinity;
    for (const command of this.queue) next = Math.min(next, command.deadline);
    if (next !== Infinity) this.arm(next);
  }
}
