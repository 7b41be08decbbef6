import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { ConnectionError, RedisReplyError, TimeoutError } from '../../src/errors.js';
import { encodeCommand } from '../../src/protocol/encoder.js';
import type { RespArgument, RespValue } from '../../src/protocol/types.js';
import { PendingCommand } from '../../src/transport/command.js';
import { Pipeline } from '../../src/transport/pipeline.js';

/** Records what the Pipeline does to its socket; the test plays the server by emitting 'data'/'close'. */
class FakeSocket extends EventEmitter {
  /** Every socket call in order: 'write:<text>', 'cork', 'uncork', 'end:<text>', 'destroySoon', 'destroy'. */
  readonly log: string[] = [];
  closed = false;

  get writes(): string[] {
    return this.log.filter((entry) => entry.startsWith('write:')).map((entry) => entry.slice('write:'.length));
  }

  write(chunk: string | Buffer): boolean {
    this.log.push(`write:${chunk.toString()}`);
    return true;
  }
  cork(): void {
    this.log.push('cork');
  }
  uncork(): void {
    this.log.push('uncork');
  }
  end(chunk?: string | Buffer): this {
    this.log.push(`end:${chunk === undefined ? '' : chunk.toString()}`);
    return this;
  }
  destroySoon(): void {
    this.log.push('destroySoon');
    this.closeLater();
  }
  destroy(): this {
    this.log.push('destroy');
    this.closeLater();
    return this;
  }
  /** Like a real socket: 'close' follows destroy() asynchronously. */
  private closeLater(): void {
    if (this.closed) return;
    this.closed = true;
    process.nextTick(() => this.emit('close', false));
  }

  /** The server sends bytes. */
  feed(text: string): void {
    this.emit('data', Buffer.from(text));
  }
}

interface Outcome {
  readonly command: PendingCommand;
  state: 'pending' | 'resolved' | 'rejected';
  value?: RespValue;
  error?: Error;
}

interface Setup {
  clock: SimulatedClock;
  socket: FakeSocket;
  pipeline: Pipeline;
  pushes: RespValue[][];
  lost: ConnectionError[];
  /** Writes a command started now on the simulated clock. */
  send(args: RespArgument[], timeout?: number, blockMs?: number): Outcome;
}

function setup(): Setup {
  const clock = new SimulatedClock();
  const socket = new FakeSocket();
  const pushes: RespValue[][] = [];
  const lost: ConnectionError[] = [];
  const pipeline = new Pipeline(socket as unknown as Socket, clock, { onPush: (frame) => pushes.push(frame), onLost: (error) => lost.push(error) }, 'h:1');
  const send = (args: RespArgument[], timeout = 100, blockMs = 0): Outcome => {
    let outcome: Outcome | undefined;
    const command = new PendingCommand(
      String(args[0]).toUpperCase(),
      encodeCommand(args),
      clock.now(),
      timeout,
      blockMs,
      (value) => Object.assign(outcome!, { state: 'resolved', value }),
      (error) => Object.assign(outcome!, { state: 'rejected', error }),
    );
    outcome = { command, state: 'pending' };
    pipeline.write(command);
    return outcome;
  };
  return { clock, socket, pipeline, pushes, lost, send };
}

