import { movingKey } from '../machines/seen-movings.js';
import type { MaintenanceOrder } from '../maintenance/maintained.js';
import type { Clock } from '../transport/clock.js';

/**
 * A connection's first attempt while it has no actor (see Connection.firstOpen): how to abort it,
 * and the maintenance orders that came meanwhile, to be given to the actor made when it ends —
 * as if they had reached one that existed all along.
 */
export class FirstAttempt {
  readonly abort = new AbortController();
  private readonly orders: Array<{ order: MaintenanceOrder; at: number }> = [];

  constructor(private readonly clock: Clock) {}

  get aborted(): boolean {
    return this.abort.signal.aborted;
  }

  get hasOrders(): boolean {
    return this.orders.length > 0;
  }

  hold(order: MaintenanceOrder): void {
    this.orders.push({ order, at: this.clock.now() });
  }

  /** The MOVINGs held: a copy of one told again during the attempt is a duplicate, as the machine would say. */
  seenMovings(): string[] {
    return this.orders.flatMap(({ order }) => (order.type === 'moving' ? [movingKey(order)] : []));
  }

  /**
   * The held orders, in order. A relaxation's backstop runs from when it was told: the time the
   * attempt took is taken off, and one whose backstop has passed meanwhile is not given at all.
   */
  replay(): MaintenanceOrder[] {
    const now = this.clock.now();
    return this.orders.flatMap(({ order, at }): MaintenanceOrder[] => {
      if (order.type !== 'relax.add') return [order];
      const backstopMs = order.backstopMs - (now - at);
      return backstopMs > 0 ? [{ ...order, backstopMs }] : [];
    });
  }
}
