import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMetricsHook, type NotificationContext, type NotificationResult } from '../../src/maintenance/hooks.js';
import type { MaintenanceNotification } from '../../src/protocol/notifications.js';

const ctx: NotificationContext = { connectionId: 'c1', endpoint: 'h:1' };
const migrating = (seq: number): MaintenanceNotification => ({ type: 'MIGRATING', seq, timeS: 15, shards: ['1'] });
const migrated = (seq: number): MaintenanceNotification => ({ type: 'MIGRATED', seq, shards: ['1'] });
const moving = (seq: number): MaintenanceNotification => ({ type: 'MOVING', seq, timeS: 15, endpoint: { host: 'h', port: 2 } });
const result = (durationMs: number, outcome: NotificationResult['outcome'] = 'relaxed'): NotificationResult => ({ outcome, connections: 1, durationMs });

test('a fresh hook reports zeros', () => {
  const hook = createMetricsHook();
  assert.equal(hook.getMetrics(), { notificationCounts: {}, processingTimes: {}, errorCounts: {}, handoffs: { started: 0, succeeded: 0, failed: 0 } });
});

test('counts notifications per type', () => {
  const hook = createMetricsHook();
  hook.postHook?.(ctx, migrating(1), result(1));
  hook.postHook?.(ctx, migrating(2), result(1));
  hook.postHook?.(ctx, migrated(1), result(1, 'unrelaxed'));
  hook.postHook?.(ctx, moving(3), result(1, 'handoff'));
  hook.postHook?.(ctx, migrating(3), result(1, 'duplicate'));
  assert.equal(hook.getMetrics().notificationCounts, { MIGRATING: 3, MIGRATED: 1, MOVING: 1 });
});

test('processing times: count, sum and max per type', () => {
  const hook = createMetricsHook();
  hook.postHook?.(ctx, migrating(1), result(2.5));
  hook.postHook?.(ctx, migrating(2), result(7));
  hook.postHook?.(ctx, migrating(3), result(0.5));
  hook.postHook?.(ctx, moving(4), result(3, 'handoff'));
  const { processingTimes } = hook.getMetrics();
  assert.equal(processingTimes.MIGRATING, { count: 3, totalMs: 10, maxMs: 7 });
  assert.equal(processingTimes.MOVING, { count: 1, totalMs: 3, maxMs: 3 });
  assert.is(processingTimes.MIGRATED, undefined);
});

test('error outcomes are counted per type; other outcomes are not errors', () => {
  const hook = createMetricsHook();
  hook.postHook?.(ctx, migrating(1), { ...result(1, 'error'), error: new Error('boom') });
  hook.postHook?.(ctx, migrating(2), result(1, 'error'));
  hook.postHook?.(ctx, moving(3), result(1, 'error'));
  for (const outcome of ['relaxed', 'unrelaxed', 'handoff', 'duplicate', 'vetoed', 'not-applicable'] as const) {
    hook.postHook?.(ctx, migrated(4), result(1, outcome));
  }
  const metrics = hook.getMetrics();
  assert.equal(metrics.errorCounts, { MIGRATING: 2, MOVING: 1 });
  assert.is(metrics.notificationCounts.MIGRATED, 6, 'non-error outcomes are still counted');
  assert.is(metrics.notificationCounts.MIGRATING, 2, 'errors are counted as notifications too');
});

test('handoff phases are counted', () => {
  const hook = createMetricsHook();
  const details = { connectionId: 'c1', endpoint: 'h:2' };
  hook.onHandoff?.('started', details);
  hook.onHandoff?.('started', details);
  hook.onHandoff?.('started', details);
  hook.onHandoff?.('succeeded', { ...details, durationMs: 12 });
  hook.onHandoff?.('succeeded', { ...details, durationMs: 4 });
  hook.onHandoff?.('failed', details);
  assert.equal(hook.getMetrics().handoffs, { started: 3, succeeded: 2, failed: 1 });
});

test('getMetrics() returns a copy: mutating it does not change the hook', () => {
  const hook = createMetricsHook();
  hook.postHook?.(ctx, migrating(1), result(5));
  hook.postHook?.(ctx, migrating(2), result(1, 'error'));
  hook.onHandoff?.('started', { connectionId: 'c1', endpoint: 'h:2' });
  const copy = hook.getMetrics();
  copy.notificationCounts.MIGRATING = 99;
  copy.notificationCounts.MOVING = 1;
  const times = copy.processingTimes.MIGRATING;
  assert.ok(times);
  if (times) {
    times.count = 99;
    times.maxMs = 99;
  }
  copy.errorCounts.MIGRATING = 99;
  copy.handoffs.started = 99;
  const fresh = hook.getMetrics();
  assert.equal(fresh, {
    notificationCounts: { MIGRATING: 2 },
    processingTimes: { MIGRATING: { count: 2, totalMs: 6, maxMs: 5 } },
    errorCounts: { MIGRATING: 1 },
    handoffs: { started: 1, succeeded: 0, failed: 0 },
  });
  // And later updates do not reach an earlier copy.
  hook.postHook?.(ctx, migrating(3), result(1));
  assert.is(fresh.notificationCounts.MIGRATING, 2);
  assert.is(hook.getMetrics().notificationCounts.MIGRATING, 3);
});

test('two hooks count independently', () => {
  const a = createMetricsHook();
  const b = createMetricsHook();
  a.postHook?.(ctx, migrating(1), result(1));
  a.onHandoff?.('failed', { connectionId: 'c1', endpoint: 'h:2' });
  assert.equal(b.getMetrics().notificationCounts, {});
  assert.equal(b.getMetrics().handoffs, { started: 0, succeeded: 0, failed: 0 });
});

test.run();
