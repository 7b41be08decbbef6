import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blockTimeMs, refusalReason } from '../../src/commands/command-kinds.js';

/*
 * Convention under test: the one the caller uses (src/client/client.ts `call()`): `name` is the
 * upper-cased command name and `args` are the arguments AFTER the name, exactly as passed to
 * `client.call(name, ...args)`.
 */
const block = (line: string): number | undefined => {
  const [name = '', ...args] = line.split(' ');
  return blockTimeMs(name.toUpperCase(), args);
};
const refusal = (line: string): string | undefined => {
  const [name = '', ...args] = line.split(' ');
  return refusalReason(name.toUpperCase(), args);
};

test('BLPOP/BRPOP/BZPOPMIN/BZPOPMAX: the last argument is the block time in seconds', () => {
  assert.is(block('BLPOP list 5'), 5000);
  assert.is(block('BLPOP a b c 2'), 2000);
  assert.is(block('BRPOP list 1'), 1000);
  assert.is(block('BZPOPMIN zset 3'), 3000);
  assert.is(block('BZPOPMAX z1 z2 4'), 4000);
});

test('block times in seconds may be fractional', () => {
  assert.is(block('BLPOP list 0.5'), 500);
  assert.is(block('BRPOP list 1.25'), 1250);
  assert.is(block('BZPOPMIN zset 0.1'), 100);
});

test('a block time of 0 means forever (Infinity)', () => {
  for (const line of ['BLPOP list 0', 'BRPOP list 0', 'BZPOPMIN z 0', 'BLMOVE a b LEFT RIGHT 0', 'BRPOPLPUSH a b 0', 'BLPOP list 0.0']) {
    assert.is(block(line), Infinity, line);
  }
});

test('BLMOVE and BRPOPLPUSH: the last argument', () => {
  assert.is(block('BLMOVE src dst LEFT RIGHT 2'), 2000);
  assert.is(block('BLMOVE src dst RIGHT LEFT 0.25'), 250);
  assert.is(block('BRPOPLPUSH src dst 3'), 3000);
});

test('numbers as well as strings are accepted', () => {
  assert.is(blockTimeMs('BLPOP', ['list', 2]), 2000);
  assert.is(blockTimeMs('XREAD', ['COUNT', 1, 'BLOCK', 150, 'STREAMS', 's', '$']), 150);
});

test('BLMPOP/BZMPOP: the timeout is the first argument after the name (before numkeys)', () => {
  assert.is(block('BLMPOP 2 1 list LEFT'), 2000);
  assert.is(block('BLMPOP 0.5 2 a b RIGHT COUNT 10'), 500);
  assert.is(block('BLMPOP 0 1 list LEFT'), Infinity);
  assert.is(block('BZMPOP 3 1 zset MIN'), 3000);
  assert.is(block('BZMPOP 1.5 3 a b c MAX COUNT 2'), 1500);
  assert.is(block('BZMPOP 0 1 zset MIN'), Infinity);
});

test('XREAD without BLOCK does not block', () => {
  assert.is(block('XREAD STREAMS s 0'), undefined);
  assert.is(block('XREAD COUNT 10 STREAMS a b 0 0'), undefined);
});

test('XREAD BLOCK <ms> blocks for that many milliseconds; BLOCK 0 forever', () => {
  assert.is(block('XREAD BLOCK 100 STREAMS s $'), 100);
  assert.is(block('XREAD COUNT 5 BLOCK 2500 STREAMS s $'), 2500);
  assert.is(block('XREAD block 100 STREAMS s $'), 100, 'option names are case-insensitive');
  assert.is(block('XREAD BLOCK 0 STREAMS s $'), Infinity);
  assert.is(block('XREAD COUNT 1 BLOCK 0 STREAMS s $'), Infinity);
});

test('XREAD: BLOCK after STREAMS is a key or an id, not an option', () => {
  assert.is(block('XREAD STREAMS BLOCK 0'), undefined);
  assert.is(block('XREAD STREAMS BLOCK other 0 0'), undefined);
  assert.is(block('XREAD COUNT 2 STREAMS BLOCK 5'), undefined);
});

test('XREADGROUP with and without BLOCK', () => {
  assert.is(block('XREADGROUP GROUP g c STREAMS s >'), undefined);
  assert.is(block('XREADGROUP GROUP g c COUNT 1 STREAMS s >'), undefined);
  assert.is(block('XREADGROUP GROUP g c BLOCK 300 STREAMS s >'), 300);
  assert.is(block('XREADGROUP GROUP g c COUNT 1 BLOCK 0 NOACK STREAMS s >'), Infinity);
  assert.is(block('XREADGROUP GROUP g c STREAMS BLOCK >'), undefined);
});

test('WAIT / WAITAOF are refused: they count the calling connection\'s writes, which a pool spreads', () => {
  assert.match(refusal('WAIT 1 500') ?? '', /connection/);
  assert.match(refusal('WAITAOF 1 0 250') ?? '', /connection/);
  assert.is(block('WAIT 1 500'), undefined);
});

test('refused: READONLY / READWRITE and CLIENT NO-EVICT / NO-TOUCH / SETINFO', () => {
  for (const line of ['READONLY', 'READWRITE', 'CLIENT NO-EVICT on', 'client no-touch on', 'CLIENT SETINFO LIB-NAME x']) assert.type(refusal(line), 'string', line);
});

test('non-blocking commands → undefined', () => {
  for (const line of ['GET k', 'SET k v EX 10', 'LPOP list 5', 'RPOPLPUSH a b', 'LMOVE a b LEFT RIGHT', 'ZPOPMIN z 2', 'XRANGE s - +', 'PING', 'CLIENT ID']) {
    assert.is(block(line), undefined, line);
  }
});

test('refused: transactions, SELECT, pub/sub, connection-state commands, with a reason', () => {
  for (const line of ['MULTI', 'EXEC', 'DISCARD', 'WATCH k', 'UNWATCH', 'SELECT 1', 'SUBSCRIBE ch', 'PSUBSCRIBE p*', 'SSUBSCRIBE ch', 'UNSUBSCRIBE', 'MONITOR', 'QUIT', 'RESET', 'HELLO 3', 'AUTH pw']) {
    const reason = refusal(line);
    assert.type(reason, 'string', line);
    assert.ok((reason ?? '').length > 0, line);
  }
  assert.match(refusal('MULTI') ?? '', /multi\(/);
  assert.match(refusal('SELECT 2') ?? '', /database/);
});

test('refused: CLIENT SETNAME / MAINT_NOTIFICATIONS / TRACKING / REPLY (any case)', () => {
  for (const line of ['CLIENT SETNAME app', 'CLIENT setname app', 'CLIENT MAINT_NOTIFICATIONS ON moving-endpoint-type none', 'CLIENT TRACKING ON', 'CLIENT REPLY OFF']) {
    const reason = refusal(line);
    assert.type(reason, 'string', line);
    assert.match(reason ?? '', /CLIENT/, line);
  }
});

test('allowed: ordinary commands and harmless CLIENT subcommands', () => {
  for (const line of ['GET k', 'SET k v', 'BLPOP l 0', 'XREAD STREAMS s 0', 'CLIENT ID', 'CLIENT LIST', 'CLIENT INFO', 'CLIENT GETNAME', 'PING']) {
    assert.is(refusal(line), undefined, line);
  }
  assert.is(refusalReason('CLIENT', []), undefined, 'bare CLIENT goes to the server, which answers with its own error');
});

test.run();
