import { UsageError } from '../errors.js';
import { encodeCommand, isRespArgument } from '../protocol/encoder.js';
import type { RespArgument } from '../protocol/types.js';
import { PendingCommand } from '../transport/command.js';
import { invalidArgument, refusalReason } from '../commands/command-kinds.js';
import type { Settled } from './exec-outcome.js';

/** One command of a `multi()`: its name, then its arguments. */
export type CommandTuple = [command: string, ...args: RespArgument[]];


/** Checks the entries of a multi() call; throws a UsageError naming the first bad one. */
export function validateTuples(commands: unknown, method: string): asserts commands is CommandTuple[] {
  if (!Array.isArray(commands) || commands.length === 0) throw new UsageError('ERR_INVALID_ARGUMENT', `${method} takes a non-empty array of [command, ...args]`);
  for (const tuple of commands) {
    const [name, ...args] = Array.isArray(tuple) ? (tuple as unknown[]) : [];
    if (typeof name !== 'string' || name === '') throw new UsageError('ERR_INVALID_ARGUMENT', `Each ${method} entry must start with a command name`);
    args.forEach((arg, i) => {
      if (!isRespArgument(arg)) throw invalidArgument(name, i, arg);
    });
    const upper = name.toUpperCase();
    // Inside MULTI the same commands would change the connection just as well.
    const refusal = refusalReason(upper, args);
    if (refusal !== undefined) throw new UsageError('ERR_UNSUPPORTED_COMMAND', `${upper} cannot appear inside ${method}: ${refusal}`);
  }
}

/** `MULTI, …commands, EXEC` as pending commands, and a promise per command that never rejects. */
export function transactionBatch(commands: CommandTuple[], now: number, timeout: number): { pending: PendingCommand[]; settled: Array<Promise<Settled>> } {
  const settled: Array<Promise<Settled>> = [];
  const pending = [['MULTI'] as CommandTuple, ...commands, ['EXEC'] as CommandTuple].map((tuple) => {
    let command!: PendingCommand;
    settled.push(
      new Promise((resolve) => {
        command = new PendingCommand(
          tuple[0].toUpperCase(),
          encodeCommand(tuple),
          now,
          timeout,
          0,
          (value) => resolve({ ok: true, value }),
          (error) => resolve({ ok: false, value: error }),
        );
      }),
    );
    return command;
  });
  return { pending, settled };
}
