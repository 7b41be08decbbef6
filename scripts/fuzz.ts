/**
 * `npm run fuzz -- --iterations N [--seed S] [--no-capture]`: random and mutated RESP2/RESP3 byte streams — seeded
 * from the notification vectors, a corpus of every RESP type and (when redis-server is on PATH)
 * replies captured from a real server — split at random boundaries, into the client's decoder,
 * the simulator's frame scanner and the notification parser. Passes when nothing but a typed
 * ProtocolError is thrown, no input takes more than a second, unmutated streams decode the same
 * however they are split, and the heap stays bounded. Prints a failing seed/iteration to replay.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProtocolError } from '../src/errors.js';
import { RespDecoder } from '../src/protocol/decoder.js';
import { FrameScanner, scanFrames } from '../src/protocol/frame-scanner.js';
import { classifyPush } from '../src/protocol/notifications.js';
import type { RespValue } from '../src/protocol/types.js';
import { startRedisServer } from '../src/simulator/redis-process.js';
import { seededRandom } from './seeded-random.js';
import { integerFlag } from './integer-flag.js';

export interface FuzzOptions {
  iterations: number;
  seed: number;
  /** Extra seed inputs (e.g. captured replies). */
  corpus?: Buffer[];
}

export interface FuzzReport {
  iterations: number;
  seed: number;
  corpusSize: number;
  protocolErrors: number;
  values: number;
  pushes: number;
  slowestMs: number;
  heapGrowthMb: number;
  failures: string[];
}


const BUILT_IN = [
  '+OK\r\n', '-ERR unknown command\r\n', ':42\r\n', ':-7\r\n', '$5\r\nhello\r\n', '$0\r\n\r\n', '$-1\r\n', '*-1\r\n', '_\r\n',
  '*3\r\n:1\r\n$1\r\na\r\n*2\r\n+x\r\n-ERR inner\r\n', '%2\r\n+k1\r\n:1\r\n$2\r\nk2\r\n*1\r\n#t\r\n', '~2\r\n+a\r\n+b\r\n',
  ',3.14\r\n', ',-inf\r\n', ',nan\r\n', '(3492890328409238509324850943850943825024385\r\n', '#f\r\n', '!21\r\nSYNTAX invalid syntax\r\n',
  '=15\r\ntxt:Some string\r\n', '|1\r\n+ttl\r\n:3600\r\n$3\r\nval\r\n', '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nmsg\r\n',
  '>2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n', '*2\r\n*0\r\n%0\r\n',
].map((text) => Buffer.from(text));

const INTERESTING = ['\r', '\n', '\r\n', '$', '*', '%', '>', '|', '~', '-1', '0', '9999999999', '4294967296', ':', '+', ',', '!', '=', '(', '#', '_', 'inf', '-'].map((t) => Buffer.from(t));

export function vectorFrames(): Buffer[] {
  const path = fileURLToPath(new URL('../tests/fixtures/notifications.json', import.meta.url));
  const cases = (JSON.parse(readFileSync(path, 'utf8')) as { cases: Array<{ wire: string }> }).cases;
  return cases.map((c) => Buffer.from(c.wire, 'binary'));
}

function mutate(input: Buffer, random: () => number, corpus: readonly Buffer[]): Buffer {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  let bytes = Buffer.from(input);
  const rounds = 1 + Math.floor(random() * 4);
  for (let round = 0; round < rounds; round++) {
    const at = Math.floor(random() * (bytes.length + 1));
    switch (Math.floor(random() * 7)) {
      case 0: // flip a bit
        if (bytes.length > 0) {
          const index = Math.min(at, bytes.length - 1);
          bytes[index] = (bytes[index] as number) ^ (1 << Math.floor(random() * 8));
        }
        break;
      case 1: // random byte
        if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = Math.floor(random() * 256);
        break;
      case 2: // insert an interesting token
        bytes = Buffer.concat([bytes.subarray(0, at), pick(INTERESTING), bytes.subarray(at)]);
        break;
      case 3: // delete a range
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + Math.floor(random() * 8)))]);
        break;
      case 4: // truncate
        bytes = bytes.subarray(0, at);
        break;
      case 5: // splice in another frame
        bytes = Buffer.concat([bytes.subarray(0, at), pick(corpus), bytes.subarray(at)]);
        break;
      default: // duplicate a range
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.max(0, at - 16), at), bytes.subarray(at)]);
    }
  }
  return bytes;
}

function randomBytes(random: () => number): Buffer {
  const length = Math.floor(random() * 64);
  return Buffer.from(Array.from({ length }, () => (random() < 0.3 ? '\r\n$*:+-%>'.charCodeAt(Math.floor(random() * 9)) : Math.floor(random() * 256))));
}

function split(bytes: Buffer, random: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = random() < 0.3 ? 1 : 1 + Math.floor(random() * Math.max(1, bytes.length - at));
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

interface Outcome {
  values: string[];
  error: unknown;
}

/** Feeds `chunks` to a fresh decoder and scanner; every push frame goes through the notification parser. */
function decode(chunks: readonly Buffer[]): Outcome {
  const values: string[] = [];
  let error: unknown = null;
  const decoder = new RespDecoder({
    onReply: (value) => values.push(show(value)),
    onErrorReply: (reply) => values.push(`-${reply.message}`),
    onPush: (frame) => {
      const classified = classifyPush(frame);
      values.push(`>${classified.kind}:${show(frame)}`);
    },
  });
  try {
    for (const chunk of chunks) decoder.feed(chunk);
  } catch (caught) {
    error = caught;
  }
  const scanner = new FrameScanner();
  try {
    for (const chunk of chunks) scanFrames(scanner, chunk);
  } catch (caught) {
    if (!(caught instanceof ProtocolError)) error ??= caught;
  }
  return { values, error };
}

function show(value: RespValue): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? [...v] : v instanceof Set ? [...v] : v));
}

