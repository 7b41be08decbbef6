import type { Connection } from './connection.js';

/** Where the errors of failed attempts are kept (the pool's opener). */
export interface AttemptErrors {
  /** The error of the connection's last failed attempt, if it failed. */
  lastError(id: string): Error | undefined;
}

/**
 * A pool's cold start: the first connection opens alone and the others a millisecond after it is
 * ready — by when the caller's first commands were written and, on a near server, answered, so
 * their replies do not queue behind the others' dials and handshakes — or at once when it failed.
 * `connect()` resolves with the first ready connection and fails only when every first attempt did.
 */
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

  /** The pool is closing: a start still waiting fails with `error`, and nothing more is opened. */
  cancel(error: Error): void {
    this.cancelled = true;
    clearTimeout(this.timer);
    this.unspawned = 0;
    this.pending?.reject(error);
    this.pending = null;
  }

  private spawnRest(now: boolean): void {
    const count = this.unspawned;
    if (count === 0) return;
    this.unspawned = 0;
    const spawn = () => {
      this.timer = undefined;
      if (!this.cancelled) for (let i = 0; i < count; i++) this.spawn();
    };
    if (now) spawn();
    else this.timer = setTimeout(spawn, 1);
  }
}
