import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { Connection, type ConnectionHost } from '../../src/pool/connection.js';
import type { Endpoint } from '../../src/protocol/endpoint.js';
import type { Pipeline } from '../../src/transport/pipeline.js';

/** A socket as Connection sees it; `blocked` commands stay in flight until `answer()`. */
function socket(name: string, blocked = 0) {
  const log: string[] = [];
  let waiters: Array<() => void> = [];
  const fake = {
    name,
    log,
    writable: true,
    inflightCount: blocked,
    drained: () => (fake.inflightCount === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    answer() {
      fake.inflightCount = 0;
      for (const resolve of waiters) resolve();
      waiters = [];
    },
    end: async () => void log.push('end'),
    destroy: (reason: string) => void log.push(`destroy: ${reason}`),
    relax: () => {},
  };
  return fake;
}

const A: Endpoint = { host: '10.0.0.1', port: 6379 };
const B: Endpoint = { host: '10.0.0.2', port: 6379 };

function connection(opens: Array<{ pipeline: ReturnType<typeof socket>; endpoint: Endpoint }>) {
  const clock = new SimulatedClock();
  const retired: string[] = [];
  const host: ConnectionHost = {
    open: async () => {
      const next = opens.shift() as { pipeline: ReturnType<typeof socket>; endpoint: Endpoint };
      return { pipeline: next.pipeline as unknown as Pipeline, endpoint: next.endpoint, maint: 'unknown' };
    },
    onPush: () => {},
    onStateChange: () => {},
    onRoutableChange: () => {},
    onRelaxChange: () => {},
    onSocketRetired: (c) => void retired.push(c.id),
    materialize: () => {},
    closeGraceMs: 50,
    clock,
    relaxedTimeoutMs: 1000,
  };
  const interrupts: Array<{ endpoint: Endpoint }> = [];
  const conn = new Connection('d1', A, true, host);
  return { conn, clock, retired, interrupts };
}

function carry(interrupts: Array<{ endpoint: Endpoint }>, onInterrupt: (old: ReturnType<typeof socket>) => void) {
  return {
    interrupt: async (old: Pipeline, endpoint: Endpoint) => {
      interrupts.push({ endpoint });
      onInterrupt(old as unknown as ReturnType<typeof socket>);
    },
  };
}

test('swap: a waiting blocking command is interrupted at the old endpoint first, then the socket is swapped', async () => {
  const first = socket('old', 1);
  const { conn, interrupts, retired } = connection([{ pipeline: first, endpoint: A }]);
  await conn.open(new AbortController().signal);
  conn.carry = carry(interrupts, (old) => old.answer());
  const staged = socket('new');
  conn.stage(staged as unknown as Pipeline, B);
  await conn.swap(1000, new SimulatedClock());
  assert.equal(interrupts, [{ endpoint: A }]);
  assert.is((conn.pipeline as unknown as { name: string }).name, 'new');
  assert.equal(first.log, ['end']);
  assert.equal(retired, ['d1']);
});

test('swap to the same address (endpoint type none): no interrupt (it could reach another server)', async () => {
  const first = socket('old', 0);
  const { conn, interrupts } = connection([{ pipeline: first, endpoint: A }]);
  await conn.open(new AbortController().signal);
  conn.carry = carry(interrupts, () => {});
  first.inflightCount = 1;
  conn.stage(socket('new') as unknown as Pipeline, A);
  const clock = new SimulatedClock();
  const swapped = conn.swap(100, clock);
  await Promise.resolve();
  clock.increment(100);
  await swapped;
  assert.equal(interrupts, []);
  assert.match(first.log[0] ?? '', /destroy/);
});

test('reconnect after a failed handoff, elsewhere: the wait is cut short on the old endpoint before the new socket is taken', async () => {
  const first = socket('old', 0);
  const second = socket('elsewhere');
  const { conn, interrupts } = connection([{ pipeline: first, endpoint: A }, { pipeline: second, endpoint: B }]);
  await conn.open(new AbortController().signal);
  first.inflightCount = 1;
  conn.carry = carry(interrupts, (old) => old.answer());
  const opened = await conn.open(new AbortController().signal);
  assert.equal(interrupts, [{ endpoint: A }]);
  assert.is(opened.endpoint, '10.0.0.2:6379');
  assert.is((conn.pipeline as unknown as { name: string }).name, 'elsewhere');
  assert.equal(first.log, ['end']);
});

test('reconnect after a failed handoff, landed at the same address: the live blocked socket is kept, the new one closed', async () => {
  const first = socket('old', 0);
  const second = socket('same');
  const { conn, interrupts } = connection([{ pipeline: first, endpoint: A }, { pipeline: second, endpoint: A }]);
  await conn.open(new AbortController().signal);
  first.inflightCount = 1;
  conn.carry = carry(interrupts, () => {});
  const opened = await conn.open(new AbortController().signal);
  assert.equal(interrupts, []);
  assert.is(opened.endpoint, '10.0.0.1:6379');
  assert.is((conn.pipeline as unknown as { name: string }).name, 'old');
  assert.match(second.log[0] ?? '', /destroy: was not needed/);
});

test('reconnect elsewhere aborted while the old wait was cut short: the new socket is closed', async () => {
  const first = socket('old', 0);
  const second = socket('elsewhere');
  const { conn, interrupts } = connection([{ pipeline: first, endpoint: A }, { pipeline: second, endpoint: B }]);
  await conn.open(new AbortController().signal);
  first.inflightCount = 1;
  const abort = new AbortController();
  conn.carry = carry(interrupts, (old) => {
    abort.abort();
    old.answer();
  });
  const error = await conn.open(abort.signal).then(() => null, (e: unknown) => e as Error);
  assert.match(error?.message ?? '', /aborted/);
  assert.match(second.log[0] ?? '', /destroy/);
});

test.run();
