import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { classifyPush, isMaintenanceType, type PushClassification } from '../../src/protocol/notifications.js';
import type { RespValue } from '../../src/protocol/types.js';

const maint = (notification: object): PushClassification => ({ kind: 'maintenance', notification }) as PushClassification;

function invalidReason(frame: RespValue[]): string {
  const result = classifyPush(frame);
  if (result.kind !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(result)}`);
  assert.is(result.type, frame[0]);
  assert.ok(result.reason.length > 0 && result.reason.length < 200, result.reason);
  return result.reason;
}

// One test per row of the SPEC §3 table.

test('MOVING with an endpoint', () => {
  assert.equal(
    classifyPush(['MOVING', 17, 15, '10.0.0.7:12075']),
    maint({ type: 'MOVING', seq: 17, timeS: 15, endpoint: { host: '10.0.0.7', port: 12075 } }),
  );
});

test('MOVING endpoint none: null, absent, empty, text null', () => {
  for (const frame of [['MOVING', 1, 10, null], ['MOVING', 1, 10], ['MOVING', 1, 10, ''], ['MOVING', 1, 10, 'null']]) {
    assert.equal(classifyPush(frame), maint({ type: 'MOVING', seq: 1, timeS: 10, endpoint: null }));
  }
});

test('MIGRATING with a JSON shard list', () => {
  assert.equal(classifyPush(['MIGRATING', 30, 5, '["1","2"]']), maint({ type: 'MIGRATING', seq: 30, timeS: 5, shards: ['1', '2'] }));
});

test('MIGRATED', () => {
  assert.equal(classifyPush(['MIGRATED', 30, '["1","2"]']), maint({ type: 'MIGRATED', seq: 30, shards: ['1', '2'] }));
});

test('FAILING_OVER', () => {
  assert.equal(classifyPush(['FAILING_OVER', 40, 2, '["3"]']), maint({ type: 'FAILING_OVER', seq: 40, timeS: 2, shards: ['3'] }));
});

test('FAILED_OVER', () => {
  assert.equal(classifyPush(['FAILED_OVER', 40, '["3"]']), maint({ type: 'FAILED_OVER', seq: 40, shards: ['3'] }));
});

test('SMIGRATING with slots and ranges', () => {
  assert.equal(
    classifyPush(['SMIGRATING', 50, '123,456,789-1000']),
    maint({ type: 'SMIGRATING', seq: 50, slots: [[123, 123], [456, 456], [789, 1000]] }),
  );
});

test('SMIGRATED triplets', () => {
  assert.equal(
    classifyPush(['SMIGRATED', 51, [['10.0.0.1:7000', '10.0.0.2:7000', '0-100,200']]]),
    maint({
      type: 'SMIGRATED',
      seq: 51,
      moves: [{ source: { host: '10.0.0.1', port: 7000 }, destination: { host: '10.0.0.2', port: 7000 }, slots: [[0, 100], [200, 200]] }],
    }),
  );
});

test('SMIGRATED older flat form and nested pairs', () => {
  const expected = maint({
    type: 'SMIGRATED',
    seq: 52,
    moves: [{ source: null, destination: { host: '10.0.0.2', port: 7000 }, slots: [[0, 100]] }],
  });
  assert.equal(classifyPush(['SMIGRATED', 52, '10.0.0.2:7000', '0-100']), expected);
  assert.equal(classifyPush(['SMIGRATED', 52, [['10.0.0.2:7000', '0-100']]]), expected);
});

// Leniency.

test('integers as numeric strings or bigints', () => {
  assert.equal(classifyPush(['MIGRATED', '7', '[]']), maint({ type: 'MIGRATED', seq: 7, shards: [] }));
  assert.equal(classifyPush(['MIGRATED', 7n, '[]']), maint({ type: 'MIGRATED', seq: 7, shards: [] }));
});

test('unknown trailing elements are ignored', () => {
  assert.equal(
    classifyPush(['FAILED_OVER', 1, '["3"]', 'future', 9, [1, 2]]),
    maint({ type: 'FAILED_OVER', seq: 1, shards: ['3'] }),
  );
});

test('shards as a comma list, RESP array, single number, or absent', () => {
  const shards = (value: RespValue | undefined) => {
    const result = classifyPush(value === undefined ? ['MIGRATED', 1] : ['MIGRATED', 1, value]);
    return result.kind === 'maintenance' && result.notification.type === 'MIGRATED' ? result.notification.shards : result;
  };
  assert.equal(shards('1, 2,,3'), ['1', '2', '3']);
  assert.equal(shards(['1', 2]), ['1', '2']);
  assert.equal(shards('[1, "2"]'), ['1', '2']);
  assert.equal(shards(4), ['4']);
  assert.equal(shards(undefined), []);
  assert.equal(shards(null), []);
  assert.equal(shards(''), []);
});

test('SMIGRATING slots as a RESP array, absent, or with spaces', () => {
  assert.equal(classifyPush(['SMIGRATING', 1, ['1-2', 5]]), maint({ type: 'SMIGRATING', seq: 1, slots: [[1, 2], [5, 5]] }));
  assert.equal(classifyPush(['SMIGRATING', 1]), maint({ type: 'SMIGRATING', seq: 1, slots: [] }));
  assert.equal(classifyPush(['SMIGRATING', 1, ' 0 - 16383 ']), maint({ type: 'SMIGRATING', seq: 1, slots: [[0, 16383]] }));
});

test('SMIGRATED triplet with no source and absent moves', () => {
  assert.equal(
    classifyPush(['SMIGRATED', 2, [[null, '[::1]:7000', '9']]]),
    maint({ type: 'SMIGRATED', seq: 2, moves: [{ source: null, destination: { host: '::1', port: 7000 }, slots: [[9, 9]] }] }),
  );
  assert.equal(classifyPush(['SMIGRATED', 2]), maint({ type: 'SMIGRATED', seq: 2, moves: [] }));
});

// Malformed shapes: reported as invalid, never thrown.

test('missing or bad seq', () => {
  assert.match(invalidReason(['MOVING']), /seq is missing/);
  for (const seq of ['x', -1, 1.5, '1.5', '-1', null, [], {}, true, 2 ** 60, '12345678901234567890']) {
    assert.match(invalidReason(['MIGRATED', seq as RespValue]), /seq/);
  }
});

test('missing or bad timeS', () => {
  assert.match(invalidReason(['MOVING', 1]), /timeS is missing/);
  assert.match(invalidReason(['MIGRATING', 1, 'soon']), /timeS/);
  assert.match(invalidReason(['FAILING_OVER', 1, null]), /timeS/);
});

test('MOVING with a bad endpoint', () => {
  assert.match(invalidReason(['MOVING', 1, 15, '10.0.0.7:notaport']), /endpoint: bad port/);
  assert.match(invalidReason(['MOVING', 1, 15, 6379]), /endpoint is not a string/);
  assert.match(invalidReason(['MOVING', 1, 15, ['10.0.0.7:1']]), /endpoint/);
});

test('bad shard lists', () => {
  assert.match(invalidReason(['MIGRATED', 1, '[1,']), /not valid JSON/);
  assert.match(invalidReason(['MIGRATED', 1, '[{"a":1}]']), /shard id/);
  assert.match(invalidReason(['MIGRATED', 1, { a: 'b' }]), /not a list/);
  assert.match(invalidReason(['MIGRATED', 1, [null]]), /shard id/);
  assert.match(invalidReason(['MIGRATED', 1, true]), /not a list/);
});

test('bad slots', () => {
  for (const slots of ['abc', '16384', '5-3', '1-2-3', '-1', '0-16384', '99999999', [null], { a: '1' }]) {
    assert.match(invalidReason(['SMIGRATING', 1, slots as RespValue]), /slot/, JSON.stringify(slots));
  }
});

test('bad SMIGRATED moves', () => {
  assert.match(invalidReason(['SMIGRATED', 1, '10.0.0.2:7000']), /slots are missing/);
  assert.match(invalidReason(['SMIGRATED', 1, 7]), /not a list/);
  assert.match(invalidReason(['SMIGRATED', 1, ['10.0.0.2:7000']]), /move 0 is not a list/);
  assert.match(invalidReason(['SMIGRATED', 1, [['10.0.0.2:7000']]]), /move 0 has 1 elements/);
  assert.match(invalidReason(['SMIGRATED', 1, [['a:1', null, '1']]]), /destination/);
  assert.match(invalidReason(['SMIGRATED', 1, [['a:x', 'b:1', '1']]]), /source/);
  assert.match(invalidReason(['SMIGRATED', 1, [[5, 'b:1', '1']]]), /source/);
  assert.match(invalidReason(['SMIGRATED', 1, [['b:1', 'x-y']]]), /slot/);
});

// Routing.

test('non-maintenance pushes are other', () => {
  assert.equal(classifyPush(['message', 'news', 'hello']), { kind: 'other', type: 'message' });
  assert.equal(classifyPush(['invalidate', ['k1']]), { kind: 'other', type: 'invalidate' });
  assert.equal(classifyPush(['SOMETHING_NEW', 7]), { kind: 'other', type: 'SOMETHING_NEW' });
  assert.equal(classifyPush(['moving', 1, 2]), { kind: 'other', type: 'moving' });
});

test('a frame without a string type is other with an empty type', () => {
  assert.equal(classifyPush([]), { kind: 'other', type: '' });
  assert.equal(classifyPush([42, 'MOVING']), { kind: 'other', type: '' });
  assert.equal(classifyPush('MOVING' as unknown as RespValue[]), { kind: 'other', type: '' });
});

test('isMaintenanceType', () => {
  for (const t of ['MOVING', 'MIGRATING', 'MIGRATED', 'FAILING_OVER', 'FAILED_OVER', 'SMIGRATING', 'SMIGRATED']) assert.ok(isMaintenanceType(t));
  for (const t of ['message', 'invalidate', 'moving', '', 'MOVING ']) assert.not.ok(isMaintenanceType(t));
});

test('huge frames are handled', () => {
  const slots = Array.from({ length: 50_000 }, (_, i) => String(i % 16384)).join(',');
  const result = classifyPush(['SMIGRATING', 1, slots, ...new Array<RespValue>(10_000).fill('x')]);
  assert.ok(result.kind === 'maintenance' && result.notification.type === 'SMIGRATING' && result.notification.slots.length === 50_000);
});

const respValue: fc.Arbitrary<RespValue> = fc.letrec<{ value: RespValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(),
    fc.constantFrom('MOVING', 'MIGRATING', 'MIGRATED', 'FAILING_OVER', 'FAILED_OVER', 'SMIGRATING', 'SMIGRATED', '1-2,3', '[]', '["1"]', 'h:1', 'null', ''),
    fc.double(),
    fc.integer(),
    fc.bigInt(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }),
  ),
})).value;

test('property: classifyPush never throws on any RespValue[]', () => {
  const type = fc.constantFrom('MOVING', 'MIGRATING', 'MIGRATED', 'FAILING_OVER', 'FAILED_OVER', 'SMIGRATING', 'SMIGRATED', 'message');
  fc.assert(
    fc.property(fc.oneof(fc.array(respValue), fc.tuple(type).chain(([t]) => fc.array(respValue).map((rest) => [t, ...rest]))), (frame) => {
      const result = classifyPush(frame);
      assert.ok(['maintenance', 'invalid', 'other'].includes(result.kind));
    }),
    { numRuns: 2000 },
  );
});

test.run();
