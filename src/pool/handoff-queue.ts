import type { HandoffJob } from '../machines/handoff-worker.machine.js';

/** The handoff queue's state as the pool actor keeps it in context. */
export interface HandoffQueueState {
  queueSize: number;
  idleWorkers: string[];
  /** Worker id → the connection it is moving. */
  busyWorkers: Record<string, string>;
  queue: HandoffJob[];
  overflow: HandoffJob[];
}

export interface HandoffSchedule {
  next: Pick<HandoffQueueState, 'idleWorkers' | 'busyWorkers' | 'queue' | 'overflow'>;
  /** Jobs to hand to workers now. */
  dispatch: Array<{ workerId: string; job: HandoffJob }>;
  /** Workers to stop (their connection no longer wants the handoff). */
  cancelWorkers: Array<{ workerId: string; connectionId: string }>;
  /** Overflow entries that left the overflow list (their expiry timers must be cancelled). */
  leftOverflow: string[];
}

/**
 * One scheduling step: optionally drop `cancelConnectionId`'s job (queued, overflowing or in a
 * worker), move overflow into the queue while it has room, and give queued jobs to idle workers.
 * Pure, so the queue's rules are tested without actors.
 */
export function scheduleHandoffs(state: HandoffQueueState, cancelConnectionId?: string): HandoffSchedule {
  const dispatch: HandoffSchedule['dispatch'] = [];
  const cancelWorkers: HandoffSchedule['cancelWorkers'] = [];
  const leftOverflow: string[] = [];
  const busy = { ...state.busyWorkers };
  const idle = [...state.idleWorkers];
  let queue = state.queue;
  let overflow = state.overflow;
  if (cancelConnectionId !== undefined) {
    queue = queue.filter((job) => job.connectionId !== cancelConnectionId);
    if (overflow.some((job) => job.connectionId === cancelConnectionId)) leftOverflow.push(cancelConnectionId);
    overflow = overflow.filter((job) => job.connectionId !== cancelConnectionId);
    for (const [workerId, connectionId] of Object.entries(busy)) {
      if (connectionId !== cancelConnectionId) continue;
      cancelWorkers.push({ workerId, connectionId });
      delete busy[workerId];
      idle.push(workerId);
    }
  }
  const fillFromOverflow = () => {
    while (overflow.length > 0 && queue.length < state.queueSize) {
      const job = overflow[0] as HandoffJob;
      leftOverflow.push(job.connectionId);
      queue = [...queue, job];
      overflow = overflow.slice(1);
    }
  };
  fillFromOverflow();
  while (idle.length > 0 && queue.length > 0) {
    const workerId = idle.shift() as string;
    const job = queue[0] as HandoffJob;
    queue = queue.slice(1);
    busy[workerId] = job.connectionId;
    dispatch.push({ workerId, job });
  }
  // Dispatching made room in the queue.
  fillFromOverflow();
  return { next: { idleWorkers: idle, busyWorkers: busy, queue, overflow }, dispatch, cancelWorkers, leftOverflow };
}

/** Adds a job: to the queue when it has room, else to the overflow list. */
export function enqueueHandoff(state: HandoffQueueState, job: HandoffJob): { queue: HandoffJob[]; overflow: HandoffJob[]; overflowed: boolean } {
  // A connection has at most one handoff pending: a newer MOVING replaces the older request.
  const queue = state.queue.filter((queued) => queued.connectionId !== job.connectionId);
  const overflow = state.overflow.filter((queued) => queued.connectionId !== job.connectionId);
  if (queue.length < state.queueSize) return { queue: [...queue, job], overflow, overflowed: false };
  return { queue, overflow: [...overflow, job], overflowed: true };
}
