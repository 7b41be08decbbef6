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
  const connections = new Map<string, Connection>();
  const connection = (id: string) => {
    const known = connections.get(id);
    if (known) return known;
    const made = { id, endpointText: 'h:1', stage: () => staged.push(id) } as unknown as Connection;
    connections.set(id, made);
    return made;
  };
  const coordinator = new HandoffCoordinator({
    config: { handoffTimeout: 4000, maxHandoffRetries: 3, ...config } as ResolvedMaintConfig,
    clock,
    emit: (event) => events.push(event as LifecycleEvent),
    hooks: [],
    connection,
    openAt: (c) =>
      new Promise<{ pipeline: Pipeline }>((resolve, reject) =>
        dials.push({ id: c.id, resolve: () => resolve({ pipeline: { destroy() {} } as unknown as Pipeline }), reject }),
      ),
    currentEndpoint: () => 'h:1',
  });
  return { clock, events, dials, staged, coordinator, connection };
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

test.run();
