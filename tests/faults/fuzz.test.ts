/** A short, seeded run of the fuzzer (npm run fuzz runs long ones): only typed ProtocolErrors, split-invariant, bounded. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { captureReplies, runFuzz, vectorFrames } from '../../scripts/fuzz.js';

test('5000 mutated, random and split RESP streams from the vectors and the built-in corpus: no failure', () => {
  const report = runFuzz({ iterations: 5000, seed: 12 });
  assert.equal(report.failures, []);
  assert.ok(report.protocolErrors > 500, `the mutations reach the error paths (${report.protocolErrors})`);
  assert.ok(report.pushes > 500, `push frames reach the notification parser (${report.pushes})`);
  assert.ok(report.corpusSize >= vectorFrames().length + 20);
});

test('replies captured from a real redis-server seed it too', async () => {
  const corpus = await captureReplies();
  assert.ok(corpus.length >= 25, `${corpus.length} frames captured`);
  assert.ok(corpus.some((frame) => frame[0] === '%'.charCodeAt(0)), 'RESP3 maps among them');
  assert.ok(corpus.some((frame) => frame[0] === '>'.charCodeAt(0)), 'pushes among them');
  const report = runFuzz({ iterations: 2000, seed: 7, corpus });
  assert.equal(report.failures, []);
});

test.run();
