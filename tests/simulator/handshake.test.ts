import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encode, plain } from '../helpers/raw-resp-client.js';
import { kinds, rig, type Rig } from './support.js';

const test = suite<{ rig: Rig }>('handshake');

test.before(async (context) => {
  context.rig = await rig();
});

test.after(async ({ rig }) => {
  await rig.teardown();
});

const MAINT = (type?: string) => (type === undefined ? ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON'] : ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', type]);

test('the handshake is answered in order inside a pipeline, and the last type asked for is remembered', async ({ rig }) => {
  const c = await rig.client();
  const replies = await c.send(
    ['HELLO', '3'],
    ['SET', 'hs:key', 'v1'],
    MAINT('internal-ip'),
    ['GET', 'hs:key'],
    MAINT('external-fqdn'),
    ['ECHO', 'last'],
  );
  assert.is(replies[0]?.kind, '%', 'HELLO 3 answers with a map from the real server');
  assert.equal(kinds(replies.slice(1)), ['+', '+', '$', '+', '$']);
  assert.equal(replies.slice(1).map(plain), ['OK', 'OK', 'v1', 'OK', 'last']);
  const info = rig.infoOf(c);
  assert.is(info?.endpointType, 'external-fqdn');
  assert.is(info?.protocol, 3);
});

test('the +OK waits for the reply of a slow command written before it', async ({ rig }) => {
  const c = await rig.client();
  await c.command('HELLO', '3');
  const replies = await c.send(['BLPOP', 'hs:empty', '0.2'], MAINT('internal-ip'), ['PING']);
  assert.equal(kinds(replies), ['_', '+', '+']);
  assert.equal(replies.map(plain), [null, 'OK', 'PONG']);
});

test('upstream push frames are not replies: the +OK still lands in its place', async ({ rig }) => {
  const c = await rig.client();
  const publisher = await rig.client();
  await c.command('HELLO', '3');
  const replies = await c.sendRaw(
    Buffer.concat([
      Buffer.from('*2\r\n$9\r\nSUBSCRIBE\r\n$5\r\nhs:ch\r\n'),
      Buffer.from('*3\r\n$6\r\nCLIENT\r\n$19\r\nMAINT_NOTIFICATIONS\r\n$2\r\nON\r\n'),
      Buffer.from('*1\r\n$4\r\nPING\r\n'),
    ]),
    2,
  );
  assert.equal(replies.map(plain), ['OK', 'PONG']);
  await c.waitForPush((push) => push.elements[0]?.value === 'subscribe');
  await publisher.command('PUBLISH', 'hs:ch', 'hello');
  const message = await c.waitForPush((push) => push.elements[0]?.value === 'message');
  assert.equal(message.elements.map(plain), ['message', 'hs:ch', 'hello']);
  assert.equal(plain(await c.command('PING')), 'PONG');
});

test('without a type the default is internal-ip; OFF opts out again', async ({ rig }) => {
  const c = await rig.client();
  await c.command('HELLO', '3');
  assert.equal(plain(await c.command(...MAINT())), 'OK');
  const find = () => rig.infoOf(c);
  assert.is(find()?.endpointType, 'internal-ip');
  assert.equal(plain(await c.command('CLIENT', 'MAINT_NOTIFICATIONS', 'OFF')), 'OK');
  assert.is(find()?.endpointType, null);
});

test('bad requests get error replies in order and the connection stays usable', async ({ rig }) => {
  const c = await rig.client();
  const resp2 = await c.send(MAINT('internal-ip'), ['PING']);
  assert.is(resp2[0]?.kind, '-');
  assert.match(String(plain(resp2[0] as never)), 'RESP3');
  await c.command('HELLO', '3');
  const replies = await c.send(MAINT('bogus'), ['CLIENT', 'MAINT_NOTIFICATIONS', 'MAYBE'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'colour', 'red'], ['PING']);
  assert.equal(kinds(replies), ['-', '-', '-', '+']);
  assert.match(String(plain(replies[0] as never)), "invalid moving-endpoint-type 'bogus'");
  assert.is(plain(replies[3] as never), 'PONG');
});

test('CLIENT REPLY SKIP silences the proxy answer too', async ({ rig }) => {
  const c = await rig.client();
  await c.command('HELLO', '3');
  const replies = await c.sendRaw(
    Buffer.concat([
      Buffer.from('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n'),
      Buffer.from('*5\r\n$6\r\nCLIENT\r\n$19\r\nMAINT_NOTIFICATIONS\r\n$2\r\nON\r\n$20\r\nmoving-endpoint-type\r\n$4\r\nnone\r\n'),
      Buffer.from('*2\r\n$4\r\nECHO\r\n$5\r\nafter\r\n'),
    ]),
    1,
  );
  assert.equal(replies.map(plain), ['after']);
  assert.is(rig.infoOf(c)?.endpointType, 'none', 'the opt-in still took effect');
});

test('inline commands are forwarded and answered', async ({ rig }) => {
  const c = await rig.client();
  const [reply] = await c.sendRaw('PING\r\nSET hs:inline yes\r\n', 2);
  assert.is(plain(reply as never), 'PONG');
  assert.is(plain(await c.command('GET', 'hs:inline')), 'yes');
});

test('garbage from a client gets a protocol error and that connection alone is closed', async ({ rig }) => {
  const bystander = await rig.optedIn('internal-ip');
  const c = await rig.client();
  const [reply] = await c.sendRaw('*1\r\n$x\r\n', 1);
  assert.is(reply?.kind, '-');
  assert.match(String(plain(reply as never)), 'Protocol error');
  await c.closed;
  assert.is(plain(await bystander.command('PING')), 'PONG');
});

test('a failed HELLO 3 keeps RESP2: the pipelined opt-in is refused and nothing is remembered', async ({ rig }) => {
  const c = await rig.client();
  const replies = await c.send(['HELLO', '3', 'AUTH', 'hs-nobody', 'wrong'], MAINT('internal-ip'), ['PING']);
  assert.equal(kinds(replies), ['-', '-', '+']);
  assert.match(String(plain(replies[0]!)), /WRONGPASS/);
  assert.match(String(plain(replies[1]!)), /requires RESP3/);
  const info = rig.infoOf(c);
  assert.is(info?.protocol, 2);
  assert.is(info?.endpointType, null);
});

test('HELLO 2 after opting in opts out: the connection is RESP2 again', async ({ rig }) => {
  const c = await rig.client();
  const replies = await c.send(['HELLO', '3'], MAINT('internal-ip'), ['HELLO', '2'], MAINT('internal-ip'));
  assert.equal(kinds(replies), ['%', '+', '*', '-']);
  const info = rig.infoOf(c);
  assert.is(info?.protocol, 2);
  assert.is(info?.endpointType, null);
});

test('a pipelined HELLO 3 + SUBSCRIBE + opt-in still lines up (RESP3 confirmations are pushes)', async ({ rig }) => {
  const c = await rig.client();
  const replies = await c.send(['HELLO', '3'], MAINT('internal-ip'));
  assert.equal(kinds(replies), ['%', '+']);
  const more = await c.sendRaw(Buffer.concat([encode(['SUBSCRIBE', 'hs:ch']), encode(MAINT('external-ip')), encode(['PING'])]), 2);
  assert.equal(kinds(more), ['+', '+']);
  assert.is(rig.infoOf(c)?.endpointType, 'external-ip');
});

test.run();
