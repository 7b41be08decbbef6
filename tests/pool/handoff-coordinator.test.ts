/** The handoff coordinator's dial schedule and breaker wiring, with a fake pool host and a simulated clock. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import type { ResolvedMaintConfig } from '../../src/config.js';
import type { LifecycleEvent } from '../../src/index.js';
import type { HandoffJob } from '../../src/machines/handoff-worker.machine.js';
import type { Connection } from '../../src/pool/connection.js';
import { BREAKER_FAILURE_THRESHOLD, breakerResetMs, HandoffCoordinator } from '../../src/pool/handoffs.js';
import type { Pipeline } from '../../src/transport/pipeline.js';

interface Dial {
  id: string;
  resolve(): void;
  reject(error: Error): void;
}

function host(config: Partial<ResolvedMaintConfig> = {}) {
  const clock = new SimulatedClock();
  clock.increment(1000);
  const events: LifecycleEvent[] = [];
  const dials: Dial[] = [];
  const staged: string[] = [];
  const swaps: Array<{ id: string; bound: number }> = [];
  const destroyed: string[] = [];
  const hookCalls: unknown[] = [];
  const connections = new Map<string, Connection>();
  const connection = (id: string) => {
    if (id.startsWith('gone')) return undefined;
    const known = connections.get(id);
    if (known) return known;
    const made = {
      id,
      endpointText: 'h:1',
      stage: () => staged.push(id),
      swap: async (bound: number) => {
        swaps.push({ id, bound });
      },
    } as unknown as Connection;
    connections.set(id, made);
    return made;
  };
  const coordinator = new HandoffCoordinator({
    config: { handoffTimeout: 4000, maxHandoffRetries: 3, ...config } as ResolvedMaintConfig,
    clock,
    emit: (event) => events.push(event as LifecycleEvent),
    hooks: [
      {
        onHandoff: (phase, details) => {
          hookCalls.push({ phase, ...details });
          throw new Error('a broken hook');
        },
      },
      {},
    ],
    connection,
    openAt: (c) =>
      new Promise<{ pipeline: Pipeline }>((resolve, reject) =>
        dials.push({ id: c.id, resolve: () => resolve({ pipeline: { destroy: () => destroyed.push(c.id) } as unknown as Pipeline }), reject }),
      ),
    currentEndpoint: () => 'h:1',
  });
  return { clock, events, dials, staged, swaps, destroyed, hookCalls, coordinator, connection };
}

const job = (connectionId: string, deadlineAt: number): HandoffJob => ({ connectionId, seq: 1, endpoint: 'h:2', deadlineAt });
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

test('retryDelay spreads the attempts over handoffTimeout when the MOVING deadline is further away', async () => {
  const h = host({ handoffTimeout: 4000 });
  const j = job('c1', h.clock.now() + 15_000);
  const first = h.coordinator.openTarget(j, 1, new AbortController().signal).catch((error: Error) => error.message);
  await flush();
  h.clock.increment(200);
  h.dials[0]!.reject(new Error('refused'));
  assert.is(await first, 'refused');
  // Window 4000 ms: attempts at 0, 1000, 3000; the first took 200 ms.
  assert.is(h.coordinator.retryDelay(j, 1), 800);
  h.clock.increment(800);
  assert.is(h.coordinator.retryDelay(j, 2), 2000);
});

test('retryDelay is cut to the MOVING deadline when it is nearer than handoffTimeout', () => {
  const h = host({ handoffTimeout: 4000 });
  const j = job('c1', h.clock.now() + 2000);
  void h.coordinator.openTarget(j, 1, new AbortController().signal).catch(() => {});
  // Window 2000 ms: attempts at 0, 500, 1500.
  assert.is(h.coordinator.retryDelay(j, 1), 500);
  h.clock.increment(500);
  assert.is(h.coordinator.retryDelay(j, 2), 1000);
});

test('breakerResetMs: a tenth of handoffTimeout, at most 1 s, at least 1 ms', () => {
  assert.equal([15_000, 3000, 5, 1].map(breakerResetMs), [1000, 300, 1, 1]);
});

test('after the threshold the breaker refuses without dialling; a half-open probe is waited for, then its success lets everyone through', async () => {
  const h = host({ handoffTimeout: 4000 });
  const signal = new AbortController().signal;
  const ids = Array.from({ length: BREAKER_FAILURE_THRESHOLD + 1 }, (_, i) => `c${i + 1}`);
  const far = h.clock.now() + 15_000;
  const firsts = ids.slice(0, BREAKER_FAILURE_THRESHOLD).map((id) => h.coordinator.openTarget(job(id, far), 1, signal).catch((error: Error) => error.message));
  await flush();
  for (const dial of h.dials) dial.reject(new Error('refused'));
  assert.equal(await Promise.all(firsts), Array(BREAKER_FAILURE_THRESHOLD).fill('refused'));
  const refused = await h.coordinator.openTarget(job(ids.at(-1)!, far), 1, signal).catch((error: Error) => error.message);
  assert.match(String(refused), /^circuit open for h:2/);
  assert.is(h.dials.length, BREAKER_FAILURE_THRESHOLD, 'the breaker refused without dialling');
  const retried = h.events.filter((e) => e.type === 'handoff.retried');
  assert.is(retried.length, BREAKER_FAILURE_THRESHOLD + 1, 'the refusal is reported as a retried attempt too');

  h.clock.increment(breakerResetMs(4000));
  const probe = h.coordinator.openTarget(job('c1', far), 2, signal);
  const waiting = h.coordinator.openTarget(job('c2', far), 2, signal);
  await flush();
  assert.is(h.dials.length, BREAKER_FAILURE_THRESHOLD + 1, 'one probe dials, the other waits for it');
  h.dials.at(-1)!.resolve();
  await probe;
  await flush();
  assert.is(h.dials.length, BREAKER_FAILURE_THRESHOLD + 2, 'after the probe succeeded the waiting dial goes through');
  h.dials.at(-1)!.resolve();
  await waiting;
  assert.equal(h.staged, ['c1', 'c2']);
});

test('a failed probe re-opens the circuit for those waiting on it; an abandoned wait dials nothing', async () => {
  const h = host({ handoffTimeout: 4000 });
  const signal = new AbortController().signal;
  const far = h.clock.now() + 15_000;
  const firsts = Array.from({ length: BREAKER_FAILURE_THRESHOLD }, (_, i) => h.coordinator.openTarget(job(`c${i + 1}`, far), 1, signal).catch(() => null));
  await flush();
  for (const dial of h.dials) dial.reject(new Error('refused'));
  await Promise.all(firsts);
  h.clock.increment(breakerResetMs(4000));
  const message = (error: Error) => error.message;
  const probe = h.coordinator.openTarget(job('c1', far), 2, signal).then(() => 'dialled', message);
  const waiting = h.coordinator.openTarget(job('c2', far), 2, signal).then(() => 'dialled', message);
  const abandon = new AbortController();
  const abandoned = h.coordinator.openTarget(job('c3', far), 2, abandon.signal).then(() => 'dialled', message);
  abandon.abort();
  await flush();
  h.dials.at(-1)!.reject(new Error('still refused'));
  assert.is(await probe, 'still refused');
  assert.match(await waiting, /^circuit open/);
  assert.match(await abandoned, /abandoned/);
  assert.is(h.dials.length, BREAKER_FAILURE_THRESHOLD + 1, 'only the probe dialled');
  assert.not.ok(h.events.some((e) => e.type === 'handoff.retried' && e.connectionId === 'c3' && e.attempt === 2), 'an abandoned handoff reports no retry');
});

/** Starts `id`'s handoff (attempt 1) and lets its dial succeed. */
async function opened(h: ReturnType<typeof host>, j: HandoffJob, signal = new AbortController().signal): Promise<void> {
  const open = h.coordinator.openTarget(j, 1, signal);
  await flush();
  h.dials.at(-1)!.resolve();
  await open;
}

