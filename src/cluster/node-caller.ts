import type { CommandCaller } from '../commands/methods.js';
import { encodeCommand } from '../protocol/encoder.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import type { ClusterNode } from './node.js';

/** A caller pinned to one node, with no redirects: for per-node walks such as SCAN. */
export function nodeCaller(node: ClusterNode, clock: Clock, timeoutMs: number): CommandCaller {
  const send = (command: string, args: RespArgument[], binary: boolean) =>
    new Promise<RespValue>((resolve, reject) => {
      const pending = new PendingCommand(command.toUpperCase(), encodeCommand([command, ...args]), clock.now(), timeoutMs, 0, resolve, reject);
      pending.binary = binary;
      node.send(pending);
    });
  return {
    call: (command, ...args) => send(command, args, false),
    callBuffer: (command, ...args) => send(command, args, true),
  };
}
