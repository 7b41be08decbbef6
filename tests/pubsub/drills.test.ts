import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MaintClient, MaintClientOptions } from '../../src/index.js';
import type { ActionRequest } from '../../src/simulator/index.js';
import { until } from '../helpers/client.js';
import { caughtUp, differences, drillRig, publish, recorder } from './drill.js';

const RATE = 2400; // messages/s over the four targets

/**
 * A publisher sends numbered messages on two channels, a pattern's channel and a shard channel
 * while the simulator runs `action`; one listener per kind must get every acknowledged message
 * exactly once, in order, and one more listener leaves mid-drill.
 */
async function drill(action: ActionRequest, options: MaintClientOptions = {}) {
  const rig = await drillRig(options);
  const { sim, publisher, subscriber, other, events } = rig;
  try {
    const main = recorder();
    const everything = recorder();
    const leaver = recorder();
    await subscriber.subscribe(['drill:a', 'drill:b'], main.listener);
    await subscriber.psubscribe(['drill:p.*'], main.listener);
    await subscriber.ssubscribe(['drill:{s}'], main.listener);
    await subscriber.psubscribe(['*'], everything.listener);
    const leaving = subscriber.subscribe$('drill:a').subscribe((message) => leaver.listener(message));
    const second = recorder();
    const streams = [other.subscribe$('drill:a', 'drill:b'), other.ssubscribe$('drill:{s}')].map((stream$) => stream$.subscribe(second.listener));
    await other.psubscribe(['drill:p.*'], second.listener);
    await bothClientsSubscribed(publisher);

    const pub = publish(publisher, RATE);
    let leftAt = -1;
    try {
      await until(() => pub.count() > 600, 5000, 'publishing');
      const run = sim.run(action);
      const atStart = pub.count();
      await until(() => pub.count() > atStart + RATE, 10_000, 'a second into the action');
      leaving.unsubscribe();
      leftAt = (leaver.seen['a'] as number[]).length;
      const result = await run;
      assert.is(result.status, 'success');
      const after = pub.count();
      await until(() => pub.count() > after + 600, 5000, 'publishing after the action');
    } finally {
      await pub.stop();
    }
    await caughtUp(main.seen, pub.acked, ['a', 'b', 'p', 's']);
    await caughtUp(everything.seen, pub.acked, ['a', 'b', 'p']);
    await caughtUp(second.seen, pub.acked, ['a', 'b', 'p', 's']);
    for (const stream of streams) stream.unsubscribe();
    assert.equal(pub.failures, [], 'no PUBLISH failed');
    const total = Object.values(pub.acked).reduce((sum, list) => sum + list.length, 0);
    assert.ok(total > 3 * 600, `published ${total}`);
    for (const name of ['a', 'b', 'p', 's']) {
      assert.equal(differences(pub.acked[name] as number[], main.seen[name] as number[]), [], `listener on ${name}: every message once, in order`);
    }
    for (const name of ['a', 'b', 'p']) {
      assert.equal(differences(pub.acked[name] as number[], everything.seen[name] as number[]), [], `pattern * on ${name}`);
    }
    for (const name of ['a', 'b', 'p', 's']) {
      assert.equal(differences(pub.acked[name] as number[], second.seen[name] as number[]), [], `the second subscribing client on ${name}`);
    }
    assert.equal(everything.stray, [], 'the private fence channel never reached the * pattern');
    const leaverGot = leaver.seen['a'] as number[];
    assert.is(leaverGot.length, leftAt, 'nothing reached the listener that left');
    assert.ok(leftAt > 100, `the leaver got messages before leaving (${leftAt})`);
    assert.equal(leaverGot, (pub.acked['a'] as number[]).slice(0, leftAt), 'and what it got was exact');
    return { events, subscriber };
  } finally {
    await rig.close();
  }
}

/** Observables subscribe asynchronously: wait until the server counts both subscribing clients everywhere. */
async function bothClientsSubscribed(client: MaintClient): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const channels = (await client.call('PUBSUB', 'NUMSUB', 'drill:a', 'drill:b')) as Array<string | number>;
    const shard = (await client.call('PUBSUB', 'SHARDNUMSUB', 'drill:{s}')) as Array<string | number>;
    if (channels[1] === 2 && channels[3] === 2 && shard[1] === 2) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the second client did not subscribe');
}

function moved(events: readonly { type: string }[]) {
  return events.filter((event) => event.type === 'pubsub.moved') as Array<{ type: 'pubsub.moved'; exact: boolean; to: string; reason?: string }>;
}

for (const endpointType of ['internal-ip', 'internal-fqdn', 'external-ip', 'external-fqdn'] as const) {
  test(`bind (${endpointType}) at ${RATE} msg/s: exactly once, in order, through a fenced move`, async () => {
    const { events } = await drill({ type: 'bind', parameters: { time_s: 2 } }, { maintNotifications: { endpointType } });
    const moves = moved(events);
    assert.is(moves.length, 1, 'one move');
    assert.ok(moves[0]?.exact, `the fence cut over exactly (${moves[0]?.reason ?? ''})`);
    assert.is(events.filter((e) => e.type === 'pubsub.lost').length, 0, 'never lost');
  });
}

test(`bind (none) at ${RATE} msg/s: the move waits timeS/2, goes to the configured address, exactly once`, async () => {
  const { events } = await drill({ type: 'bind', parameters: { time_s: 2, dns_follows_s: 0.5 } }, { maintNotifications: { endpointType: 'none' } });
  const moves = moved(events);
  assert.is(moves.length, 1);
  assert.ok(moves[0]?.exact, moves[0]?.reason);
});

test(`migrate at ${RATE} msg/s: nothing to move, nothing lost`, async () => {
  const { events } = await drill({ type: 'migrate', parameters: { time_s: 2, duration_s: 1, delay_ms: 20 } });
  assert.is(moved(events).length, 0);
  assert.is(events.filter((e) => e.type === 'pubsub.lost').length, 0);
});

test(`a real failover at ${RATE} msg/s: the simulator carries the subscriber socket, exactly once`, async () => {
  const { events } = await drill({ type: 'failover', parameters: { time_s: 2 } });
  assert.is(events.filter((e) => e.type === 'pubsub.lost').length, 0, 'the subscriber socket was carried, not lost');
});

test.run();
