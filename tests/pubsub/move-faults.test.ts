import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LifecycleEvent } from '../../src/index.js';
import { openHandles, until } from '../helpers/client.js';
import { differences, drillRig, publish, recorder } from './drill.js';

const types = (events: LifecycleEvent[]) => events.map((event) => event.type).filter((type) => type.startsWith('pubsub.'));

test('the new endpoint refuses the first dials: the move is retried with backoff and still cuts over exactly', async () => {
  const rig = await drillRig();
  try {
    const main = recorder();
    await rig.subscriber.subscribe(['drill:a'], main.listener);
    const pub = publish(rig.publisher, 1000);
    try {
      await until(() => pub.count() > 200, 5000);
      await rig.sim.run({ type: 'bind', parameters: { time_s: 2, refuse_target_s: 0.2 } });
      const after = pub.count();
      await until(() => pub.count() > after + 200, 5000);
    } finally {
      await pub.stop();
    }
    await until(() => (main.seen['a'] as number[]).length >= (pub.acked['a'] as number[]).length, 3000).catch(() => undefined);
    const moved = rig.events.find((event) => event.type === 'pubsub.moved');
    assert.ok(moved?.type === 'pubsub.moved' && moved.exact, JSON.stringify(moved));
    assert.equal(differences(pub.acked['a'] as number[], main.seen['a'] as number[]), []);
  } finally {
    await rig.close();
  }
});

test('the new endpoint refuses past one try of retries but not past the MOVING: the move is tried again and still cuts over exactly', async () => {
  const rig = await drillRig({ maintNotifications: { maxHandoffRetries: 2 } });
  try {
    const main = recorder();
    await rig.subscriber.subscribe(['drill:a'], main.listener);
    const pub = publish(rig.publisher, 500);
    try {
      await rig.sim.run({ type: 'bind', parameters: { time_s: 2, refuse_target_s: 1 } });
      const after = pub.count();
      await until(() => pub.count() > after + 100, 5000);
    } finally {
      await pub.stop();
    }
    const seen = types(rig.events);
    assert.ok(seen.indexOf('pubsub.moveFailed') !== -1, seen.join());
    assert.ok(seen.indexOf('pubsub.moved') > seen.indexOf('pubsub.moveFailed'), seen.join());
    assert.not.ok(seen.includes('pubsub.lost'), seen.join());
    const moved = rig.events.find((event) => event.type === 'pubsub.moved');
    assert.ok(moved?.type === 'pubsub.moved' && moved.exact, JSON.stringify(moved));
    const got = main.seen['a'] as number[];
    await until(() => got.includes((pub.acked['a'] as number[]).at(-1) as number), 3000, 'the last message');
    const diff = differences(pub.acked['a'] as number[], got, pub.uncertain);
    assert.equal(diff, [], `exactly once: ${pub.failures.slice(0, 3).join('; ')}`);
  } finally {
    await rig.close();
  }
});

test('the new endpoint refuses until the old one is cut: the move fails, then a reconnect resubscribes (a gap at most, announced)', async () => {
  const rig = await drillRig({ maintNotifications: { maxHandoffRetries: 2 } });
  try {
    const main = recorder();
    await rig.subscriber.subscribe(['drill:a'], main.listener);
    const pub = publish(rig.publisher, 500);
    try {
      await rig.sim.run({ type: 'bind', parameters: { time_s: 1.5, refuse_target_s: 2.5 } });
      await until(() => rig.events.some((event) => event.type === 'pubsub.resubscribed'), 5000, 'resubscribed');
      const after = pub.count();
      await until(() => pub.count() > after + 100, 5000);
    } finally {
      await pub.stop();
    }
    const seen = types(rig.events);
    assert.ok(seen.indexOf('pubsub.moveFailed') !== -1, seen.join());
    assert.ok(seen.indexOf('pubsub.resubscribed') > seen.indexOf('pubsub.moveFailed'), seen.join());
    const got = main.seen['a'] as number[];
    const last = (pub.acked['a'] as number[]).at(-1) as number;
    await until(() => got.includes(last), 3000, 'the last message after the reconnect');
    // The publisher's own connection went through the same failed handoff: a PUBLISH that failed may have run.
    const diff = differences(pub.acked['a'] as number[], got, pub.uncertain);
    assert.ok(diff.every((d) => d.startsWith('missing')), `a gap at most: never doubled or reordered: ${diff.join('; ')} ${pub.failures.slice(0, 3).join('; ')}`);
  } finally {
    await rig.close();
  }
});

test('type none, DNS later than timeS/2: the new subscriber socket lands on the old node, is told the MOVING again there and moves again; exactly once', async () => {
  const rig = await drillRig({ maintNotifications: { endpointType: 'none' } });
  try {
    const main = recorder();
    await rig.subscriber.subscribe(['drill:a'], main.listener);
    const pub = publish(rig.publisher, 500);
    try {
      await until(() => pub.count() > 100, 5000);
      // The move at 1 s lands before DNS follows (1.2 s); the old node serves until 1.9 s, is cut at 2.27 s.
      await rig.sim.run({ type: 'bind', parameters: { time_s: 2, dns_follows_s: 1.2, serve_s: 1.9 } });
      const after = pub.count();
      await until(() => pub.count() > after + 100, 5000);
    } finally {
      await pub.stop();
    }
    const seen = types(rig.events);
    assert.ok(seen.filter((type) => type === 'pubsub.moved').length >= 2, seen.join());
    assert.not.ok(seen.includes('pubsub.lost'), seen.join());
    const got = main.seen['a'] as number[];
    await until(() => got.includes((pub.acked['a'] as number[]).at(-1) as number), 3000, 'the last message');
    assert.equal(differences(pub.acked['a'] as number[], got, pub.uncertain), []);
  } finally {
    await rig.close();
  }
});

test('close() during a move whose target never answers: quick, and nothing is left behind', async () => {
  const before = openHandles();
  const rig = await drillRig({ maintNotifications: { handoffTimeout: 10_000 } });
  await rig.subscriber.subscribe(['drill:a'], () => {});
  const bind = rig.sim.run({ type: 'bind', parameters: { time_s: 3, stall_target_s: 3 } });
  await until(() => rig.sim.connections().length >= 5, 5000, 'the subscriber dialling its new socket');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = performance.now();
  await rig.subscriber.close();
  await rig.publisher.close();
  const closeMs = performance.now() - started;
  assert.ok(closeMs < 1500, `close() did not wait for the stalled move (${closeMs.toFixed(0)} ms)`);
  assert.is(rig.events.filter((event) => event.type === 'pubsub.moved').length, 0);
  await bind;
  await rig.sim.close();
  await until(() => openHandles().sockets <= before.sockets, 3000, 'sockets released');
});

test.run();
