import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMAND_TABLE } from '../../src/commands/generated/table.js';
import { commandKeyIndexes } from '../../src/commands/keys.js';
import { commandSlot, CROSSSLOT, KEYLESS } from '../../src/cluster/routing-keys.js';
import { keySlot } from '../../src/cluster/slot.js';

/** The general rule, without the first-argument fast path. */
function general(name: string, args: string[]): number {
  const indexes = commandKeyIndexes(name, args) ?? [];
  if (indexes.length === 0) return KEYLESS;
  const slots = new Set(indexes.map((index) => keySlot(args[index] as string)));
  return slots.size > 1 ? CROSSSLOT : (slots.values().next().value as number);
}

test('for every command of the table, the fast path gives what the key specs give', () => {
  const argSets = [['k1', 'k2', 'k3', 'k4', 'k5', 'k6'], ['2', 'k1', 'k2', 'v'], ['STREAMS', 's1', 's2', '0', '0'], ['{t}a', '{t}b', '{t}c']];
  let compared = 0;
  for (const name of Object.keys(COMMAND_TABLE)) {
    const [command, sub] = name.split('|') as [string, string | undefined];
    for (const base of argSets) {
      const args = sub === undefined ? base : [sub, ...base];
      assert.is(commandSlot(command, args), general(command, args), `${command} ${args.join(' ')}`);
      compared++;
    }
  }
  assert.ok(compared > 1000);
  assert.is(commandSlot('GET', ['a']), keySlot('a'));
  assert.is(commandSlot('NOSUCHCOMMAND', ['a']), KEYLESS);
  assert.is(commandSlot('GET', []), KEYLESS);
});

test.run();
