import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HandoffJob } from '../../src/machines/handoff-worker.machine.js';
import { enqueueHandoff, scheduleHandoffs, type HandoffQueueState } from '../../src/pool/handoff-queue.js';

const job = (connectionId: string, seq = 1): HandoffJob => ({ connectionId, seq, endpoint: 'h:2', deadlineAt: 15_000 });

function state(overrides: Partial<HandoffQueueState> = {}): HandoffQueueState {
  return { queueSize: 3, idleWorkers: [], busyWorkers: {}, queue: [], overflow: [], ...overrides };
}

/** Applies enqueue + schedule the way the pool does for one `handoff.request`. */
function request(s: HandoffQueueState, j: HandoffJob): { state: HandoffQueueState; overflowed: boolean; dispatch: Array<{ workerId: string; job: HandoffJob }> } {
  const { queue, overflow, overflowed } = enqueueHandoff(s, j);
  const schedule = scheduleHandoffs({ ...s, queue, overflow });
  return { state: { ...s, ...schedule.next }, overflowed, dispatch: schedule.dispatch };
}

const ids = (jobs: HandoffJob[]): string[] => jobs.map((j) => j.connectionId);

test('dispatches queued jobs to idle workers in FIFO order', () => {
  const s = state({ idleWorkers: ['w1', 'w2'], queue: [job('a'), job('b'), job('c')] });
  const schedule = scheduleHandoffs(s);
  assert.equal(schedule.dispatch, [
    { workerId: 'w1', job: job('a') },
    { workerId: 'w2', job: job('b') },
  ]);
  assert.equal(ids(schedule.next.queue), ['c']);
  assert.equal(schedule.next.idleWorkers, []);
  assert.equal(schedule.next.busyWorkers, { w1: 'a', w2: 'b' });
  assert.equal(schedule.cancelWorkers, []);
  assert.equal(schedule.leftOverflow, []);
  // The input state is not mutated.
  assert.equal(ids(s.queue), ['a', 'b', 'c']);
  assert.equal(s.idleWorkers, ['w1', 'w2']);
  assert.equal(s.busyWorkers, {});
});

test('nothing to dispatch without idle workers or without jobs', () => {
  const noWorkers = scheduleHandoffs(state({ busyWorkers: { w1: 'x' }, queue: [job('a')] }));
  assert.equal(noWorkers.dispatch, []);
  assert.equal(ids(noWorkers.next.queue), ['a']);
  const noJobs = scheduleHandoffs(state({ idleWorkers: ['w1'] }));
  assert.equal(noJobs.dispatch, []);
  assert.equal(noJobs.next.idleWorkers, ['w1']);
});

test('requests one after another: first come, first served as workers free up', () => {
  let s = state({ queueSize: 5, idleWorkers: ['w1'] });
  const served: string[] = [];
  for (const id of ['a', 'b', 'c']) {
    const r = request(s, job(id));
    s = r.state;
    served.push(...r.dispatch.map((d) => d.job.connectionId));
  }
  assert.equal(served, ['a']);
  assert.equal(ids(s.queue), ['b', 'c']);
  // w1 finishes: the pool frees it and schedules again.
  for (const expected of ['b', 'c']) {
    const { w1: _done, ...busy } = s.busyWorkers;
    const schedule = scheduleHandoffs({ ...s, busyWorkers: busy, idleWorkers: [...s.idleWorkers, 'w1'] });
    assert.equal(schedule.dispatch.map((d) => d.job.connectionId), [expected]);
    s = { ...s, ...schedule.next };
  }
  assert.equal(s.queue, []);
});

test('the queue is bounded by queueSize; extra requests go to the overflow', () => {
  let s = state({ queueSize: 2 });
  const flags: boolean[] = [];
  for (const id of ['a', 'b', 'c', 'd']) {
    const r = enqueueHandoff(s, job(id));
    flags.push(r.overflowed);
    s = { ...s, queue: r.queue, overflow: r.overflow };
  }
  assert.equal(flags, [false, false, true, true]);
  assert.equal(ids(s.queue), ['a', 'b']);
  assert.equal(ids(s.overflow), ['c', 'd']);
  // Scheduling without a free worker or free room moves nothing.
  const schedule = scheduleHandoffs(s);
  assert.equal(ids(schedule.next.queue), ['a', 'b']);
  assert.equal(ids(schedule.next.overflow), ['c', 'd']);
  assert.equal(schedule.leftOverflow, []);
});

test('overflow moves into the queue, oldest first, as room frees (a cancel)', () => {
  const s = state({ queueSize: 2, queue: [job('a'), job('b')], overflow: [job('c'), job('d')] });
  const schedule = scheduleHandoffs(s, 'a');
  assert.equal(ids(schedule.next.queue), ['b', 'c']);
  assert.equal(ids(schedule.next.overflow), ['d']);
  assert.equal(schedule.leftOverflow, ['c'], "c's overflow expiry must be cancelled");
});

