import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { autoQueueSize, autoWorkers, resolveMaintConfig, type MaintNotificationsOptions } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

function rejects(options: unknown, option: string, value: string, rule: RegExp, pool: { poolSize: number; maxActive?: number } = { poolSize: 4 }): void {
  try {
    resolveMaintConfig(options as MaintNotificationsOptions, pool);
  } catch (error) {
    assert.instance(error, ConfigError);
    const e = error as ConfigError;
    assert.is(e.code, 'ERR_CONFIG');
    assert.is(e.option, option);
    assert.ok(e.message.includes(option), e.message);
    assert.ok(e.message.includes(value), `${e.message} should show ${value}`);
    assert.match(e.message, rule);
    return;
  }
  assert.unreachable(`${JSON.stringify(options)} should be rejected`);
}

test('defaults', () => {
  assert.equal(resolveMaintConfig(undefined, { poolSize: 4 }), {
    mode: 'auto',
    endpointType: 'auto',
    relaxedTimeout: 10_000,
    handoffTimeout: 15_000,
    maxHandoffRetries: 3,
    maxWorkers: 2,
    handoffQueueSize: 20,
    postHandoffRelaxedDuration: 20_000,
    logLevel: 'error',
  });
  assert.equal(resolveMaintConfig({}, { poolSize: 4 }), resolveMaintConfig(undefined, { poolSize: 4 }));
});

test('SPEC §6 worked examples', () => {
  const sized = (pool: { poolSize: number; maxActive?: number }) => {
    const c = resolveMaintConfig(undefined, pool);
    return [c.maxWorkers, c.handoffQueueSize];
  };
  assert.equal(sized({ poolSize: 100 }), [33, 500]);
  assert.equal(sized({ poolSize: 100, maxActive: 150 }), [33, 151]);
  assert.equal(sized({ poolSize: 50 }), [16, 250]);
  assert.equal(sized({ poolSize: 10 }), [5, 50]);
});

test('auto-scaling floors: at least one worker, queue at least 2', () => {
  assert.is(autoWorkers(1), 1);
  assert.is(autoQueueSize(1, 1, 1), 2);
  const c = resolveMaintConfig(undefined, { poolSize: 1, maxActive: 1 });
  assert.equal([c.maxWorkers, c.handoffQueueSize], [1, 2]);
});

test('property: auto-scaling stays within its bounds', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10_000 }), fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }), (p, extra) => {
      const maxActive = extra === undefined ? undefined : p + extra;
      const w = autoWorkers(p);
      const q = autoQueueSize(w, p, maxActive);
      assert.ok(w >= 1 && w <= Math.max(1, Math.floor(p / 2)));
      assert.ok(q >= 2 && q <= Math.max(2, maxActive === undefined ? 5 * p : maxActive + 1));
    }),
  );
});

test('explicit values are used as given', () => {
  const c = resolveMaintConfig(
    {
      mode: 'enabled',
      endpointType: 'none',
      relaxedTimeout: 1,
      handoffTimeout: 2,
      maxHandoffRetries: 10,
      maxWorkers: 7,
      handoffQueueSize: 1,
      postHandoffRelaxedDuration: 3,
      logLevel: 'debug',
    },
    { poolSize: 100 },
  );
  assert.equal(c, {
    mode: 'enabled',
    endpointType: 'none',
    relaxedTimeout: 1,
    handoffTimeout: 2,
    maxHandoffRetries: 10,
    maxWorkers: 7,
    handoffQueueSize: 1,
    postHandoffRelaxedDuration: 3,
    logLevel: 'debug',
  });
});

test('an explicit worker count feeds the auto queue size', () => {
  assert.is(resolveMaintConfig({ maxWorkers: 2 }, { poolSize: 100 }).handoffQueueSize, 100);
});

test('postHandoffRelaxedDuration 0 means 2 × relaxedTimeout', () => {
  assert.is(resolveMaintConfig({ relaxedTimeout: 1234, postHandoffRelaxedDuration: 0 }, { poolSize: 4 }).postHandoffRelaxedDuration, 2468);
});

