import { createActor, toPromise, type Actor, type InspectionEvent, type Observer } from 'xstate';
import type { ResolvedClientOptions } from '../config.js';
import type { Logger } from '../log.js';
import type { ConnectionInput } from '../machines/connection.machine.js';
import { rootActorOptions } from '../machines/shared-system.js';
import type { Clock } from '../transport/clock.js';
import type { Connection } from './connection.js';
import type { HandoffCoordinator } from './handoffs.js';
import type { poolMachine } from './pool.machine.js';
import { attachRuntime, poolLogic } from './pool-logic.js';
import { PoolActorRuntime } from './pool-runtime.js';

export interface PoolActorsDependencies {
  options: ResolvedClientOptions;
  clock: Clock;
  logger: Logger;
  connections: ReadonlyMap<string, Connection>;
  /** Made with the first handoff. */
  makeCoordinator(): HandoffCoordinator;
}

/**
 * A pool's actors: the supervising pool actor and, under it, one actor per connection that has
 * something to supervise. Neither is made before it is needed (see Connection.firstOpen): a
 * connection that opens and then idles is a socket and a few fields, and a client whose
 * connections all do holds no actor at all. An inspected client makes them all at once, so that
 * the inspector sees every machine from its start.
 */
export class PoolActors {
  /** The pool actor, once made. */
  actor: Actor<typeof poolMachine> | null = null;

  constructor(private readonly deps: PoolActorsDependencies) {}

  get eager(): boolean {
    return this.deps.options.inspect !== undefined;
  }

  /** The pool actor, made and started on first use. */
  pool(): Actor<typeof poolMachine> {
    if (this.actor !== null) return this.actor;
    const { options, clock, logger } = this.deps;
    const runtime = new PoolActorRuntime(this.deps.connections, this.deps.makeCoordinator);
    const inspect = options.inspect as Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
    const { maxWorkers: workers, handoffQueueSize: queueSize, handoffTimeout: handoffTimeoutMs, maxHandoffRetries: maxHandoffAttempts } = options.maint;
    const actor = createActor(poolLogic, { input: { workers, queueSize, handoffTimeoutMs, maxHandoffAttempts }, ...rootActorOptions(clock, inspect) });
    runtime.actor = actor;
    attachRuntime(actor, runtime);
    actor.subscribe({ error: (error) => logger.error('pool supervisor failed', error) });
    this.actor = actor;
    actor.start();
    return actor;
  }

  /** Spawns `connection`'s actor under the pool actor, starting in `startIn` (absent: it makes the first attempt), and attaches it. */
  spawn(connection: Connection, startIn?: ConnectionInput['startIn']): void {
    const { maint } = this.deps.options;
    const postHandoffRelaxMs = maint.mode === 'disabled' ? 0 : maint.postHandoffRelaxedDuration;
    const actor = this.pool();
    const input: ConnectionInput = { id: connection.id, endpoint: connection.endpointText, postHandoffRelaxMs, handoffTimeoutMs: maint.handoffTimeout, ...(startIn === undefined ? {} : { startIn }) };
    actor.send({ type: 'connection.spawn', input });
    const ref = actor.getSnapshot().children[connection.id];
    if (ref === undefined) throw new Error(`connection actor ${connection.id} was not spawned`);
    connection.attach(ref as never);
  }

  /** Closes one connection: through its actor, or by itself when it has none. */
  stop(connection: Connection): void {
    if (connection.ref === null) void connection.closeWithoutActor();
    else this.actor?.send({ type: 'connection.stop', id: connection.id });
  }

  /** Closes every connection; resolves when all are closed. */
  closeAll(): Promise<void> {
    // Connections without an actor close themselves; the pool actor closes the others.
    const closing = [...this.deps.connections.values()].flatMap((c) => (c.ref === null ? [c.closeWithoutActor()] : []));
    this.actor?.send({ type: 'close' });
    return Promise.all([...closing, this.poolClosed()]).then(() => undefined);
  }

  private poolClosed(): Promise<void> {
    if (this.actor === null || this.actor.getSnapshot().status !== 'active') return Promise.resolve();
    return toPromise(this.actor).then(
      () => undefined,
      () => undefined,
    );
  }
}