test('overflow moves into the queue as room frees (a room made by queue size)', () => {
  const s = state({ queueSize: 4, queue: [job('a')], overflow: [job('c'), job('d'), job('e'), job('f')] });
  const schedule = scheduleHandoffs(s);
  assert.equal(ids(schedule.next.queue), ['a', 'c', 'd', 'e']);
  assert.equal(ids(schedule.next.overflow), ['f']);
  assert.equal(schedule.leftOverflow, ['c', 'd', 'e']);
});

test('overflow moves into the queue as room frees (room made by a dispatch in the same step)', () => {
  // Queue full, an overflowing job, and a worker just became idle (the pool's state on worker.done).
  const s = state({ queueSize: 1, idleWorkers: ['w1'], busyWorkers: { w2: 'x' }, queue: [job('a')], overflow: [job('b')] });
  const schedule = scheduleHandoffs(s);
  assert.equal(schedule.dispatch, [{ workerId: 'w1', job: job('a') }]);
  // After the step the queue has room again: b must not keep waiting (and expiring) in the overflow.
  assert.equal(ids(schedule.next.overflow), [], 'no job stays in the overflow while the queue has room');
  assert.equal(ids(schedule.next.queue), ['b']);
  assert.equal(schedule.leftOverflow, ['b']);
});

test('a newer request for the same connection replaces the older one (queue)', () => {
  const s = state({ queueSize: 2, queue: [job('a', 1), job('b', 1)] });
  const r = enqueueHandoff(s, job('a', 2));
  assert.is(r.overflowed, false);
  assert.is(r.queue.length, 2);
  assert.equal(
    r.queue.filter((j) => j.connectionId === 'a'),
    [job('a', 2)],
  );
  assert.equal(r.overflow, []);
});

test('a newer request for the same connection replaces the older one (overflow)', () => {
  const s = state({ queueSize: 1, queue: [job('a', 1)], overflow: [job('b', 1), job('c', 1)] });
  const r = enqueueHandoff(s, job('b', 2));
  assert.is(r.overflowed, true);
  assert.equal(ids(r.queue), ['a']);
  assert.is(r.overflow.length, 2);
  assert.equal(
    r.overflow.filter((j) => j.connectionId === 'b'),
    [job('b', 2)],
  );
});

test('cancel removes a queued job', () => {
  const s = state({ idleWorkers: [], busyWorkers: { w1: 'x' }, queue: [job('a'), job('b'), job('c')] });
  const schedule = scheduleHandoffs(s, 'b');
  assert.equal(ids(schedule.next.queue), ['a', 'c']);
  assert.equal(schedule.cancelWorkers, []);
  assert.equal(schedule.leftOverflow, []);
  assert.equal(schedule.next.busyWorkers, { w1: 'x' });
});

test('cancel removes an overflowing job (its expiry is listed in leftOverflow)', () => {
  const s = state({ queueSize: 1, busyWorkers: { w1: 'x' }, queue: [job('a')], overflow: [job('b'), job('c')] });
  const schedule = scheduleHandoffs(s, 'c');
  assert.equal(ids(schedule.next.queue), ['a']);
  assert.equal(ids(schedule.next.overflow), ['b']);
  assert.equal(schedule.leftOverflow, ['c']);
  assert.equal(schedule.cancelWorkers, []);
});

test('cancel stops a running job: its worker is listed in cancelWorkers and is idle again', () => {
  const s = state({ idleWorkers: [], busyWorkers: { w1: 'a', w2: 'b' }, queue: [] });
  const schedule = scheduleHandoffs(s, 'b');
  assert.equal(schedule.cancelWorkers, [{ workerId: 'w2', connectionId: 'b' }]);
  assert.equal(schedule.next.busyWorkers, { w1: 'a' });
  assert.equal(schedule.next.idleWorkers, ['w2']);
  assert.equal(schedule.dispatch, []);
});

test('a worker freed by a cancel takes the next queued job in the same step', () => {
  const s = state({ busyWorkers: { w1: 'a' }, queue: [job('b')] });
  const schedule = scheduleHandoffs(s, 'a');
  assert.equal(schedule.cancelWorkers, [{ workerId: 'w1', connectionId: 'a' }]);
  assert.equal(schedule.dispatch, [{ workerId: 'w1', job: job('b') }]);
  assert.equal(schedule.next.busyWorkers, { w1: 'b' });
  assert.equal(schedule.next.queue, []);
});

test('cancel for a connection with nothing pending changes nothing', () => {
  const s = state({ queueSize: 1, busyWorkers: { w1: 'a' }, queue: [job('b')], overflow: [job('c')] });
  const schedule = scheduleHandoffs(s, 'zzz');
  assert.equal(schedule.cancelWorkers, []);
  assert.equal(schedule.leftOverflow, []);
  assert.equal(schedule.dispatch, []);
  assert.equal(schedule.next, { idleWorkers: [], busyWorkers: { w1: 'a' }, queue: [job('b')], overflow: [job('c')] });
});

test.run();