/** Lets process.nextTick callbacks (the write flush, 'close' after destroy) and promise jobs run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function assertFailed(outcome: Outcome, type: Function, code: string): Error {
  assert.is(outcome.state, 'rejected', `${outcome.command.name} should have failed with ${code}`);
  const error = outcome.error as Error & { code?: string };
  assert.instance(error, type);
  assert.is(error.code, code);
  return error;
}

// ---------------------------------------------------------------- writes and replies

test('commands written in one tick are flushed as ONE socket write on the next tick', async () => {
  const { socket, send, pipeline } = setup();
  send(['SET', 'a', '1']);
  send(['GET', 'a']);
  send(['INCR', 'n']);
  assert.equal(socket.writes, [], 'nothing is written synchronously');
  await new Promise<void>((resolve) => process.nextTick(resolve));
  assert.equal(socket.writes, ['*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n']);
  assert.is(pipeline.inflightCount, 3);
  send(['PING']);
  await settle();
  assert.is(socket.writes.length, 2, 'a command in a later tick gets its own write');
  pipeline.destroy('test over');
});

test('binary arguments are written inside one cork/uncork with the text around them', async () => {
  const { socket, send, pipeline } = setup();
  send(['GET', 'a']);
  send(['SET', 'b', Buffer.from([0xff, 0x00])]);
  send(['GET', 'c']);
  await settle();
  const cork = socket.log.indexOf('cork');
  const uncork = socket.log.indexOf('uncork');
  assert.ok(cork >= 0 && uncork > cork, socket.log.join(' | '));
  assert.ok(socket.log.slice(cork + 1, uncork).every((entry) => entry.startsWith('write:')));
  assert.ok(socket.log.slice(0, cork).every((entry) => !entry.startsWith('write:')), 'no write outside the cork');
  assert.ok(socket.log.slice(uncork + 1).every((entry) => !entry.startsWith('write:')), 'no write outside the cork');
  assert.ok(socket.writes.join('').startsWith('*2\r\n$3\r\nGET\r\n$1\r\na\r\n*3\r\n$3\r\nSET'));
  assert.ok(socket.writes.join('').endsWith('*2\r\n$3\r\nGET\r\n$1\r\nc\r\n'));
  pipeline.destroy('test over');
});

test('replies resolve the commands in order, error replies reject only their own command', async () => {
  const { socket, send, pipeline } = setup();
  const a = send(['SET', 'a', '1']);
  const b = send(['INCR', 'a']);
  const c = send(['LPUSH', 'a', 'x']);
  const d = send(['GET', 'a']);
  await settle();
  socket.feed('+OK\r\n:2\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n$1');
  socket.feed('\r\n2\r\n');
  await settle();
  assert.is(a.value, 'OK');
  assert.is(b.value, 2);
  assert.is(c.state, 'rejected');
  assert.instance(c.error, RedisReplyError);
  assert.match(c.error?.message ?? '', /^WRONGTYPE/);
  assert.is(d.state, 'resolved');
  assert.is(d.value, '2');
  assert.is(pipeline.inflightCount, 0);
  pipeline.destroy('test over');
});

test('a push frame between replies goes to onPush and does not take a reply slot', async () => {
  const { socket, send, pushes, pipeline } = setup();
  const a = send(['GET', 'a']);
  const b = send(['GET', 'b']);
  await settle();
  socket.feed('$5\r\nfirst\r\n>4\r\n+MOVING\r\n:7\r\n:15\r\n$7\r\nh2:6380\r\n$6\r\nsecond\r\n');
  await settle();
  assert.equal(pushes, [['MOVING', 7, 15, 'h2:6380']]);
  assert.is(a.value, 'first');
  assert.is(b.value, 'second');
  pipeline.destroy('test over');
});

// ---------------------------------------------------------------- deadlines

test('a command without reply times out exactly at its deadline; its late reply is dropped', async () => {
  const { clock, socket, send, pipeline, lost } = setup();
  const a = send(['GET', 'a'], 100);
  await settle();
  clock.increment(99);
  await settle();
  assert.is(a.state, 'pending', 'not before the deadline');
  clock.increment(1);
  await settle();
  const error = assertFailed(a, TimeoutError, 'ERR_COMMAND_TIMEOUT');
  assert.is((error as TimeoutError).timeoutMs, 100);
  const b = send(['GET', 'b'], 100);
  await settle();
  socket.feed('$4\r\nlate\r\n$4\r\nmine\r\n');
  await settle();
  assert.is(b.state, 'resolved');
  assert.is(b.value, 'mine', 'the late reply for the timed-out command is not given to the next one');
  assert.is(a.value, undefined);
  assert.is(lost.length, 0, 'a timeout does not lose the connection');
  assert.ok(pipeline.writable);
  pipeline.destroy('test over');
});

test('each command honours its own deadline (a later one times out after the earlier)', async () => {
  const { clock, send, pipeline } = setup();
  const a = send(['GET', 'a'], 100);
  clock.increment(30);
  const b = send(['GET', 'b'], 100);
  await settle();
  clock.increment(70);
  await settle();
  assertFailed(a, TimeoutError, 'ERR_COMMAND_TIMEOUT');
  assert.is(b.state, 'pending');
  clock.increment(29);
  await settle();
  assert.is(b.state, 'pending');
  clock.increment(1);
  await settle();
  assertFailed(b, TimeoutError, 'ERR_COMMAND_TIMEOUT');
  pipeline.destroy('test over');
});

test('a command behind one with a later deadline still times out at its own deadline', async () => {
  const { clock, send, pipeline } = setup();
  // E.g. the head was written while relaxed (long deadline), the next after the relaxation ended.
  const head = send(['GET', 'slow'], 1000);
  clock.increment(10);
  const next = send(['GET', 'fast'], 100);
  await settle();
  clock.increment(99);
  await settle();
  assert.is(next.state, 'pending');
  clock.increment(1);
  await settle();
  assertFailed(next, TimeoutError, 'ERR_COMMAND_TIMEOUT');
  assert.is(head.state, 'pending');
  pipeline.destroy('test over');
});

test('relax() stretches an in-flight deadline; the timeout is then typed as maintenance', async () => {
  const { clock, send, pipeline } = setup();
  const a = send(['GET', 'a'], 100);
  await settle();
  clock.increment(50);
  pipeline.relax(500);
  clock.increment(50);
  await settle();
  assert.is(a.state, 'pending', 'survives its original 100 ms deadline');
  clock.increment(399);
  await settle();
  assert.is(a.state, 'pending', 'alive at 499 ms');
  clock.increment(1);
  await settle();
  const error = assertFailed(a, TimeoutError, 'ERR_MAINTENANCE_TIMEOUT');
  assert.is((error as TimeoutError).timeoutMs, 500);
  pipeline.destroy('test over');
});

test('relax() never shortens a longer deadline', async () => {
  const { clock, send, pipeline } = setup();
  const a = send(['GET', 'a'], 1000);
  await settle();
  pipeline.relax(300);
  clock.increment(300);
  await settle();
  assert.is(a.state, 'pending', 'not failed at the relaxed timeout');
  clock.increment(699);
  await settle();
  assert.is(a.state, 'pending');
  clock.increment(1);
  await settle();
  // Its deadline was not stretched, but it timed out during maintenance: typed as such.
  assertFailed(a, TimeoutError, 'ERR_MAINTENANCE_TIMEOUT');
  assert.is(a.command.relaxed, true);
  assert.is(a.command.timeout, 1000);
  pipeline.destroy('test over');
});

test('relax() leaves a command with no deadline (block forever) without one', async () => {
  const { clock, socket, send, pipeline } = setup();
  const blpop = send(['BLPOP', 'q', '0'], Infinity, Infinity);
  await settle();
  pipeline.relax(200);
  clock.increment(200);
  clock.increment(1_000_000);
  await settle();
  assert.is(blpop.state, 'pending');
  assert.is(blpop.command.deadline, Infinity);
  socket.feed('*2\r\n$1\r\nq\r\n$1\r\nx\r\n');
  await settle();
  assert.equal(blpop.value, ['q', 'x']);
  pipeline.destroy('test over');
});

test("a blocking command's relaxed deadline is its block time + the relaxed timeout", async () => {
  const { clock, send, pipeline } = setup();
  const blpop = send(['BLPOP', 'q', '1'], 1000 + 100, 1000);
  await settle();
  clock.increment(100);
  pipeline.relax(500);
  clock.increment(1000);
  await settle();
  assert.is(blpop.state, 'pending', 'survives block + command timeout (1100 ms)');
  clock.increment(399);
  await settle();
  assert.is(blpop.state, 'pending', 'alive at 1499 ms');
  clock.increment(1);
  await settle();
  assertFailed(blpop, TimeoutError, 'ERR_MAINTENANCE_TIMEOUT');
  pipeline.destroy('test over');
});

test('relax() with a shorter relaxed timeout keeps the original deadline; the timeout is typed as during maintenance', async () => {
  const { clock, send, pipeline } = setup();
  const a = send(['GET', 'a'], 100);
  const b = send(['GET', 'b'], 100);
  await settle();
  clock.increment(99);
  pipeline.relax(50);
  await settle();
  assert.is(a.state, 'pending', 'deadline stays 100: relax(50) does not shorten it');
  clock.increment(1);
  await settle();
  assertFailed(a, TimeoutError, 'ERR_MAINTENANCE_TIMEOUT');
  assertFailed(b, TimeoutError, 'ERR_MAINTENANCE_TIMEOUT');
  pipeline.destroy('test over');
});

// ---------------------------------------------------------------- losing the socket

test('a peer close fails every in-flight command (retryable) and calls onLost once', async () => {
  const { socket, send, pipeline, lost } = setup();
  const a = send(['GET', 'a']);
  const b = send(['GET', 'b']);
  await settle();
  socket.emit('error', new Error('ECONNRESET'));
  socket.emit('close', true);
  socket.emit('close', true);
  await settle();
  for (const outcome of [a, b]) {
    const error = assertFailed(outcome, ConnectionError, 'ERR_CONNECTION_LOST');
    assert.is((error as ConnectionError).retryable, true);
  }
  assert.is(lost.length, 1);
  assert.is(lost[0]?.code, 'ERR_CONNECTION_LOST');
  assert.is(lost[0]?.retryable, true);
  assert.not.ok(pipeline.writable);
  const c = send(['GET', 'c']);
  await settle();
  assertFailed(c, ConnectionError, 'ERR_CONNECTION_LOST');
  assert.is(socket.writes.length, 1, 'nothing written after the loss');
});

test('garbage bytes fail in-flight commands and call onLost, without throwing', async () => {
  const { socket, send, pipeline, lost } = setup();
  const a = send(['GET', 'a']);
  const b = send(['GET', 'b']);
  await settle();
  socket.feed('+OK\r\n');
  assert.not.throws(() => socket.feed('this is not RESP\r\n'));
  await settle();
  assert.is(a.value, 'OK', 'a reply before the garbage still counts');
  assertFailed(b, ConnectionError, 'ERR_CONNECTION_LOST');
  assert.is(lost.length, 1, 'onLost once, even with the close that follows destroy()');
  assert.ok(socket.log.includes('destroy'));
  assert.not.ok(pipeline.writable);
});

test('a reply with no command waiting loses the connection, without throwing', async () => {
  const { socket, send, lost } = setup();
  const a = send(['GET', 'a']);
  await settle();
  assert.not.throws(() => socket.feed('+one\r\n+two\r\n'));
  await settle();
  assert.is(a.value, 'one');
  assert.is(lost.length, 1);
  assert.ok(socket.log.includes('destroy'));
});

// ---------------------------------------------------------------- closing

test('end(grace) waits for in-flight replies, then writes QUIT', async () => {
  const { socket, send, pipeline, lost } = setup();
  const a = send(['GET', 'a']);
  const b = send(['GET', 'b']);
  const ended = pipeline.end(1000);
  assert.not.ok(pipeline.writable);
  assert.is(socket.writes.length, 1, 'pending writes are flushed at once');
  const late = send(['GET', 'late']);
  await settle();
  assertFailed(late, ConnectionError, 'ERR_CONNECTION_LOST');
  assert.not.ok(socket.log.some((entry) => entry.startsWith('end:')), 'no QUIT while replies are due');
  socket.feed('$1\r\nA\r\n');
  await settle();
  assert.not.ok(socket.log.some((entry) => entry.startsWith('end:')));
  socket.feed('$1\r\nB\r\n');
  await ended;
  assert.is(a.value, 'A');
  assert.is(b.value, 'B');
  assert.ok(socket.log.includes('end:*1\r\n$4\r\nQUIT\r\n'));
  assert.ok(socket.log.includes('destroySoon'));
  assert.is(socket.writes.length, 1, 'the late command was never written');
  await settle();
  assert.is(lost.length, 0, 'a close we asked for is not a loss');
});

test('end(grace) with no command in flight closes at once', async () => {
  const { socket, pipeline, lost } = setup();
  await pipeline.end(1000);
  assert.ok(socket.log.includes('end:*1\r\n$4\r\nQUIT\r\n'));
  await settle();
  assert.is(lost.length, 0);
});

test('end(grace): a reply that never comes fails its command after grace', async () => {
  const { clock, socket, send, pipeline, lost } = setup();
  const a = send(['GET', 'a'], 10_000);
  let done = false;
  const ended = pipeline.end(500).then(() => (done = true));
  await settle();
  clock.increment(499);
  await settle();
  assert.is(a.state, 'pending');
  assert.not.ok(done);
  assert.not.ok(socket.log.some((entry) => entry.startsWith('end:')));
  clock.increment(1);
  await ended;
  assertFailed(a, ConnectionError, 'ERR_CONNECTION_LOST');
  assert.ok(socket.log.includes('end:*1\r\n$4\r\nQUIT\r\n'));
  await settle();
  assert.is(lost.length, 0);
});

test('destroy() fails in-flight commands; a later write is rejected immediately', async () => {
  const { socket, send, pipeline, lost } = setup();
  const a = send(['GET', 'a']);
  await settle();
  pipeline.destroy('shutting down');
  await settle();
  const error = assertFailed(a, ConnectionError, 'ERR_CONNECTION_LOST');
  assert.match(error.message, /shutting down/);
  assert.ok(socket.log.includes('destroy'));
  const b = send(['GET', 'b']);
  assert.is(b.command.settled, true, 'rejected synchronously, not queued');
  await settle();
  assertFailed(b, ConnectionError, 'ERR_CONNECTION_LOST');
  assert.is(socket.writes.length, 1);
  assert.is(lost.length, 0, 'destroy() is not a loss');
});

test('drained() resolves when the FIFO empties', async () => {
  const { socket, send, pipeline } = setup();
  let resolved = false;
  await pipeline.drained();
  send(['GET', 'a']);
  send(['GET', 'b']);
  void pipeline.drained().then(() => (resolved = true));
  await settle();
  socket.feed('+1\r\n');
  await settle();
  assert.not.ok(resolved, 'one reply still due');
  socket.feed('+2\r\n');
  await settle();
  assert.ok(resolved);
  pipeline.destroy('test over');
});

test('drained() counts a timed-out command until its late reply (or the close)', async () => {
  const { clock, socket, send, pipeline } = setup();
  const a = send(['GET', 'a'], 100);
  let resolved = false;
  void pipeline.drained().then(() => (resolved = true));
  await settle();
  clock.increment(100);
  await settle();
  assertFailed(a, TimeoutError, 'ERR_COMMAND_TIMEOUT');
  assert.not.ok(resolved, 'the reply slot is still owed by the server');
  socket.feed('+late\r\n');
  await settle();
  assert.ok(resolved);
  pipeline.destroy('test over');
});

test('a socket that stays silent for another whole timeout after a timeout is dropped as dead', async () => {
  const { clock, send, lost } = setup();
  const a = send(['GET', 'a'], 100);
  await settle();
  clock.increment(100);
  await settle();
  assertFailed(a, TimeoutError, 'ERR_COMMAND_TIMEOUT');
  const b = send(['GET', 'b'], 100);
  await settle();
  clock.increment(99);
  await settle();
  assert.is(lost.length, 0, 'not before the second timeout has passed');
  clock.increment(1);
  await settle();
  assert.is(lost.length, 1, 'dropped: no reply for 2 × commandTimeout');
  assert.match(lost[0]?.message ?? '', /presumed dead/);
  assertFailed(b, ConnectionError, 'ERR_CONNECTION_LOST');
});

test('a late reply within the grace keeps the socket', async () => {
  const { clock, send, socket, pipeline, lost } = setup();
  const a = send(['GET', 'a'], 100);
  await settle();
  clock.increment(150);
  await settle();
  assertFailed(a, TimeoutError, 'ERR_COMMAND_TIMEOUT');
  socket.feed("$1\r\nx\r\n");
  clock.increment(100);
  await settle();
  assert.is(lost.length, 0);
  assert.ok(pipeline.writable);
  pipeline.destroy('test over');
});

test.run();
