import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HitlessError, TransactionError } from '../../src/index.js';
import { count, simulatedClient } from '../helpers/simulated.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Ten workers increment one counter with watch() while the simulator runs a bind. */
async function drill(retries: number) {
  const setup = await simulatedClient({ poolSize: 2, maintNotifications: { endpointType: 'internal-ip' } });
  const { sim, client, events } = setup;
  const outcomes: Array<{ ok: true } | { ok: false; code: string }> = [];
  let running = true;
  try {
    await client.set('counter', '0');
    const worker = async () => {
      while (running) {
        try {
          await client.watch(
            ['counter'],
            async (tx) => {
              const value = Number(await tx.get('counter'));
              // Leaves the watched connection idle between WATCH and EXEC, where a swap can land.
              await sleep(5);
              return tx.multi([['SET', 'counter', value + 1]]);
            },
            { retries },
          );
          outcomes.push({ ok: true });
        } catch (error) {
          outcomes.push({ ok: false, code: error instanceof HitlessError ? error.code : String(error) });
        }
      }
    };
    const workers = Array.from({ length: 10 }, worker);
    await sleep(150);
    await sim.run({ type: 'bind', parameters: { time_s: 1 } });
    await sleep(150);
    running = false;
    await Promise.all(workers);
    return { outcomes, final: Number(await client.get('counter')), handoffs: count(events, 'handoff.succeeded') };
  } finally {
    running = false;
    await setup.close();
  }
}

test('ten workers with watch(…, { retries }) through a bind: no failed call, the counter equals the resolved transactions', async () => {
  const { outcomes, final, handoffs } = await drill(1000);
  const resolved = outcomes.filter((o) => o.ok).length;
  assert.equal(outcomes.filter((o) => !o.ok), [], 'no failed transaction');
  assert.ok(resolved > 20, `work was done (${resolved})`);
  assert.is(final, resolved, 'no lost update, no unguarded EXEC');
  assert.ok(handoffs >= 2, `the connections moved (${handoffs})`);
});

test('without retries: interrupted transactions fail with ERR_WATCH_INTERRUPTED, and the counter still equals the resolved ones', async () => {
  const { outcomes, final } = await drill(0);
  const resolved = outcomes.filter((o) => o.ok).length;
  const codes = new Set(outcomes.flatMap((o) => (o.ok ? [] : [o.code])));
  assert.ok(outcomes.some((o) => !o.ok && o.code === 'ERR_WATCH_INTERRUPTED'), `some transaction spanned the swap (${[...codes].join(', ')})`);
  for (const code of codes) assert.ok(code === 'ERR_WATCH_INTERRUPTED' || code === 'ERR_TRANSACTION_ABORTED', `only transaction errors, got ${code}`);
  assert.is(final, resolved);
  assert.ok(TransactionError.codes.includes('ERR_WATCH_INTERRUPTED'));
});

test.run();
