import type { Connection } from './connection.js';

/** Where the errors of failed attempts are kept (the pool's opener). */
export interface AttemptErrors {
  /** The error of the connection's last failed attempt, if it failed. */
  lastError(id: string): Error | undefined;
}

/**
 * A pool's cold start: the first connection opens alone and the others once the caller's first
 * commands have been answered (checked every millisecond from when it is ready, for at most
 * REST_WAIT_MS), so those replies do not queue behind the others' dials and handshakes on the
 * event loop — or at once when it failed. `connect()` resolves with the first ready connection
 * and fails only when every first attempt did.
 */
/** The longest the rest of the pool waits for the first connection's commands to be answered. */
const REST_WAIT_MS = 20;

export class PoolStartup {
  private pending: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private unspawned = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private cancelled = false;

  constructor(
    /** Opens one more pooled connection. */
    private readonly spawn: () => void,
    private readonly connections: ReadonlyMap<string, Connection>,
    private readonly errors: AttemptErrors,
  ) {}

  /** Some pooled connection has commands in flight. */
  private busy(): boolean {
    for (const connection of this.connections.values()) if (!connection.dedicated && connection.inflight > 0) return true;
    return false;
  }

  begin(poolSize: number): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => (this.pending = { resolve, reject }));
    this.unspawned = poolSize - 1;
    this.spawn();
    return ready;
  }

  /** A pooled connection is ready. */
  ready(): void {
    this.pending?.resolve();
    this.pending = null;
    this.spawnRest(false);
  }

  /** A pooled connection failed an attempt: the rest try now; connect() fails when they all did. */
  failed(): void {
    this.spawnRest(true);
    if (this.pending === null) return;
    const pooled = [...this.connections.values()].filter((c) => !c.dedicated);
    if (pooled.length === 0 || !pooled.every((c) => this.errors.lastError(c.id) !== undefined)) return;
    this.pending.reject(this.errors.lastError((pooled[0] as Connection).id) as Error);
    this.pending = null;
  }

  /** The pool is closing: a start still waiting fails with `error()` (made only then), and nothing more is opened. */
  cancel(error: () => Error): void {
    this.cancelled = true;
    clearTimeout(this.timer);
    this.unspawned = 0;
    this.pending?.reject(error());
    this.pending = null;
  }

  private spawnRest(now: boolean): void {
    const count = this.unspawned;
    if (count === 0) return;
    this.unspawned = 0;
    const until = performance.now() + REST_WAIT_MS;
    const spawn = () => {
      this.timer = undefined;
      if (this.cancelled) return;
      if (!now && this.busy() && performance.now() < until) {
        this.timer = setTimeout(spawn, 1);
        return;
      }
      for (let i = 0; i < count; i++) this.spawn();
    };
    if (now) spawn();
    else this.timer = setTimeout(spawn, 1);
  }
}