const without = <T extends object>(events: T[], key: string) => events.map((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== key)));

test('swap drains until the MOVING deadline when it is nearer than the budget', async () => {
  const h = host({ handoffTimeout: 4000 });
  const j = job('c1', h.clock.now() + 1000);
  await opened(h, j);
  h.clock.increment(200);
  await h.coordinator.swap(j);
  assert.equal(h.swaps, [{ id: 'c1', bound: 800 }]);
});

test('swap drains within the budget less a margin (min(100 ms, budget / 10)) when that is nearer', async () => {
  for (const [budget, expected] of [
    [1000, 700],
    [500, 250],
  ] as const) {
    const h = host({ handoffTimeout: budget });
    const j = job('c1', h.clock.now() + 15_000);
    await opened(h, j);
    h.clock.increment(200);
    await h.coordinator.swap(j);
    assert.equal(h.swaps, [{ id: 'c1', bound: expected }], `budget ${budget}`);
  }
});

test('swap never gets a negative bound, and counts from now without a recorded start', async () => {
  const h = host({ handoffTimeout: 1000 });
  const j = job('c1', h.clock.now() + 15_000);
  await opened(h, j);
  h.clock.increment(5000);
  await h.coordinator.swap(j);
  await h.coordinator.swap(job('c2', h.clock.now() + 300));
  await h.coordinator.swap(job('c3', h.clock.now() + 15_000));
  assert.equal(h.swaps, [
    { id: 'c1', bound: 0 },
    { id: 'c2', bound: 300 },
    { id: 'c3', bound: 900 },
  ]);
  await h.coordinator.swap(job('gone1', 0)).then(
    () => assert.unreachable('a gone connection cannot swap'),
    (error: Error) => assert.match(error.message, 'connection gone1 is gone'),
  );
});

