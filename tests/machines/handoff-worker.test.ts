import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, createActor, fromPromise, sendTo, setup, SimulatedClock, type AnyActorRef } from 'xstate';
import {
  handoffAttemptOffset,
  handoffRetryDelay,
  handoffRetryWait,
  handoffWorkerMachine,
  HANDOFF_RETRY_BASE_MS,
  HANDOFF_RETRY_MAX_MS,
  type HandoffJob,
  type HandoffWorkerEvent,
  type WorkerDoneEvent,
} from '../../src/machines/handoff-worker.machine.js';

interface Pending<I> {
  input: I;
  signal: AbortSignal;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * A tiny parent that invokes one worker (with fake openTarget/swap the test settles by hand),
 * forwards `job`/`cancel` to it and records every `worker.done` it reports.
 */
function harness(options: { maxAttempts?: number; handoffTimeoutMs?: number } = {}) {
  const clock = new SimulatedClock();
  const dials: Array<Pending<{ job: HandoffJob; attempt: number }>> = [];
  const swaps: Array<Pending<{ job: HandoffJob }>> = [];
  const worker = handoffWorkerMachine.provide({
    actors: {
      openTarget: fromPromise<void, { job: HandoffJob; attempt: number }>(
        ({ input, signal }) => new Promise<void>((resolve, reject) => dials.push({ input, signal, resolve, reject })),
      ),
      swap: fromPromise<void, { job: HandoffJob }>(({ input, signal }) => new Promise<void>((resolve, reject) => swaps.push({ input, signal, resolve, reject }))),
    },
  });
  const parent = setup({
    types: {
      context: {} as { done: WorkerDoneEvent[] },
      events: {} as WorkerDoneEvent | HandoffWorkerEvent,
    },
    actors: { worker },
  }).createMachine({
    context: { done: [] },
    invoke: {
      id: 'worker',
      src: 'worker',
      input: { id: 'w1', maxAttempts: options.maxAttempts ?? 3, handoffTimeoutMs: options.handoffTimeoutMs ?? 15_000 },
    },
    on: {
      'worker.done': { actions: assign({ done: ({ context, event }) => [...context.done, event] }) },
      job: { actions: sendTo('worker', ({ event }) => event) },
      cancel: { actions: sendTo('worker', ({ event }) => event) },
    },
  });
  const actor = createActor(parent, { clock });
  const errors: unknown[] = [];
  actor.subscribe({ error: (error) => errors.push(error) });
  actor.start();
  const child = (): AnyActorRef => {
    const ref = (actor.getSnapshot().children as Record<string, AnyActorRef | undefined>)['worker'];
    if (ref === undefined) throw new Error('worker not running');
    return ref;
  };
  const last = <T>(list: T[], what: string): T => {
    const item = list[list.length - 1];
    if (item === undefined) throw new Error(`no ${what} yet`);
    return item;
  };
  return {
    clock,
    actor,
    dials,
    swaps,
    errors,
    done: () => actor.getSnapshot().context.done,
    workerState: (): unknown => child().getSnapshot().value,
    workerContext: () => child().getSnapshot().context as { job: HandoffJob | null; attempt: number; lastError: string | null },
    lastDial: () => last(dials, 'dial'),
    lastSwap: () => last(swaps, 'swap'),
  };
}

/** Lets settled fake promises reach the actors before the clock moves. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

const job = (connectionId = 'c1', seq = 1): HandoffJob => ({ connectionId, seq, endpoint: 'h:2', deadlineAt: 15_000 });

test('success: openTarget, then swap, then worker.done ok with attempts 1; back to idle', async () => {
  const h = harness();
  assert.is(h.workerState(), 'idle');
  const j = job();
  h.actor.send({ type: 'job', job: j });
  assert.equal(h.workerState(), { busy: 'dialing' });
  assert.is(h.dials.length, 1);
  assert.equal(h.lastDial().input, { job: j, attempt: 1 });
  assert.is(h.swaps.length, 0, 'no swap before the target is open');
  h.lastDial().resolve();
  await flush();
  assert.equal(h.workerState(), { busy: 'draining' });
  assert.is(h.swaps.length, 1);
  assert.equal(h.lastSwap().input, { job: j });
  assert.equal(h.done(), []);
  h.lastSwap().resolve();
  await flush();
  assert.equal(h.done(), [{ type: 'worker.done', workerId: 'w1', job: j, ok: true, reason: null, attempts: 1 }]);
  assert.is(h.workerState(), 'idle');
  assert.is(h.workerContext().job, null);
  // The handoff timer was cancelled with the job.
  h.clock.increment(60_000);
  await flush();
  assert.is(h.done().length, 1);
  // It takes the next job.
  h.actor.send({ type: 'job', job: job('c2', 2) });
  assert.equal(h.workerState(), { busy: 'dialing' });
  assert.equal(h.lastDial().input, { job: job('c2', 2), attempt: 1 });
  assert.equal(h.errors, []);
  h.actor.stop();
});

test('handoffRetryDelay (a re-handoff after a fallback): 100, 200, 400, … capped at 2000', () => {
  assert.equal([1, 2, 3, 4, 5, 6, 7, 10].map(handoffRetryDelay), [100, 200, 400, 800, 1600, 2000, 2000, 2000]);
  assert.is(HANDOFF_RETRY_MAX_MS, 2000);
});

test('handoffAttemptOffset: doubling gaps, the last attempt at 3/4 of the window', () => {
  assert.equal([1, 2, 3].map((attempt) => handoffAttemptOffset(attempt, 3, 15_000)), [0, 3750, 11_250]);
  assert.equal([1, 2, 3, 4].map((attempt) => handoffAttemptOffset(attempt, 4, 14_000)), [0, 1500, 4500, 10_500]);
  assert.equal([1, 2].map((attempt) => handoffAttemptOffset(attempt, 2, 2000)), [0, 1500]);
  assert.is(handoffAttemptOffset(1, 1, 15_000), 0, 'a single attempt starts at once');
  assert.is(handoffAttemptOffset(2, 1, 15_000), 0, 'with one attempt allowed there is no later one (and no 0/0)');
  assert.is(handoffAttemptOffset(5, 3, 15_000), 11_250, 'never past the last attempt');
  assert.is(handoffAttemptOffset(3, 3, -50), 0, 'a window already gone');
});

test('handoffRetryWait: the time left to the next scheduled attempt, at least 100 ms', () => {
  assert.is(handoffRetryWait(1, 3, 2000, 0), 500);
  assert.is(handoffRetryWait(1, 3, 2000, 120), 380, 'the failed attempt took 120 ms');
  assert.is(handoffRetryWait(2, 3, 2000, 520), 980);
  assert.is(handoffRetryWait(1, 3, 2000, 700), 100, 'late: the floor');
  assert.is(handoffRetryWait(1, 3, 0, 0), 100, 'no window: the floor');
  assert.is(handoffRetryWait(1, 10, 15_000, 0), HANDOFF_RETRY_BASE_MS, 'gaps shorter than the floor are floored');
});

test('retries spread over the handoff budget (4 attempts in 14 s: at 0, 1.5, 4.5, 10.5 s): no redial a ms early, redial on time', async () => {
  const h = harness({ maxAttempts: 4, handoffTimeoutMs: 14_000 });
  h.actor.send({ type: 'job', job: job() });
  const gaps = [1500, 3000, 6000];
  for (const [index, gap] of gaps.entries()) {
    const attempt = index + 1;
    h.lastDial().reject(new Error(`refused #${attempt}`));
    await flush();
    assert.equal(h.workerState(), { busy: 'backoff' }, `backoff after attempt ${attempt}`);
    assert.is(h.workerContext().lastError, `refused #${attempt}`);
    h.clock.increment(gap - 1);
    await flush();
    assert.is(h.dials.length, attempt, `no redial ${gap - 1} ms after attempt ${attempt}`);
    h.clock.increment(1);
    await flush();
    assert.is(h.dials.length, attempt + 1, `redial ${gap} ms after attempt ${attempt}`);
    assert.equal(h.lastDial().input.attempt, attempt + 1);
  }
  assert.equal(h.done(), []);
  h.lastDial().resolve();
  await flush();
  h.lastSwap().resolve();
  await flush();
  assert.is(h.done().length, 1);
  assert.is(h.done()[0]?.ok, true);
  assert.is(h.done()[0]?.attempts, 4);
  h.actor.stop();
});

test('gives up after maxAttempts: worker.done ok false with the last error as reason', async () => {
  const h = harness({ maxAttempts: 3, handoffTimeoutMs: 60_000 });
  const j = job();
  h.actor.send({ type: 'job', job: j });
  h.lastDial().reject(new Error('refused #1'));
  await flush();
  h.clock.increment(15_000);
  await flush();
  h.lastDial().reject(new Error('refused #2'));
  await flush();
  h.clock.increment(30_000);
  await flush();
  assert.is(h.dials.length, 3);
  assert.equal(h.done(), []);
  h.lastDial().reject(new Error('refused #3'));
  await flush();
  assert.equal(h.done(), [{ type: 'worker.done', workerId: 'w1', job: j, ok: false, reason: 'refused #3', attempts: 3 }]);
  assert.is(h.workerState(), 'idle');
  assert.is(h.workerContext().job, null, 'the job is cleared after a failure');
  assert.is(h.swaps.length, 0, 'never swapped');
  h.clock.increment(120_000);
  await flush();
  assert.is(h.dials.length, 3, 'no 4th attempt');
  assert.is(h.done().length, 1, 'reported once');
  h.actor.stop();
});

test('a failing swap ends the job with ok false and the swap error', async () => {
  const h = harness();
  h.actor.send({ type: 'job', job: job() });
  h.lastDial().resolve();
  await flush();
  h.lastSwap().reject(new Error('drain failed'));
  await flush();
  assert.is(h.done().length, 1);
  assert.is(h.done()[0]?.ok, false);
  assert.is(h.done()[0]?.reason, 'drain failed');
  assert.is(h.dials.length, 1, 'a failed swap is not redialled');
  assert.is(h.workerState(), 'idle');
  h.actor.stop();
});

test('handoffTimeout fires while an attempt hangs; the hanging attempt is aborted', async () => {
  const h = harness({ maxAttempts: 3, handoffTimeoutMs: 5000 });
  const j = job();
  h.actor.send({ type: 'job', job: j });
  const hanging = h.lastDial();
  h.clock.increment(4999);
  await flush();
  assert.equal(h.workerState(), { busy: 'dialing' });
  assert.equal(h.done(), []);
  assert.not.ok(hanging.signal.aborted);
  h.clock.increment(1);
  await flush();
  assert.is(h.done().length, 1);
  const done = h.done()[0];
  assert.is(done?.ok, false);
  assert.is(done?.workerId, 'w1');
  assert.equal(done?.job, j);
  assert.is(done?.attempts, 1);
  assert.match(done?.reason ?? '', 'no handoff within 5000 ms');
  assert.ok(hanging.signal.aborted, "the hanging attempt's AbortSignal is aborted");
  assert.is(h.workerState(), 'idle');
  // Settling the abandoned attempt later changes nothing.
  hanging.resolve();
  await flush();
  assert.is(h.swaps.length, 0);
  assert.is(h.done().length, 1);
  h.actor.stop();
});

test('handoffTimeout counts from the job, across retries, and names the last error', async () => {
  const h = harness({ maxAttempts: 5, handoffTimeoutMs: 1000 });
  h.actor.send({ type: 'job', job: job() });
  h.clock.increment(300);
  h.lastDial().reject(new Error('refused #1'));
  await flush();
  h.clock.increment(100);
  await flush();
  assert.is(h.dials.length, 2);
  const hanging = h.lastDial();
  h.clock.increment(599);
  await flush();
  assert.equal(h.done(), []);
  h.clock.increment(1);
  await flush();
  assert.is(h.done().length, 1);
  assert.is(h.done()[0]?.ok, false);
  assert.is(h.done()[0]?.attempts, 2);
  assert.match(h.done()[0]?.reason ?? '', 'refused #1');
  assert.ok(hanging.signal.aborted);
  h.actor.stop();
});

test('handoffTimeout also bounds a hanging swap', async () => {
  const h = harness({ handoffTimeoutMs: 2000 });
  h.actor.send({ type: 'job', job: job() });
  h.clock.increment(500);
  h.lastDial().resolve();
  await flush();
  const swap = h.lastSwap();
  h.clock.increment(1499);
  await flush();
  assert.equal(h.done(), []);
  h.clock.increment(1);
  await flush();
  assert.is(h.done()[0]?.ok, false);
  assert.ok(swap.signal.aborted, 'the swap is aborted');
  h.actor.stop();
});

test('cancel for its connection returns the worker to idle without worker.done', async () => {
  const h = harness({ handoffTimeoutMs: 5000 });
  h.actor.send({ type: 'job', job: job('c1') });
  const dial = h.lastDial();
  h.actor.send({ type: 'cancel', connectionId: 'c1' });
  assert.is(h.workerState(), 'idle');
  assert.is(h.workerContext().job, null);
  assert.ok(dial.signal.aborted, 'the pending dial is aborted');
  dial.resolve();
  await flush();
  h.clock.increment(60_000);
  await flush();
  assert.equal(h.done(), [], 'no worker.done (not even at the old handoffTimeout)');
  assert.is(h.swaps.length, 0);
  assert.is(h.dials.length, 1);
  h.actor.stop();
});

test('cancel during backoff stops the retries', async () => {
  const h = harness({ maxAttempts: 5 });
  h.actor.send({ type: 'job', job: job('c1') });
  h.lastDial().reject(new Error('refused'));
  await flush();
  assert.equal(h.workerState(), { busy: 'backoff' });
  h.actor.send({ type: 'cancel', connectionId: 'c1' });
  h.clock.increment(60_000);
  await flush();
  assert.is(h.dials.length, 1);
  assert.equal(h.done(), []);
  assert.is(h.workerState(), 'idle');
  h.actor.stop();
});

test('cancel for another connection is ignored', async () => {
  const h = harness();
  const j = job('c1');
  h.actor.send({ type: 'job', job: j });
  const dial = h.lastDial();
  h.actor.send({ type: 'cancel', connectionId: 'c2' });
  assert.equal(h.workerState(), { busy: 'dialing' });
  assert.not.ok(dial.signal.aborted);
  dial.resolve();
  await flush();
  h.lastSwap().resolve();
  await flush();
  assert.equal(h.done(), [{ type: 'worker.done', workerId: 'w1', job: j, ok: true, reason: null, attempts: 1 }]);
  h.actor.stop();
});

test('cancel while idle is ignored', async () => {
  const h = harness();
  h.actor.send({ type: 'cancel', connectionId: 'c1' });
  assert.is(h.workerState(), 'idle');
  h.actor.send({ type: 'job', job: job('c1') });
  assert.equal(h.workerState(), { busy: 'dialing' });
  assert.is(h.dials.length, 1);
  h.actor.stop();
});

test('without the pool\'s implementations the job fails with a clear reason, not silently', async () => {
  const parent = (worker: typeof handoffWorkerMachine) =>
    setup({ types: { context: {} as { done: WorkerDoneEvent[] }, events: {} as WorkerDoneEvent | HandoffWorkerEvent }, actors: { worker } }).createMachine({
      context: { done: [] },
      invoke: { id: 'worker', src: 'worker', input: { id: 'w1', maxAttempts: 1, handoffTimeoutMs: 1000 } },
      on: {
        'worker.done': { actions: assign({ done: ({ context, event }) => [...context.done, event] }) },
        job: { actions: sendTo('worker', ({ event }) => event) },
      },
    });
  const bare = createActor(parent(handoffWorkerMachine), { clock: new SimulatedClock() }).start();
  bare.send({ type: 'job', job: job() });
  await flush();
  assert.is(bare.getSnapshot().context.done[0]?.reason, 'openTarget is provided by the pool');
  bare.stop();
  const dialOnly = handoffWorkerMachine.provide({ actors: { openTarget: fromPromise<void, { job: HandoffJob; attempt: number }>(async () => {}) } });
  const half = createActor(parent(dialOnly), { clock: new SimulatedClock() }).start();
  half.send({ type: 'job', job: job() });
  await flush();
  assert.is(half.getSnapshot().context.done[0]?.reason, 'swap is provided by the pool');
  half.stop();
});

test.run();
