import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { FenceCut, type FenceOutcome } from '../../src/pubsub/fence.js';
import type { SubscriberLeg } from '../../src/pubsub/leg.js';

type FakeLeg = Pick<SubscriberLeg, 'mode' | 'buffered' | 'lost'>;

/** An old socket delivering, a new one holding; `delivered` records what the cut handed to listeners from the new one. */
function setup(boundMs = 1000) {
  const clock = new SimulatedClock();
  const old: FakeLeg = { mode: 'deliver', buffered: [], lost: false };
  const next: FakeLeg = { mode: 'buffer', buffered: [], lost: false };
  const delivered: string[] = [];
  const cut = new FenceCut(old as SubscriberLeg, next as SubscriberLeg, 'T1', (leg) => {
    for (const held of leg.buffered) delivered.push(String(held.frame[2]));
    leg.buffered = [];
    leg.mode = 'deliver';
  }, clock, boundMs);
  let outcome: FenceOutcome | null = null;
  void cut.settled.then((value) => (outcome = value));
  const hold = (...numbers: number[]) => {
    for (const n of numbers) next.buffered.push({ type: 'message', frame: ['message', 'ch', String(n)] });
  };
  return { clock, old, next, cut, delivered, hold, outcome: () => outcome };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('exact cut: the new socket drops what came before its marker and delivers what came after, once the old one saw the marker', async () => {
  const f = setup();
  f.hold(1, 2, 3); // also delivered by the old socket
  f.cut.marker(f.next as SubscriberLeg, 'T1');
  f.hold(4, 5);
  assert.is(f.old.mode, 'deliver', 'the old socket keeps delivering up to its marker');
  assert.equal(f.delivered, []);
  f.cut.marker(f.old as SubscriberLeg, 'T1');
  await tick();
  assert.equal(f.delivered, ['4', '5']);
  assert.is(f.old.mode, 'drop');
  assert.is(f.next.mode, 'deliver');
  assert.equal(f.outcome(), { exact: true });
});

test('exact cut, markers the other way round; foreign and repeated markers are ignored', async () => {
  const f = setup();
  f.cut.marker(f.old as SubscriberLeg, 'other');
  assert.is(f.old.mode, 'deliver');
  f.cut.marker(f.old as SubscriberLeg, 'T1');
  assert.is(f.old.mode, 'drop', 'after its marker the old socket only repeats what the new one has');
  f.cut.marker(f.old as SubscriberLeg, 'T1');
  f.hold(7);
  f.cut.marker(f.next as SubscriberLeg, 'T1');
  f.hold(8);
  await tick();
  assert.equal(f.outcome(), { exact: true });
  assert.equal(f.delivered, [], 'held before its marker: dropped');
  f.cut.marker(f.next as SubscriberLeg, 'T1'); // after the cut: nothing happens
  assert.equal(f.next.buffered.length, 1);
});

test('fallback: the marker never comes back on the old socket: after the bound, the new socket delivers from its marker on', async () => {
  const f = setup(500);
  f.hold(1);
  f.cut.marker(f.next as SubscriberLeg, 'T1');
  f.hold(2, 3);
  f.clock.increment(499);
  await tick();
  assert.is(f.outcome(), null);
  f.clock.increment(1);
  await tick();
  assert.equal(f.delivered, ['2', '3']);
  assert.equal(f.outcome(), { exact: false, reason: 'the marker did not come back on the old socket in time' });
});

test('fallback: no marker at all within the bound: what the new socket held is dropped (it may overlap), delivery goes on from there', async () => {
  const f = setup(200);
  f.hold(1, 2);
  f.clock.increment(200);
  await tick();
  assert.equal(f.delivered, []);
  assert.is(f.next.mode, 'deliver');
  assert.equal(f.outcome(), { exact: false, reason: 'the marker did not come back on the new socket in time' });
});

test('fallback: the old socket closes before its marker: at once when the new one has its marker, else when it arrives', async () => {
  const early = setup();
  early.cut.marker(early.next as SubscriberLeg, 'T1');
  early.hold(9);
  early.old.lost = true;
  early.cut.oldLost();
  await tick();
  assert.equal(early.delivered, ['9']);
  assert.equal(early.outcome(), { exact: false, reason: 'the old socket closed before the marker reached it' });

  const late = setup();
  late.old.lost = true;
  late.cut.oldLost();
  await tick();
  assert.is(late.outcome(), null, 'still waiting for the new socket');
  late.cut.marker(late.next as SubscriberLeg, 'T1');
  await tick();
  assert.equal(late.outcome(), { exact: false, reason: 'the old socket closed before the marker reached it' });
});

test('fallback: the marker could not be published', async () => {
  const f = setup();
  f.hold(1);
  f.cut.publishFailed('NOPERM');
  await tick();
  assert.equal(f.delivered, []);
  assert.equal(f.outcome(), { exact: false, reason: 'the marker could not be published (NOPERM)' });
  f.cut.publishFailed('again'); // settled already
  f.cut.oldLost();
});

test.run();
