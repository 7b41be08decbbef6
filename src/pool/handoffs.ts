import type { ResolvedMaintConfig } from '../config.js';
import type { EmitEvent } from '../events.js';
import { handoffRetryWait, type HandoffJob, type WorkerDoneEvent } from '../machines/handoff-worker.machine.js';
import type { HandoffPhase, NotificationHook } from '../maintenance/hooks.js';
import { parseEndpoint, type Endpoint } from '../protocol/endpoint.js';
import type { Clock } from '../transport/clock.js';
import type { Pipeline } from '../transport/pipeline.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { Connection } from './connection.js';

export interface HandoffHost {
  config: ResolvedMaintConfig;
  clock: Clock;
  emit: EmitEvent;
  hooks: readonly NotificationHook[];
  connection(id: string): Connection | undefined;
  /** Dials `endpoint` and runs the full handshake for `connection` there. */
  openAt(connection: Connection, endpoint: Endpoint, signal: AbortSignal): Promise<{ pipeline: Pipeline }>;
  /** The pool's current address, where a failed handoff falls back to. */
  currentEndpoint(): string;
}

export const BREAKER_FAILURE_THRESHOLD = 5;
/**
 * How long an endpoint's open circuit refuses dials: short against the spread of a handoff's
 * attempts (its first gap is 1/4 of the budget), so that the next scheduled attempt finds it
 * half-open rather than spending itself on a refusal.
 */
export const breakerResetMs = (handoffTimeout: number) => Math.max(1, Math.min(1000, Math.floor(handoffTimeout / 10)));

/**
 * The socket work of a handoff, as the actors and actions the pool and worker machines run:
 * dial + handshake at the new endpoint (through a per-endpoint circuit breaker), then drain and
 * swap. Also reports each step on `events$` and to the hooks.
 */
export class HandoffCoordinator {
  private readonly breaker: CircuitBreaker;
  private readonly started = new Map<string, { at: number; from: string }>();
  /** An endpoint's half-open probe in flight: other dials there wait for its outcome. */
  private readonly probes = new Map<string, Promise<void>>();

  constructor(private readonly host: HandoffHost) {
    this.breaker = new CircuitBreaker(host.clock, { failureThreshold: BREAKER_FAILURE_THRESHOLD, resetMs: breakerResetMs(host.config.handoffTimeout) });
  }

  /**
   * A worker's wait before its next dial attempt: the attempts are spread over the handoff's
   * window — `handoffTimeout` from the first attempt, cut to the MOVING's deadline — counting the
   * time the failed attempts took.
   */
  retryDelay(job: HandoffJob, attempt: number): number {
    const now = this.host.clock.now();
    const started = this.started.get(job.connectionId)?.at ?? now;
    const windowMs = Math.min(this.host.config.handoffTimeout, job.deadlineAt - started);
    return handoffRetryWait(attempt, this.host.config.maxHandoffRetries, windowMs, now - started);
  }

  /** Handoff step 2 (a worker's `openTarget`): dial + full handshake at the new endpoint. */
  async openTarget(job: HandoffJob, attempt: number, signal: AbortSignal): Promise<void> {
    const connection = this.require(job.connectionId);
    if (attempt === 1) {
      this.started.set(job.connectionId, { at: this.host.clock.now(), from: connection.endpointText });
      this.host.emit({ type: 'handoff.started', connectionId: job.connectionId, from: connection.endpointText, to: job.endpoint, seq: job.seq });
      this.notifyHooks('started', connection, job.endpoint);
    }
    const endpoint = parseEndpoint(job.endpoint);
    if (endpoint.kind !== 'endpoint') throw new Error(`cannot hand off to "${job.endpoint}"`);
    let settleProbe: (() => void) | undefined;
    try {
      settleProbe = await this.admit(job.endpoint, signal);
    } catch (error) {
      if (!signal.aborted) this.retried(job, attempt, error);
      throw error;
    }
    try {
      const { pipeline } = await this.host.openAt(connection, endpoint.endpoint, signal);
      this.breaker.success(job.endpoint);
      if (signal.aborted) {
        pipeline.destroy('was on a handoff socket that was abandoned');
        return;
      }
      connection.stage(pipeline, endpoint.endpoint);
    } catch (error) {
      this.breaker.failure(job.endpoint);
      this.retried(job, attempt, error);
      throw error;
    } finally {
      // Only now that the breaker knows the probe's outcome may the dials waiting on it look again.
      settleProbe?.();
    }
  }

