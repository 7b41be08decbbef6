import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plain } from '../helpers/raw-resp-client.js';
import { nextEvent, rig, settle } from './support.js';

test('fronting a given upstream, failover stalls upstream traffic between FAILING_OVER and FAILED_OVER', async () => {
  const r = await rig();
  try {
    const c = await r.optedIn('internal-ip');
    const other = await r.optedIn('none', r.sim.endpoints[1]);
    const stalled = nextEvent(r.sim, 'action.step', (event) => event.step === 'upstream-stalled');
    const failedOver = nextEvent(r.sim, 'action.step', (event) => event.step === 'failed-over');
    const done = r.sim.run({ type: 'failover', parameters: { time_s: 2, stall_s: 0.4, shards: ['7'] } });
    const stallStarted = (await stalled).at;
    const sentAt = Date.now();
    const during = c.send(['SET', 'stall:k', 'v'], ['GET', 'stall:k']);
    const answeredAt = during.then(() => Date.now());
    const result = await done;
    assert.equal((await during).map(plain), ['OK', 'v']);
    // Timed by the replies: none came before the stall ended and the hold was released.
    const releasedAt = (await failedOver).at;
    assert.ok((await answeredAt) - stallStarted >= 390, `answered ${(await answeredAt) - stallStarted} ms into the 400 ms stall`);
    assert.ok((await answeredAt) >= releasedAt - 5, `answered ${releasedAt - (await answeredAt)} ms before the hold was released`);
    assert.ok(sentAt - stallStarted < 200, 'the commands were sent early in the stall');
    assert.is(result.output['mode'], 'stall');
    await settle(c, other);
    const seq = result.output['seq'] as number;
    for (const client of [c, other]) {
      assert.equal(client.pushes.map((push) => push.elements.map(plain)), [
        ['FAILING_OVER', seq, 2, '["7"]'],
        ['FAILED_OVER', seq, '["7"]'],
      ]);
    }
    assert.is(r.sim.connections().some((connection) => connection.held), false);
  } finally {
    await r.teardown();
  }
});

test.run();
