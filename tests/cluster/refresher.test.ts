import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { TopologyRefresher } from '../../src/cluster/refresher.js';

function rig(cooldownMs = 500, intervalMs = 0) {
  const clock = new SimulatedClock();
  const reasons: string[] = [];
  const finishers: Array<() => void> = [];
  const refresher = new TopologyRefresher({
    clock,
    cooldownMs,
    intervalMs,
    refresh: (reason) => {
      reasons.push(reason);
      return new Promise<void>((resolve) => finishers.push(resolve));
    },
  });
  const finish = async () => {
    finishers.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { clock, reasons, refresher, finish };
}

test('a burst of requests while one runs folds into one more refresh after the cool-down', async () => {
  const { clock, reasons, refresher, finish } = rig();
  refresher.request('MOVED');
  for (let i = 0; i < 100; i++) refresher.request('MOVED again');
  assert.equal(reasons, ['MOVED']);
  clock.increment(100);
  await finish();
  assert.equal(reasons, ['MOVED'], 'not before the cool-down');
  clock.increment(499);
  assert.is(reasons.length, 1);
  clock.increment(1);
  assert.equal(reasons, ['MOVED', 'MOVED again']);
  await finish();
  clock.increment(10_000);
  assert.is(reasons.length, 2, 'nothing more was asked for');
  refresher.stop();
});

test('requests within the cool-down after a refresh wait for it; now() ignores it and shares a running one', async () => {
  const { clock, reasons, refresher, finish } = rig();
  const first = refresher.now('connect');
  assert.is(refresher.now('again'), first);
  await finish();
  await first;
  refresher.request('lost');
  refresher.request('lost 2');
  assert.is(reasons.length, 1);
  clock.increment(500);
  assert.equal(reasons, ['connect', 'lost']);
  await finish();
  refresher.stop();
  refresher.request('after stop');
  clock.increment(1000);
  assert.is(reasons.length, 2);
});

test('the periodic check asks every interval until stopped; a stop cancels a waiting request', async () => {
  const { clock, reasons, refresher, finish } = rig(500, 1000);
  refresher.start();
  clock.increment(1000);
  assert.equal(reasons, ['periodic']);
  await finish();
  refresher.request('soon');
  clock.increment(1000);
  assert.equal(reasons, ['periodic', 'soon']);
  await finish();
  clock.increment(10);
  refresher.request('cancelled');
  refresher.stop();
  clock.increment(5000);
  assert.equal(reasons, ['periodic', 'soon']);
  assert.is(refresher.count, 2);
});

test.run();
