// One worker of scripts/run-tests.mjs, started with `--import tsx --import ./register.mjs`: it
// runs the test files the parent hands it over IPC, one at a time, each as its own uvu run (its
// own "Total/Passed" lines), and ends each with a marker line on stdout so the parent can tell
// which output belongs to which file. Told to finish, it must exit on its own: anything still
// open then is reported and the worker ends with a failure instead of hanging the run.
import { pathToFileURL } from 'node:url';

globalThis.UVU_DEFER = 1;
globalThis.__hitlessWorker = true;
const uvu = await import('uvu');
const EXIT_GRACE_MS = 5000;
const runner = globalThis.__hitlessTestRunner;

process.on('message', async (message) => {
  if (message.type === 'finish') {
    process.disconnect();
    runner
      .setTimeout(() => {
        console.error(`\nA test worker did not exit ${EXIT_GRACE_MS} ms after its last file; still active: ${process.getActiveResourcesInfo().join(', ')}`);
        process.exit(1);
      }, EXIT_GRACE_MS)
      .unref();
    return;
  }
  globalThis.UVU_QUEUE = [[message.name]];
  globalThis.UVU_INDEX = 0;
  try {
    await import(pathToFileURL(message.file).href);
    await uvu.exec(false);
  } catch (error) {
    process.stdout.write(`\n  FAIL  ${message.name} did not load: ${error?.stack ?? error}\n  Total:     1\n  Passed:    0\n`);
  }
  process.exitCode = 0;
  process.stdout.write(`\n${message.marker}\n`);
});
process.send({ type: 'ready' });
