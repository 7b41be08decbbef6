// Loaded with `node --import tsx --import ./tests/helpers/runner/register.mjs`: gives every test
// file's `import { test } from 'uvu'` a per-test time limit and a per-file leak check (see
// timed-uvu.mjs), and records the timers a test creates so that check can attribute them.
import { register, syncBuiltinESMExports } from 'node:module';
import timers from 'node:timers';

const original = { setTimeout: globalThis.setTimeout, setInterval: globalThis.setInterval };
// Weakly: a timer that ran or was cleared must not keep what its callback reaches alive (tests
// that show an object is garbage collected). A live timer is held by Node's timer list anyway.
const tracked = new Set();
let created = 0;

function track(timer) {
  timer.__createdSeq = ++created;
  tracked.add(new WeakRef(timer));
  if (tracked.size > 10_000) for (const ref of tracked) if (ref.deref() === undefined || ref.deref()._destroyed) tracked.delete(ref);
  return timer;
}

function patchedSetTimeout(...args) {
  return track(original.setTimeout(...args));
}
function patchedSetInterval(...args) {
  return track(original.setInterval(...args));
}
globalThis.setTimeout = Object.assign(patchedSetTimeout, original.setTimeout);
globalThis.setInterval = Object.assign(patchedSetInterval, original.setInterval);
timers.setTimeout = globalThis.setTimeout;
timers.setInterval = globalThis.setInterval;
syncBuiltinESMExports();

globalThis.__hitlessTestRunner = {
  setTimeout: original.setTimeout,
  /** A mark to compare against: what exists now is not this file's. */
  mark() {
    return { seq: created, handles: new Set(process._getActiveHandles()) };
  },
  /** Sockets, servers, child processes and ref'd timers created since `mark` that are still open. */
  openSince(mark) {
    const handles = process._getActiveHandles().filter((handle) => !mark.handles.has(handle));
    const liveTimers = [...tracked].flatMap((ref) => ref.deref() ?? []).filter((t) => t.__createdSeq > mark.seq && !t._destroyed && t.hasRef());
    return [...handles.map(describeHandle), ...liveTimers.map((t) => `timer (${t._idleTimeout} ms${t._repeat ? ', repeating' : ''})`)];
  },
};

function describeHandle(handle) {
  const name = handle?.constructor?.name ?? typeof handle;
  if (name === 'Socket' && handle.remotePort !== undefined) return `socket to ${handle.remoteAddress}:${handle.remotePort}`;
  if (name === 'Server' && typeof handle.address === 'function') return `server on ${JSON.stringify(handle.address())}`;
  if (name === 'ChildProcess') return `child process ${handle.pid} (${handle.spawnfile})`;
  return name;
}

register('./hooks.mjs', import.meta.url);
