/**
 * `execute_rlutil_command {rlutil_command}`: the database-level switches of Redis Enterprise's
 * rlutil that a single database can honour. `pause_bdb` stops serving — every connection (and
 * every one opened meanwhile) stays open and is answered nothing — until `resume_bdb`; the action
 * itself finishes at once, as the command does. Words after the command (the database it names)
 * are accepted and ignored: the simulator serves one database.
 */
import { ConfigError } from '../../errors.js';
import type { ActionDefinition } from './index.js';
import { Params } from './params.js';

const PAUSE = 'rlutil:pause_bdb';
const COMMANDS = ['pause_bdb', 'resume_bdb'] as const;

export const rlutilAction: ActionDefinition = {
  parse(raw) {
    const params = new Params(raw, ['rlutil_command']);
    const text = params.string('rlutil_command') ?? '';
    const command = text.trim().replace(/^rlutil\s+/, '').split(/\s+/)[0]!.toLowerCase();
    if (!(COMMANDS as readonly string[]).includes(command)) throw new ConfigError('parameters.rlutil_command', text, `one of ${COMMANDS.join(', ')}`);

    return async (ctx) => {
      // Holds are sets of reasons: holding again is a no-op, and the release that holdAll returns
      // lifts the reason from every connection, whichever action placed it.
      const release = ctx.holdAll(PAUSE);
      if (command === 'resume_bdb') release();
      ctx.step(command === 'pause_bdb' ? 'database-paused' : 'database-resumed', {});
      return { output: command === 'pause_bdb' ? 'paused' : 'resumed', paused: command === 'pause_bdb' };
    };
  },
};
