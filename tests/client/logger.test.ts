/** The client's logger forwards the lines at or above its level, to the given sink or to the console. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../src/log.js';

test('lines below the level are dropped; the rest reach the sink with their details', () => {
  const lines: unknown[][] = [];
  const sink = {
    error: (m: string, d?: unknown) => lines.push(['error', m, d]),
    warn: (m: string, d?: unknown) => lines.push(['warn', m, d]),
    info: (m: string, d?: unknown) => lines.push(['info', m, d]),
    debug: (m: string, d?: unknown) => lines.push(['debug', m, d]),
  };
  const logger = createLogger('info', sink);
  logger.error('e', 1);
  logger.warn('w');
  logger.info('i', { x: 1 });
  logger.debug('d');
  assert.equal(lines, [['error', 'e', 1], ['warn', 'w', undefined], ['info', 'i', { x: 1 }]]);
  const quiet = createLogger('error', sink);
  quiet.warn('not shown');
  quiet.info('not shown');
  assert.is(lines.length, 3);
});

test('a sink may leave levels out', () => {
  const lines: string[] = [];
  const logger = createLogger('debug', { debug: (m: string) => lines.push(m) });
  logger.error('dropped: no error sink');
  logger.debug('kept');
  assert.equal(lines, ['kept']);
});

test('without a sink, lines go to the console with a [hitless] prefix and their details', () => {
  const seen: unknown[][] = [];
  const original = { error: console.error, warn: console.warn, info: console.info, debug: console.debug };
  console.error = (...args: unknown[]) => seen.push(['error', ...args]);
  console.warn = (...args: unknown[]) => seen.push(['warn', ...args]);
  console.info = (...args: unknown[]) => seen.push(['info', ...args]);
  console.debug = (...args: unknown[]) => seen.push(['debug', ...args]);
  try {
    const logger = createLogger('debug');
    logger.error('e', 'why');
    logger.warn('w');
    logger.info('i');
    logger.debug('d', 2);
  } finally {
    Object.assign(console, original);
  }
  assert.equal(seen, [['error', '[hitless] e', 'why'], ['warn', '[hitless] w'], ['info', '[hitless] i'], ['debug', '[hitless] d', 2]]);
});

test.run();
