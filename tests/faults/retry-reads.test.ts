/**
 * retryReads: a read whose connection is cut mid-reply is sent again within its deadline and
 * answered; a write cut the same way fails typed and is never re-sent; the option turns it off.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintClient, HitlessError, type MaintClient, type MaintClientOptions } from '../../src/index.js';
import { createMaintSimulator, type MaintSimulator } from '../../src/simulator/index.js';
import { nextEvent } from '../simulator/support.js';
import { SimulatedClock } from 'xstate';
import { ConnectionError, RedisReplyError, TimeoutError } from '../../src/errors.js';
import type { PendingCommand } from '../../src/transport/command.js';
import { RetriableRead } from '../../src/transport/retriable-read.js';
import { isReadOnlyCommand } from '../../src/commands/read-only.js';

async function setup(options: MaintClientOptions = {}): Promise<{ sim: MaintSimulator; client: MaintClient; close(): Promise<void> }> {
  const sim = await createMaintSimulator({ spawn: true, endpoints: 1 });
  const [host, port] = (sim.endpoints[0] as string).split(':');
  const client = createMaintClient({ host: host as string, port: Number(port), poolSize: 1, commandTimeout: 2000, ...options });
  try {
    await client.connect();
  } catch (error) {
    await client.close();
    await sim.close();
    throw error;
  }
  return { sim, client, close: async () => { await client.close(); await sim.close(); } };
}

/** Arms a cut of the next reply on every connection, then runs `command`; resolves with its outcome. */
async function cutDuring(sim: MaintSimulator, command: () => Promise<unknown>): Promise<unknown> {
  const cut = sim.run({ type: 'cut', parameters: {} });
  await nextEvent(sim, 'action.step', (e) => e.step === 'armed');
  const outcome = command().then((value) => value, (error: unknown) => error);
  await cut;
  return outcome;
}

const BIG = 'v'.repeat(300_000);

test('a GET cut mid-reply is sent again and answered in full', async () => {
  const s = await setup();
  try {
    await s.client.set('rr:big', BIG);
    const outcome = await cutDuring(s.sim, () => s.client.get('rr:big'));
    assert.is(outcome, BIG);
    assert.is(s.client.state().connections.length, 1);
  } finally {
    await s.close();
  }
});

test('an INCR cut mid-reply fails with ERR_CONNECTION_LOST (sent: true) and is not re-sent: it ran exactly once', async () => {
  const s = await setup();
  try {
    const outcome = await cutDuring(s.sim, () => s.client.incr('rr:n'));
    assert.instance(outcome, HitlessError);
    assert.is((outcome as HitlessError).code, 'ERR_CONNECTION_LOST');
    assert.is((outcome as HitlessError).sent, true);
    assert.is(await s.client.get('rr:n'), '1');
  } finally {
    await s.close();
  }
});

test('retryReads: false leaves a cut read failed', async () => {
  const s = await setup({ retryReads: false });
  try {
    await s.client.set('rr:big', BIG);
    const outcome = await cutDuring(s.sim, () => s.client.get('rr:big'));
    assert.instance(outcome, HitlessError);
    assert.is((outcome as HitlessError).code, 'ERR_CONNECTION_LOST');
  } finally {
    await s.close();
  }
});

test('RetriableRead: sent again once, with its own deadline; never for a timeout, a reply error, or past its deadline', async () => {
  const clock = new SimulatedClock();
  const sent: RetriableRead[] = [];
  const resender = { clock, send: (command: PendingCommand) => sent.push(command as RetriableRead) };
  const outcomes: unknown[] = [];
  const read = (timeout = 1000) => new RetriableRead('GET', ['GET', 'k'], clock.now(), timeout, (v) => outcomes.push(v), (e) => outcomes.push(e), resender);
  const lost = () => new ConnectionError('ERR_CONNECTION_LOST', 'lost', { retryable: true, sent: true });
  const tick = () => new Promise((resolve) => process.nextTick(resolve));

  const twice = read();
  twice.encoded = '';
  twice.fail(lost());
  await tick();
  assert.equal(sent, [twice], 'sent again');
  assert.is(String(twice.encoded), '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n', 're-encoded');
  assert.equal(outcomes, []);
  twice.fail(lost());
  await tick();
  assert.is(sent.length, 1, 'once only');
  assert.instance(outcomes[0], ConnectionError);

  const handedOff = read();
  handedOff.fail(new ConnectionError('ERR_HANDOFF', 'moved', { retryable: true }));
  await tick();
  assert.is(sent.length, 2);
  handedOff.succeed('v');
  assert.is(outcomes[1], 'v');

  for (const error of [new TimeoutError('ERR_COMMAND_TIMEOUT', 1000, 'GET'), new RedisReplyError('WRONGTYPE x'), new ConnectionError('ERR_CLIENT_CLOSED', 'closed')]) {
    read().fail(error);
    await tick();
    assert.is(outcomes.at(-1), error);
  }
  const late = read(100);
  clock.increment(100);
  const error = lost();
  late.fail(error);
  await tick();
  assert.is(outcomes.at(-1), error, 'no retry once the deadline has passed');
  assert.is(sent.length, 2);

  const settledMeanwhile = read();
  settledMeanwhile.fail(lost());
  settledMeanwhile.settled = true;
  await tick();
  assert.is(sent.length, 2, 'a read settled before its retry (client closed) is not sent');
});

test('isReadOnlyCommand: by the table flag, per subcommand for containers; unknown names are not reads', () => {
  assert.ok(isReadOnlyCommand('GET', ['k']));
  assert.ok(isReadOnlyCommand('GET', ['k']), 'remembered');
  assert.not.ok(isReadOnlyCommand('INCR', ['k']));
  assert.ok(isReadOnlyCommand('OBJECT', ['ENCODING', 'k']));
  assert.ok(isReadOnlyCommand('XINFO', ['stream', 'k']));
  assert.not.ok(isReadOnlyCommand('CONFIG', ['SET', 'x', 'y']));
  assert.not.ok(isReadOnlyCommand('NOSUCHCOMMAND', []));
  assert.not.ok(isReadOnlyCommand('NOSUCHCOMMAND', []));
});

test('retryReads is validated', () => {
  try {
    createMaintClient({ retryReads: 'yes' as never });
    assert.unreachable('accepted');
  } catch (error) {
    assert.instance(error, HitlessError);
    assert.match((error as Error).message, /retryReads/);
  }
});

test.run();
