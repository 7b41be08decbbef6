import type { Connection } from './connection.js';

export interface StartupHost {
  /** Opens one more pooled connection. */
  spawn(): void;
  /** The pooled (not dedicated) connections so far. */
  pooled(): Connection[];
  /** The error of a connection's last failed attempt, if it failed. */
  lastError(connection: Connection): Error | undefined;
  isClosing(): boolean;
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

  constructor(private readonly host: StartupHost) {}

  begin(poolSize: number): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => (this.pending = { resolve, reject }));
    this.unspawned = poolSize - 1;
    this.host.spawn();
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
    const pooled = this.host.pooled();
    if (pooled.length === 0 || !pooled.every((c) => this.host.lastError(c) !== undefined)) return;
    this.pending.reject(this.host.lastError(pooled[0] as Connection) as Error);
    this.pending = null;
  }

  /** The pool is closing: a start still waiting fails with `error`, and nothing more is opened. */
  cancel(error: Error): void {
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
      if (!this.host.isClosing()) for (let i = 0; i < count; i++) this.host.spawn();
    };
    if (now) spawn();
    else this.timer = setTimeout(spawn, 1);
  }
}
