import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { CircuitBreaker } from '../../src/pool/circuit-breaker.js';

const A = 'h:2';
const B = 'h:3';

function breaker(failureThreshold = 3, resetMs = 1000) {
  const clock = new SimulatedClock();
  clock.increment(10_000);
  return { clock, breaker: new CircuitBreaker(clock, { failureThreshold, resetMs }) };
}

/** Fails `endpoint` `n` times (each after an allowed dial). */
function fail(b: CircuitBreaker, endpoint: string, n: number): void {
  for (let i = 0; i < n; i++) b.failure(endpoint);
}

test('closed until failureThreshold consecutive failures', () => {
  const { breaker: b } = breaker(3);
  assert.is(b.state(A), 'closed');
  assert.ok(b.allow(A));
  fail(b, A, 2);
  assert.is(b.state(A), 'closed');
  assert.ok(b.allow(A));
  assert.ok(b.allow(A), 'closed lets every dial through');
  b.failure(A);
  assert.is(b.state(A), 'open');
  assert.not.ok(b.allow(A));
});

test('failureThreshold 1: the first failure opens it', () => {
  const { breaker: b } = breaker(1);
  b.failure(A);
  assert.is(b.state(A), 'open');
  assert.not.ok(b.allow(A));
});

test('open refuses until exactly resetMs after the opening failure', () => {
  const { clock, breaker: b } = breaker(2, 1000);
  fail(b, A, 2);
  clock.increment(999);
  assert.is(b.state(A), 'open');
  assert.not.ok(b.allow(A), 'refused 1 ms before resetMs');
  clock.increment(1);
  assert.is(b.state(A), 'half-open');
  assert.ok(b.allow(A), 'a probe at resetMs');
});

test('half-open lets exactly one probe through until it reports', () => {
  const { clock, breaker: b } = breaker(2, 1000);
  fail(b, A, 2);
  clock.increment(1000);
  assert.ok(b.allow(A), 'the probe');
  assert.is(b.state(A), 'half-open');
  assert.not.ok(b.allow(A), 'a second caller waits for the probe');
  clock.increment(10);
  assert.not.ok(b.allow(A), 'still one probe only while it runs');
  assert.ok(b.allow(B), 'another endpoint is not affected');
});

test('probe success closes it; a later single failure does not open it again', () => {
  const { clock, breaker: b } = breaker(3, 1000);
  fail(b, A, 3);
  clock.increment(1000);
  assert.ok(b.allow(A));
  b.success(A);
  assert.is(b.state(A), 'closed');
  assert.ok(b.allow(A));
  assert.ok(b.allow(A));
  b.failure(A);
  assert.is(b.state(A), 'closed', 'one failure after recovery does not reopen');
  assert.ok(b.allow(A));
  b.failure(A);
  assert.is(b.state(A), 'closed');
  b.failure(A);
  assert.is(b.state(A), 'open', 'a full run of failures reopens it');
});

test('probe failure opens it again for another resetMs', () => {
  const { clock, breaker: b } = breaker(3, 1000);
  fail(b, A, 3);
  clock.increment(1500);
  assert.ok(b.allow(A));
  b.failure(A);
  assert.is(b.state(A), 'open');
  assert.not.ok(b.allow(A));
  clock.increment(999);
  assert.not.ok(b.allow(A), '1 ms before the new resetMs');
  clock.increment(1);
  assert.is(b.state(A), 'half-open');
  assert.ok(b.allow(A), 'a new probe');
  assert.not.ok(b.allow(A));
  b.success(A);
  assert.is(b.state(A), 'closed');
});

test('a success resets the failure count', () => {
  const { breaker: b } = breaker(3);
  fail(b, A, 2);
  b.success(A);
  fail(b, A, 2);
  assert.is(b.state(A), 'closed', 'only 2 in a row since the success');
  assert.ok(b.allow(A));
  b.failure(A);
  assert.is(b.state(A), 'open');
});

test('endpoints are independent', () => {
  const { clock, breaker: b } = breaker(2, 1000);
  fail(b, A, 2);
  b.failure(B);
  assert.is(b.state(A), 'open');
  assert.is(b.state(B), 'closed');
  assert.ok(b.allow(B));
  assert.not.ok(b.allow(A));
  b.success(B);
  assert.is(b.state(A), 'open', "B's success does not close A");
  b.failure(B);
  assert.is(b.state(B), 'closed', "B's count was reset by its own success, not A's failures");
  clock.increment(1000);
  assert.ok(b.allow(A));
  b.success(A);
  assert.is(b.state(A), 'closed');
  b.failure(B);
  assert.is(b.state(B), 'open');
  assert.is(b.state(A), 'closed');
});

test('a failure reported while open (a dial that began before it opened) keeps it open until its reset', () => {
  const { clock, breaker: b } = breaker(2, 1000);
  fail(b, A, 2);
  clock.increment(400);
  b.failure(A);
  assert.is(b.state(A), 'open', 'still open, not closed with a fresh count');
  assert.not.ok(b.allow(A));
  clock.increment(600);
  assert.is(b.state(A), 'half-open', 'the late failure did not extend the reset either');
});

test.run();