test('an attempt abandoned while it dialled closes its new socket and stages nothing; the last attempt reports no retry', async () => {
  const h = host({ maxHandoffRetries: 2 });
  const abort = new AbortController();
  const j = job('c1', h.clock.now() + 15_000);
  const open = h.coordinator.openTarget(j, 1, abort.signal);
  await flush();
  abort.abort();
  h.dials[0]!.resolve();
  await open;
  assert.equal(h.destroyed, ['c1']);
  assert.equal(h.staged, []);
  const last = h.coordinator.openTarget(j, 2, new AbortController().signal).catch((error: Error) => error.message);
  await flush();
  h.dials[1]!.reject(new Error('refused'));
  assert.is(await last, 'refused');
  assert.is(h.events.filter((e) => e.type === 'handoff.retried').length, 0, 'attempt 2 of 2 is not followed by a retry');
  await h.coordinator.openTarget(job('gone3', 0), 1, new AbortController().signal).then(
    () => assert.unreachable('a gone connection cannot hand off'),
    (error: Error) => assert.match(error.message, 'connection gone3 is gone'),
  );
  await h.coordinator.openTarget({ ...job('c3', 0), endpoint: 'not an endpoint' }, 1, new AbortController().signal).then(
    () => assert.unreachable('a bad endpoint'),
    (error: Error) => assert.match(error.message, 'cannot hand off to "not an endpoint"'),
  );
});

test('ended: a success reports from, attempts and duration; a failure reports the reason and the fallback; hooks see both and cannot break them', async () => {
  const h = host();
  const j = job('c1', h.clock.now() + 15_000);
  await opened(h, j);
  h.clock.increment(250);
  h.coordinator.ended({ type: 'worker.done', workerId: 'w1', job: j, ok: true, reason: null, attempts: 2 });
  const k = job('c2', h.clock.now() + 15_000);
  await opened(h, k);
  h.clock.increment(40);
  h.coordinator.ended({ type: 'worker.done', workerId: 'w1', job: k, ok: false, reason: null, attempts: 3 });
  h.coordinator.ended({ type: 'worker.done', workerId: 'w1', job: job('gone1', 0), ok: false, reason: 'refused', attempts: 1 });
  h.coordinator.ended({ type: 'worker.done', workerId: 'w1', job: job('gone2', 0), ok: true, reason: null, attempts: 1 });
  const reported = without(h.events.filter((e) => e.type !== 'handoff.started'), 'at');
  assert.equal(reported, [
    { type: 'handoff.succeeded', connectionId: 'c1', from: 'h:1', to: 'h:2', seq: 1, attempts: 2, durationMs: 250 },
    { type: 'handoff.failed', connectionId: 'c2', to: 'h:2', seq: 1, attempts: 3, reason: 'handoff failed' },
    { type: 'handoff.fellBack', connectionId: 'c2', to: 'h:1', reason: 'handoff failed' },
    { type: 'handoff.failed', connectionId: 'gone1', to: 'h:2', seq: 1, attempts: 1, reason: 'refused' },
    { type: 'handoff.succeeded', connectionId: 'gone2', from: '', to: 'h:2', seq: 1, attempts: 1, durationMs: 0 },
  ]);
  assert.equal(h.hookCalls, [
    { phase: 'started', connectionId: 'c1', endpoint: 'h:2' },
    { phase: 'succeeded', connectionId: 'c1', endpoint: 'h:2', durationMs: 250 },
    { phase: 'started', connectionId: 'c2', endpoint: 'h:2' },
    { phase: 'failed', connectionId: 'c2', endpoint: 'h:2', durationMs: 40 },
  ]);
});

test('cancelled: a started handoff is reported failed once (seq -1, attempts 0); queued reports where from', async () => {
  const h = host();
  const j = job('c1', h.clock.now() + 15_000);
  await opened(h, j);
  h.clock.increment(30);
  h.coordinator.cancelled('c1');
  h.coordinator.cancelled('c1');
  h.coordinator.cancelled('never-started');
  h.coordinator.queued(job('c5', 0), true);
  h.coordinator.queued(job('gone1', 0), false);
  const reported = without(h.events.filter((e) => e.type !== 'handoff.started'), 'at');
  assert.equal(reported, [
    { type: 'handoff.failed', connectionId: 'c1', to: 'h:1', seq: -1, attempts: 0, reason: 'cancelled: the connection closed during the handoff' },
    { type: 'handoff.queued', connectionId: 'c5', from: 'h:1', to: 'h:2', seq: 1, overflow: true },
    { type: 'handoff.queued', connectionId: 'gone1', from: '', to: 'h:2', seq: 1, overflow: false },
  ]);
  assert.equal(h.hookCalls.at(-1), { phase: 'failed', connectionId: 'c1', endpoint: 'h:1', durationMs: 30 });
});

test.run();
