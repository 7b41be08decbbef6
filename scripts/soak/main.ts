/**
 * `npm run soak -- --seconds N --seed S [--command-timeout MS] [--quiet] [--json]`: runs the chaos
 * soak (run.ts), prints the actions and noteworthy events as they happen (not with --quiet), the
 * report (with --json, or on failure), and one summary line; exits 1 on any
 * invariant breach (printing the command that replays the seed), also when the run hangs
 * (a watchdog ends it WATCHDOG_S past its length).
 */
import { runSoak } from './run.js';
import { summaryLine } from './report.js';
import { integerFlag } from '../integer-flag.js';

/** The watchdog: the run itself flags an overrun of 8 s; this ends a process that hangs beyond. */
const WATCHDOG_S = 10;

const args = process.argv.slice(2);
const value = (name: string, fallback: number) => integerFlag(args, name, fallback);
const seconds = value('seconds', 60);
const seed = value('seed', Math.floor(Math.random() * 2 ** 31));
const commandTimeout = value('command-timeout', 500);
const replay = `npm run soak -- --seconds ${seconds} --seed ${seed}${commandTimeout === 500 ? '' : ` --command-timeout ${commandTimeout}`}`;
const quiet = args.includes('--quiet');
console.log(`soak: ${seconds} s, seed ${seed}`);
const watchdog = setTimeout(() => {
  console.log(`soak FAIL seed ${seed}: still running ${WATCHDOG_S} s past its ${seconds} s. Replay: ${replay}`);
  process.exit(1);
}, (seconds + WATCHDOG_S) * 1000);
watchdog.unref();
const report = await runSoak({ seconds, seed, commandTimeout, log: (line) => quiet || console.log(line) });
if (args.includes('--json') || report.violations.length > 0) console.log(JSON.stringify(report, null, 2));
console.log(summaryLine(report));
if (report.violations.length > 0) console.log(`FAILED seed ${seed}. Replay: ${replay}`);
// Everything was closed; exit at once rather than wait for a stray timer.
process.exit(report.violations.length > 0 ? 1 : 0);
