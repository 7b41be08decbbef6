// uvu's `test`/`suite` with two additions, for test files run through register.mjs:
// - each test (and hook) has a time limit (HITLESS_TEST_TIMEOUT_MS, default 120 s): a stuck test
//   fails with its name, and the run goes on;
// - each suite ends with a leak check: the sockets, servers, child processes and ref'd timers
//   created since the suite began must all be closed (after its `after` hooks ran). Handles are
//   compared by identity, so another file's handles can neither mask nor cause a leak.
// After the last file, a process that does not exit on its own (something still open) is ended
// with a failure instead of hanging the run.
import * as uvu from 'uvu';

const runner = globalThis.__hitlessTestRunner;
if (runner === undefined) throw new Error('timed-uvu.mjs needs tests/helpers/runner/register.mjs loaded with --import');
const LIMIT_MS = Number(process.env.HITLESS_TEST_TIMEOUT_MS || 120_000);
const LEAK_GRACE_MS = 3000;
const EXIT_GRACE_MS = 5000;

export const exec = uvu.exec;
export const suite = (name, state) => timed(uvu.suite(name, state));
export const test = timed(uvu.test);

function withLimit(what, handler) {
  return (state) => {
    let timer;
    const limit = new Promise((_, reject) => {
      timer = runner.setTimeout(() => reject(new Error(`${what} did not finish within ${LIMIT_MS} ms (HITLESS_TEST_TIMEOUT_MS)`)), LIMIT_MS);
    });
    return Promise.race([Promise.resolve().then(() => handler(state)), limit]).finally(() => clearTimeout(timer));
  };
}

function timed(t) {
  // What one file (one `run()`) registered; a fresh one after each run.
  let round = null;
  const current = () => {
    if (round !== null) return round;
    const r = { mark: null, afters: [], tornDown: false, queue: globalThis.UVU_INDEX ?? 0 };
    round = r;
    t.before(() => {
      r.mark = runner.mark();
    });
    // If the suite never reached its last test (a `before` hook threw), still run the teardown.
    t.after(async (state) => {
      if (!r.tornDown) await teardown(r, state);
    });
    return r;
  };
  const wrapped = (name, handler) => {
    current();
    t(name, withLimit(`test "${name}"`, handler));
  };
  wrapped.only = (name, handler) => {
    current();
    t.only(name, withLimit(`test "${name}"`, handler));
  };
  wrapped.skip = (...args) => t.skip(...args);
  wrapped.before = (hook) => {
    current();
    t.before(withLimit('a before hook', hook));
  };
  wrapped.before.each = (hook) => t.before.each(withLimit('a before.each hook', hook));
  wrapped.after = (hook) => {
    current().afters.push(withLimit('an after hook', hook));
  };
  wrapped.after.each = (hook) => t.after.each(withLimit('an after.each hook', hook));
  wrapped.run = () => {
    const r = current();
    round = null;
    t('leaves no socket, server, child process or timer open', async (state) => {
      await teardown(r, state);
      const deadline = Date.now() + LEAK_GRACE_MS;
      let open = runner.openSince(r.mark);
      while (open.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => runner.setTimeout(resolve, 20));
        open = runner.openSince(r.mark);
      }
      if (isLastFile(r)) exitIfStuck();
      if (open.length > 0) throw new Error(`still open ${LEAK_GRACE_MS} ms after the last test: ${open.join(', ')}`);
    });
    t.run();
  };
  return wrapped;
}

async function teardown(round, state) {
  round.tornDown = true;
  for (const hook of round.afters) await hook(state);
}

function isLastFile(round) {
  // A worker of scripts/run-tests.mjs runs many files, one queue each: the worker checks its own exit.
  if (globalThis.__hitlessWorker === true) return false;
  const queue = globalThis.UVU_QUEUE;
  return !Array.isArray(queue) || round.queue >= queue.length - 1;
}

function exitIfStuck() {
  runner
    .setTimeout(() => {
      console.error(`\nThe test process did not exit ${EXIT_GRACE_MS} ms after the last test; still active: ${process.getActiveResourcesInfo().join(', ')}`);
      process.exit(process.exitCode || 1);
    }, EXIT_GRACE_MS)
    .unref();
}
