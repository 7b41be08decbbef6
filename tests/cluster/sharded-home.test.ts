import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterNode } from '../../src/cluster/node.js';
import { NodeHome } from '../../src/cluster/sharded/node-home.js';
import { keySlot } from '../../src/cluster/slot.js';
import type { EventInit } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import type { SocketOwner } from '../../src/pool/opener.js';
import type { Endpoint } from '../../src/protocol/endpoint.js';
import type { RespValue } from '../../src/protocol/types.js';
import { parseInfo } from '../../src/simulator/admin-client.js';
import { systemClock } from '../../src/transport/clock.js';
import { openConnection } from '../../src/transport/open.js';
import { clientFor, until } from '../helpers/client.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';

/**
 * One node's sharded subscriber on its own, against a standalone redis-server (which takes
 * SSUBSCRIBE too): per-slot SSUBSCRIBE, a channel the socket lost subscribed again, ASKING before
 * an importing slot's SSUBSCRIBE, a refusal, release and close.
 */
let server: RedisProcess;
test.before(async () => {
  server = await startRedis();
});
test.after(async () => {
  await server?.stop();
});

function homeAt(endpoint: Endpoint, user?: { username: string; password: string }) {
  const events: EventInit[] = [];
  const messages: string[] = [];
  const node = {
    key: `${endpoint.host}:${endpoint.port}`,
    endpoint,
    retired: false,
    pool: {
      currentEndpoint: endpoint,
      openFor: (owner: SocketOwner, at: Endpoint, signal: AbortSignal) =>
        openConnection({
          endpoint: at,
          clock: systemClock,
          dial: { tls: false, connectTimeout: 300, signal },
          handshake: { protocol: 3, database: 0, libName: 'test', libVersion: '0', maintOptIn: false, ...(user === undefined ? {} : user) },
          handlers: { onPush: (frame) => owner.onPush(frame), onLost: (error, pipeline) => owner.onLost(pipeline, error.message), pushBuffers: () => owner.pushBuffers?.() === true },
        }),
    },
  } as unknown as ClusterNode;
  const home = new NodeHome(node, {
    session: { clock: systemClock, logger: createLogger('error'), commandTimeoutMs: 1000, fenceTimeoutMs: 1000, followMoves: true, moveAttempts: 1 },
    emit: (_node, event) => events.push(event),
    deliver: (_from, _type, frame: RespValue[]) => messages.push(`${String(frame[1])}=${String(frame[2])}`),
    buffersWanted: () => false,
    unsubscribed: () => {},
  });
  return { home, events, messages };
}

const endpoint = () => ({ host: server.host, port: server.port });

test('carry: one SSUBSCRIBE per slot, messages handed on; a lost channel is subscribed again; release unsubscribes', async () => {
  const admin = clientFor(server).client;
  const { home, messages } = homeAt(endpoint());
  try {
    await admin.connect();
    await admin.call('CONFIG', 'RESETSTAT');
    const slot = keySlot('{t}a');
    await home.carry(slot, new Set(['{t}a', '{t}b']));
    await home.carry(keySlot('other'), new Set(['other']), true); // ASKING first (a standalone server refuses it; harmless)
    const calls = parseInfo(String(await admin.call('INFO', 'commandstats'))).get('cmdstat_ssubscribe') ?? '';
    assert.match(calls, /calls=2,/, 'one SSUBSCRIBE per slot');
    assert.equal(home.channels(), ['other', '{t}a', '{t}b']);
    assert.ok(home.carries('{t}a') && home.carries('other'));
    await admin.call('SPUBLISH', '{t}b', 'one');
    await until(() => messages.includes('{t}b=one'), 2000, 'the message');

    // The socket lost a channel on its own (as at SETSLOT … NODE): carrying the same set subscribes it again.
    home.session.current!.confirmed.shard.delete('{t}a');
    assert.not.ok(home.carries('{t}a'));
    await home.carry(slot, new Set(['{t}a', '{t}b']));
    assert.ok(home.carries('{t}a'));
    assert.equal(((await admin.call('PUBSUB', 'SHARDCHANNELS')) as string[]).slice().sort(), ['other', '{t}a', '{t}b']);

    // Carrying fewer unsubscribes the rest; release leaves the slot.
    await home.carry(slot, new Set(['{t}b']));
    assert.not.ok(home.carries('{t}a'));
    await home.release(slot);
    await home.release(keySlot('other'));
    assert.ok(home.empty);
    assert.equal(await admin.call('PUBSUB', 'SHARDCHANNELS'), []);
  } finally {
    await home.close();
    await admin.close();
  }
});

test('a refused shard channel (ACL NOPERM): carry rejects with the server error and the home forgets it', async () => {
  const admin = clientFor(server).client;
  await admin.connect();
  await admin.call('ACL', 'SETUSER', 'shardy', 'on', '>pw', '~*', 'resetchannels', '&ok:*', '+@all');
  const { home } = homeAt(endpoint(), { username: 'shardy', password: 'pw' });
  try {
    await home.carry(keySlot('ok:1'), new Set(['ok:1']));
    const refused = await home.carry(keySlot('no:1'), new Set(['no:1'])).then(
      () => 'resolved',
      (error: Error & { code?: string }) => `${error.code}: ${error.message}`,
    );
    assert.match(refused, /^ERR_REDIS_REPLY: NOPERM/);
    assert.equal(home.channels(), ['ok:1']);
    assert.ok(home.carries('ok:1'), 'the socket and its other channel stayed');
  } finally {
    await home.close();
    await admin.close();
  }
});

test.run();