  private retried(job: HandoffJob, attempt: number, error: unknown): void {
    if (attempt < this.host.config.maxHandoffRetries) this.host.emit({ type: 'handoff.retried', connectionId: job.connectionId, to: job.endpoint, seq: job.seq, attempt, reason: (error as Error).message });
  }

  /**
   * Lets a dial through the endpoint's breaker, after waiting for a probe in flight there; throws
   * when the circuit is open. When this dial is the half-open probe, returns what settles it.
   */
  private async admit(endpoint: string, signal: AbortSignal): Promise<(() => void) | undefined> {
    const probe = this.probes.get(endpoint);
    if (probe !== undefined) await probe;
    if (signal.aborted) throw new Error('the handoff was abandoned');
    const halfOpen = this.breaker.state(endpoint) === 'half-open';
    if (!this.breaker.allow(endpoint)) throw new Error(`circuit open for ${endpoint} after repeated dial failures`);
    if (!halfOpen) return undefined;
    let settle: () => void = () => {};
    this.probes.set(endpoint, new Promise<void>((resolve) => (settle = resolve)));
    return () => {
      this.probes.delete(endpoint);
      settle();
    };
  }

  /**
   * Handoff steps 3–4 (a worker's `swap`): drain the old socket — until the MOVING's deadline, and
   * within the handoff's budget with a margin, so that the worker's own timeout never races it.
   */
  async swap(job: HandoffJob): Promise<void> {
    const connection = this.require(job.connectionId);
    const now = this.host.clock.now();
    const budget = this.host.config.handoffTimeout;
    const started = this.started.get(job.connectionId)?.at ?? now;
    const margin = Math.min(100, budget / 10);
    const bound = Math.max(0, Math.min(job.deadlineAt - now, started + budget - margin - now));
    await connection.swap(bound, this.host.clock);
  }

  /** The pool machine's report that a worker finished (or gave up on) a job. */
  ended(done: WorkerDoneEvent): void {
    const { job } = done;
    const connection = this.host.connection(job.connectionId);
    const started = this.started.get(job.connectionId);
    this.started.delete(job.connectionId);
    const durationMs = started === undefined ? 0 : this.host.clock.now() - started.at;
    if (done.ok) {
      this.host.emit({ type: 'handoff.succeeded', connectionId: job.connectionId, from: started?.from ?? '', to: job.endpoint, seq: job.seq, attempts: done.attempts, durationMs });
      if (connection) this.notifyHooks('succeeded', connection, job.endpoint, durationMs);
      return;
    }
    const reason = done.reason ?? 'handoff failed';
    this.host.emit({ type: 'handoff.failed', connectionId: job.connectionId, to: job.endpoint, seq: job.seq, attempts: done.attempts, reason });
    if (connection) {
      this.notifyHooks('failed', connection, job.endpoint, durationMs);
      this.host.emit({ type: 'handoff.fellBack', connectionId: job.connectionId, to: this.host.currentEndpoint(), reason });
    }
  }

  /** The connection left handingOff before its worker reported (closed, stopped): a failed handoff. */
  cancelled(connectionId: string): void {
    const started = this.started.get(connectionId);
    if (started === undefined) return;
    this.started.delete(connectionId);
    const connection = this.host.connection(connectionId);
    const to = this.host.currentEndpoint();
    this.host.emit({ type: 'handoff.failed', connectionId, to, seq: -1, attempts: 0, reason: 'cancelled: the connection closed during the handoff' });
    if (connection) this.notifyHooks('failed', connection, to, this.host.clock.now() - started.at);
  }

  queued(job: HandoffJob, overflow: boolean): void {
    const connection = this.host.connection(job.connectionId);
    this.host.emit({ type: 'handoff.queued', connectionId: job.connectionId, from: connection?.endpointText ?? '', to: job.endpoint, seq: job.seq, overflow });
  }

  private notifyHooks(phase: HandoffPhase, connection: Connection, endpoint: string, durationMs?: number): void {
    for (const hook of this.host.hooks) {
      try {
        hook.onHandoff?.(phase, { connectionId: connection.id, endpoint, ...(durationMs === undefined ? {} : { durationMs }) });
      } catch {
        // A hook must never break a handoff.
      }
    }
  }

  private require(id: string): Connection {
    const connection = this.host.connection(id);
    if (connection === undefined) throw new Error(`connection ${id} is gone`);
    return connection;
  }
}