export function runFuzz(options: FuzzOptions): FuzzReport {
  const random = seededRandom(options.seed);
  const corpus = [...BUILT_IN, ...vectorFrames(), ...(options.corpus ?? [])];
  const report: FuzzReport = { iterations: options.iterations, seed: options.seed, corpusSize: corpus.length, protocolErrors: 0, values: 0, pushes: 0, slowestMs: 0, heapGrowthMb: 0, failures: [] };
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < options.iterations && report.failures.length < 10; i++) {
    const pick = () => corpus[Math.floor(random() * corpus.length)] as Buffer;
    const mode = random();
    // A third unmutated streams of several frames (checked split against whole), the rest mutated or random.
    const clean = mode < 0.3;
    const input = clean ? Buffer.concat(Array.from({ length: 1 + Math.floor(random() * 5) }, pick)) : mode < 0.9 ? mutate(pick(), random, corpus) : randomBytes(random);
    const started = performance.now();
    const whole = decode([input]);
    const pieces = decode(split(input, random));
    const ms = performance.now() - started;
    report.slowestMs = Math.max(report.slowestMs, ms);
    const where = `seed ${options.seed} iteration ${i} input ${JSON.stringify(input.toString('latin1'))}`;
    for (const outcome of [whole, pieces]) {
      if (outcome.error !== null && !(outcome.error instanceof ProtocolError)) report.failures.push(`${where}: threw ${String(outcome.error)}`);
    }
    if (whole.error instanceof ProtocolError) report.protocolErrors++;
    if (clean && whole.error !== null) report.failures.push(`${where}: a valid stream failed: ${String(whole.error)}`);
    // Resumable: however the bytes are split, the same values come out, and the same stream fails.
    if ((whole.error === null) !== (pieces.error === null) || whole.values.join('\n') !== pieces.values.join('\n')) {
      report.failures.push(`${where}: decoded differently when split (${whole.values.length} vs ${pieces.values.length} values; errors ${String(whole.error)} / ${String(pieces.error)})`);
    }
    if (ms > 1000) report.failures.push(`${where}: took ${ms.toFixed(0)} ms`);
    report.values += whole.values.length;
    report.pushes += whole.values.filter((v) => v.startsWith('>')).length;
  }
  report.heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  if (report.heapGrowthMb > 256) report.failures.push(`heap grew by ${report.heapGrowthMb.toFixed(0)} MB`);
  return report;
}

/** Raw reply bytes of a real redis-server (RESP3, then RESP2) to a spread of commands. */
export async function captureReplies(): Promise<Buffer[]> {
  const server = await startRedisServer();
  try {
    const commands = [
      ['HELLO', '3'], ['SET', 'k', 'v'], ['GET', 'k'], ['GET', 'missing'], ['INCR', 'n'], ['INCRBYFLOAT', 'f', '1.5'], ['HSET', 'h', 'a', '1', 'b', '2'], ['HGETALL', 'h'],
      ['SADD', 's', 'x', 'y'], ['SMEMBERS', 's'], ['ZADD', 'z', '1.5', 'm'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['XADD', 'x', '*', 'f', 'v'], ['XRANGE', 'x', '-', '+'],
      ['CLIENT', 'INFO'], ['NOPE'], ['LPUSH', 'k', 'x'], ['CONFIG', 'GET', 'maxmemory*'], ['COMMAND', 'INFO', 'GET'], ['MULTI'], ['INCR', 'n'], ['EXEC'],
      ['SUBSCRIBE', 'ch'], ['UNSUBSCRIBE', 'ch'], ['HELLO', '2'], ['HGETALL', 'h'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['DEBUG', 'PROTOCOL', 'attrib'], ['CLIENT', 'TRACKING', 'ON'],
    ];
    const socket = connect({ host: server.host, port: server.port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    for (const command of commands) {
      socket.write(`*${command.length}\r\n${command.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    const all = Buffer.concat(chunks);
    // Cut into frames with the scanner, so each is a seed of its own.
    const ends = scanFrames(new FrameScanner(), all);
    return ends.map((end, index) => all.subarray(index === 0 ? 0 : (ends[index - 1] as number), end));
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (name: string, fallback: number) => integerFlag(args, name, fallback);
  const iterations = value('iterations', 100_000);
  const seed = value('seed', Math.floor(Math.random() * 2 ** 31));
  // Captured replies differ a little between runs (ids, ages): --no-capture makes a seed replay exactly.
  let corpus: Buffer[] = [];
  if (!args.includes('--no-capture')) {
    try {
      corpus = await captureReplies();
    } catch (error) {
      console.log(`(no captured replies: ${(error as Error).message.split('\n')[0]})`);
    }
  }
  const started = performance.now();
  const report = runFuzz({ iterations, seed, corpus });
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ ...report, failures: report.failures.length, seconds: Number(seconds.toFixed(1)) }));
  for (const failure of report.failures) console.log(`FAIL ${failure}`);
  if (report.failures.length > 0) {
    console.log(`replay: npm run fuzz -- --iterations ${iterations} --seed ${seed} --no-capture (add the captured replies back by dropping --no-capture)`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
