/** A short seeded chaos soak (npm run soak runs long ones): every invariant holds, every kind of step ran. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runSoak } from '../../scripts/soak/run.js';

test('a 20-second soak, seed 3: no violation, the workload and the actions really ran', async () => {
  // The whole test command shares 2 cores: a longer timeout keeps CPU stalls from counting as errors.
  const report = await runSoak({ seconds: 20, seed: 3, commandTimeout: 1000 });
  assert.equal(report.violations, [], `replay: npm run soak -- --seconds 20 --seed 3`);
  assert.ok(Object.keys(report.actions).length >= 5, JSON.stringify(report.actions));
  const { incr, values, multi, jobsPushed, jobsConsumed, messagesPublished, messagesReceived } = report.acknowledged;
  assert.ok(incr > 1000 && values > 100 && multi > 100 && jobsPushed > 100 && jobsConsumed > 100, JSON.stringify(report.acknowledged));
  assert.ok(messagesPublished > 100 && messagesReceived > 100, JSON.stringify(report.acknowledged));
  assert.equal(report.errors.outside, {}, 'no error outside unannounced faults');
  assert.ok(report.heapMaxMb > 0 && report.handlesMax > 0, 'heap and handles were sampled');
});

test.run();
