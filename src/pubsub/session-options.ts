import type { ResolvedClientOptions } from '../config.js';
import type { EmitEvent } from '../events.js';
import type { Logger } from '../log.js';
import type { Pool } from '../pool/pool.js';
import type { Clock } from '../transport/clock.js';
import type { SessionDependencies } from './session.js';

/** A standalone client's session: sockets opened by the pool's opener, on the pool's current address. */
export function pubsubSession(pool: Pool, options: ResolvedClientOptions, clock: Clock, logger: Logger, emit: EmitEvent): SessionDependencies {
  return {
    id: 'pubsub',
    open: (owner, endpoint, signal) => pool.openFor(owner, endpoint, signal),
    currentEndpoint: () => pool.currentEndpoint,
    configuredEndpoint: pool.configuredEndpoint,
    clock,
    emit,
    logger,
    // Its commands are few; a failover holding them must not fail them.
    commandTimeoutMs: options.commandTimeout + options.maint.relaxedTimeout,
    fenceTimeoutMs: Math.max(1000, options.commandTimeout),
    followMoves: options.maint.mode !== 'disabled',
  };
}
