/**
 * The proxy keeps its own answer to CLIENT MAINT_NOTIFICATIONS in the right place by counting
 * the replies the server owes; these are the commands that change that count.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encode, plain } from '../helpers/raw-resp-client.js';
import { rig, type Rig } from './support.js';

const test = suite<{ rig: Rig }>('reply order');

test.before(async (context) => {
  context.rig = await rig();
});

test.after(async ({ rig }) => {
  await rig.teardown();
});

const MAINT = ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'external-ip'];

test('CLIENT REPLY OFF silences everything, the proxy answer included, until CLIENT REPLY ON', async ({ rig }) => {
  const c = await rig.client();
  await c.command('HELLO', '3');
  const bytes = Buffer.concat([['CLIENT', 'REPLY', 'OFF'], ['SET', 'ro:k', '1'], MAINT, ['CLIENT', 'REPLY', 'ON'], ['GET', 'ro:k']].map(encode));
  const replies = await c.sendRaw(bytes, 2);
  assert.equal(replies.map(plain), ['OK', '1']);
  assert.is(rig.infoOf(c)?.endpointType, 'external-ip');
});

test('RESET forgets the opt-in and goes back to RESP2', async ({ rig }) => {
  const c = await rig.optedIn('internal-ip');
  const replies = await c.send(['RESET'], MAINT, ['PING']);
  assert.equal(replies.map((reply) => reply.kind), ['+', '-', '+']);
  assert.equal(plain(replies[0]!), 'RESET');
  assert.is(rig.infoOf(c)?.endpointType, null);
  assert.is(rig.infoOf(c)?.protocol, 2);
});

test('RESP2 subscriptions count one reply per channel', async ({ rig }) => {
  const c = await rig.client();
  const replies = await c.send(['SUBSCRIBE', 'ro:a', 'ro:b'], ['SUBSCRIBE', 'ro:c']);
  assert.is(replies.length, 2);
  const rest = await c.sendRaw(encode(['PING']), 2);
  assert.equal(rest.map((reply) => (plain(reply) as unknown[])[0]), ['subscribe', 'pong'], 'the third confirmation, then PING in subscribed mode');
});

test('after a command whose replies cannot be counted, the handshake goes to the server as is', async ({ rig }) => {
  const c = await rig.client();
  await c.command('SUBSCRIBE', 'ro:x');
  await c.sendRaw(encode(['UNSUBSCRIBE']), 1);
  const [reply] = await c.send(['CLIENT', 'MAINT_NOTIFICATIONS', 'ON']);
  assert.is(reply?.kind, '-');
  assert.match(String(plain(reply!)), 'unknown subcommand', 'the real server answered');
  assert.is(rig.infoOf(c)?.endpointType, null);
});

test('an empty inline line needs no reply; an endless inline line is a protocol error', async ({ rig }) => {
  const c = await rig.client();
  assert.equal((await c.sendRaw('\r\n\r\nPING\r\n', 1)).map(plain), ['PONG']);
  const flood = await rig.client();
  const [reply] = await flood.sendRaw(Buffer.alloc(70 * 1024, 0x61), 1);
  assert.match(String(plain(reply!)), 'inline request too long');
  await flood.closed;
});

test('QUIT: the +OK arrives, then the proxy closes the connection', async ({ rig }) => {
  const c = await rig.client();
  assert.equal(plain(await c.command('QUIT')), 'OK');
  await c.closed;
});

test.run();
