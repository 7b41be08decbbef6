/**
 * `npm run demo` (terminal dashboard) and `npm run dashboard` (= `--web`): a maintenance drill
 * against a live workload. `--help` lists the flags. Exits 0 when the hitless run had no failed
 * command and every action ran, 1 otherwise, 2 on bad flags or when the demo could not start,
 * 130 when interrupted.
 */
import { HELP, parseDemoArgs, type DemoOptions } from './args.js';
import { runAll, startWebDemo, type DemoResult } from './demo.js';

async function main(options: DemoOptions): Promise<DemoResult> {
  let interrupt = () => {};
  const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
  const onSigint = () => interrupt();
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    if (!options.web) {
      const abort = new AbortController();
      void interrupted.then(() => abort.abort());
      return await runAll(options, { out: process.stdout, server: null, signal: abort.signal });
    }
    const demo = await startWebDemo(options, process.stdout);
    void interrupted.then(() => demo.stop());
    try {
      const result = await demo.finished;
      if (options.keepOpen && !result.interrupted) {
        process.stdout.write(`\nstill serving ${demo.url} — Ctrl-C to stop\n`);
        await interrupted;
      }
      return result;
    } finally {
      await demo.stop();
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

let options: DemoOptions | null;
try {
  options = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
  process.exit(2);
}
if (options === null) {
  process.stdout.write(HELP);
} else {
  try {
    const result = await main(options);
    process.exitCode = result.interrupted ? 130 : result.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  }
}
