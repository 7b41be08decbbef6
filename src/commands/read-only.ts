import type { RespArgument } from '../protocol/types.js';
import { commandEntry } from './keys.js';
import { COMMAND_TABLE } from './generated/table.js';

/** Commands whose flags depend on their subcommand (OBJECT ENCODING, XINFO STREAM, …). */
const CONTAINERS: ReadonlySet<string> = new Set(Object.keys(COMMAND_TABLE).flatMap((key) => (key.includes('|') ? [key.slice(0, key.indexOf('|'))] : [])));
const BY_NAME = new Map<string, boolean>();

/**
 * The command table's `readonly` flag (what `retryReads` may send again). Per command on the hot
 * path: a map lookup by name, except for container commands, whose subcommand decides.
 */
export function isReadOnlyCommand(upperName: string, args: readonly RespArgument[]): boolean {
  if (CONTAINERS.has(upperName)) return commandEntry(upperName, args)?.flags.includes('readonly') === true;
  let known = BY_NAME.get(upperName);
  if (known === undefined) {
    known = COMMAND_TABLE[upperName]?.flags.includes('readonly') === true;
    // Names the table does not know are not remembered (any string can be sent as a command).
    if (COMMAND_TABLE[upperName] !== undefined) BY_NAME.set(upperName, known);
  }
  return known;
}
