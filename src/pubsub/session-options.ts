import type { ResolvedClientOptions } from '../config.js';
import { UsageError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import type { Logger } from '../log.js';
import type { Pool } from '../pool/pool.js';
import type { Clock } from '../transport/clock.js';
import type { InspectionEvent, Observer } from 'xstate';
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
    moveAttempts: options.maint.maxHandoffRetries,
    ...(options.inspect === undefined ? {} : { inspect: options.inspect as Observer<InspectionEvent> }),
  };
}

/** Why pub/sub cannot work with these options at all, or null. */
export function pubsubRefusal(options: ResolvedClientOptions, method: string): UsageError | null {
  if (options.protocol === 3) return null;
  // RESP2 messages are replies to nobody, and a RESP2 subscribed connection takes no other command (SE.Redis #3154).
  return new UsageError('ERR_UNSUPPORTED_COMMAND', `${method}() needs RESP3 (protocol: 3): subscriber sockets take pub/sub messages as push frames`);
}
