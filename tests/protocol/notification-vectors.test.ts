import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RespDecoder } from '../../src/protocol/decoder.js';
import { classifyPush, type PushClassification } from '../../src/protocol/notifications.js';
import type { RespValue } from '../../src/protocol/types.js';

// A copy of the specification's vectors, kept in the repository (see tests/fixtures/README.md).
const vectorsPath = fileURLToPath(new URL('../fixtures/notifications.json', import.meta.url));

interface VectorCase {
  name: string;
  wire: string;
  expect: Record<string, unknown>;
}

/** Every push frame the decoder delivers for `bytes`, fed in the given chunk size. */
function decodePushes(bytes: Buffer, chunkSize: number): RespValue[][] {
  const pushes: RespValue[][] = [];
  const decoder = new RespDecoder({
    onReply: (value) => assert.unreachable(`a reply instead of a push: ${JSON.stringify(value)}`),
    onErrorReply: (error) => assert.unreachable(`an error reply instead of a push: ${error.message}`),
    onPush: (frame) => pushes.push(frame),
  });
  for (let i = 0; i < bytes.length; i += chunkSize) decoder.feed(bytes.subarray(i, i + chunkSize));
  return pushes;
}

/** Our classification in the vectors' neutral shape. */
function neutral(result: PushClassification): Record<string, unknown> {
  switch (result.kind) {
    case 'maintenance': {
      const { type, ...fields } = result.notification;
      return JSON.parse(JSON.stringify({ kind: type, ...fields })) as Record<string, unknown>;
    }
    case 'invalid':
      return { kind: 'invalid', type: result.type };
    case 'other':
      return { kind: 'not-maintenance', type: result.type };
  }
}

if (!existsSync(vectorsPath)) {
  test('notification vectors file is present', () => {
    assert.unreachable(`missing test vectors: expected ${vectorsPath} (tests/fixtures/notifications.json)`);
  });
} else {
  const { cases } = JSON.parse(readFileSync(vectorsPath, 'utf8')) as { cases: VectorCase[] };

  test('the vectors file has cases', () => {
    assert.ok(Array.isArray(cases) && cases.length > 0, `no cases in ${vectorsPath}`);
  });

  for (const vector of cases) {
    test(`vector: ${vector.name}`, () => {
      const bytes = Buffer.from(vector.wire, 'utf8');
      const pushes = decodePushes(bytes, bytes.length);
      assert.is(pushes.length, 1, 'exactly one push frame');
      assert.equal(decodePushes(bytes, 1), pushes, 'same frame when fed byte by byte');
      assert.equal(neutral(classifyPush(pushes[0] ?? [])), vector.expect);
    });
  }
}

test.run();