test('undefined values count as absent', () => {
  assert.is(resolveMaintConfig({ mode: undefined } as unknown as MaintNotificationsOptions, { poolSize: 4 }).mode, 'auto');
});

test('mode, endpointType and logLevel must be one of their values', () => {
  rejects({ mode: 'on' }, 'maintNotifications.mode', '"on"', /one of "disabled", "enabled", "auto"/);
  rejects({ endpointType: 'internal' }, 'maintNotifications.endpointType', '"internal"', /one of "auto", "internal-ip"/);
  rejects({ logLevel: 'trace' }, 'maintNotifications.logLevel', '"trace"', /one of "error", "warn", "info", "debug"/);
  rejects({ mode: true }, 'maintNotifications.mode', 'true', /one of/);
});

test('relaxedTimeout and handoffTimeout must be > 0', () => {
  for (const key of ['relaxedTimeout', 'handoffTimeout']) {
    rejects({ [key]: 0 }, `maintNotifications.${key}`, '0', /an integer from 1 to \d+/);
    rejects({ [key]: -5 }, `maintNotifications.${key}`, '-5', /from 1/);
    rejects({ [key]: 1.5 }, `maintNotifications.${key}`, '1.5', /integer/);
    rejects({ [key]: '100' }, `maintNotifications.${key}`, '"100"', /integer/);
    rejects({ [key]: 2 ** 31 }, `maintNotifications.${key}`, String(2 ** 31), /to \d+/);
  }
  // The backstop (3 × relaxedTimeout) must fit in a timer.
  rejects({ relaxedTimeout: 715_827_883 }, 'maintNotifications.relaxedTimeout', '715827883', /from 1 to 715827882/);
  assert.is(resolveMaintConfig({ relaxedTimeout: 715_827_882 }, { poolSize: 4 }).relaxedTimeout, 715_827_882);
  assert.throws(() => resolveMaintConfig({ relaxedTimeout: Number.NaN }, { poolSize: 4 }), (e: unknown) => e instanceof ConfigError && e.option === 'maintNotifications.relaxedTimeout');
});

test('maxHandoffRetries must be 1..10', () => {
  rejects({ maxHandoffRetries: 0 }, 'maintNotifications.maxHandoffRetries', '0', /an integer from 1 to 10/);
  rejects({ maxHandoffRetries: 11 }, 'maintNotifications.maxHandoffRetries', '11', /an integer from 1 to 10/);
});

test('maxWorkers, handoffQueueSize and postHandoffRelaxedDuration must be ≥ 0', () => {
  rejects({ maxWorkers: -1 }, 'maintNotifications.maxWorkers', '-1', /an integer ≥ 0/);
  rejects({ handoffQueueSize: 2.5 }, 'maintNotifications.handoffQueueSize', '2.5', /an integer ≥ 0/);
  rejects({ postHandoffRelaxedDuration: -1 }, 'maintNotifications.postHandoffRelaxedDuration', '-1', /an integer from 0/);
});

test('unknown keys are rejected (typo protection)', () => {
  rejects({ relaxedTimout: 5 }, 'maintNotifications.relaxedTimout', '…', /unknown option; did you mean maintNotifications.relaxedTimeout\?/);
  rejects({ wholeNewThing: 5 }, 'maintNotifications.wholeNewThing', '…', /unknown option; known: mode, endpointType/);
});

test('the options must be an object', () => {
  rejects('enabled', 'maintNotifications', '"enabled"', /an object/);
  rejects(null, 'maintNotifications', 'null', /an object/);
});

test('the pool numbers are checked too', () => {
  rejects(undefined, 'poolSize', '0', /an integer from 1 to 10000/, { poolSize: 0 });
  rejects(undefined, 'maxActive', '3', /an integer ≥ 4/, { poolSize: 4, maxActive: 3 });
});

test.run();
