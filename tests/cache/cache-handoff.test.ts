import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintClient } from '../../src/index.js';
import { count, simulatedClient } from '../helpers/simulated.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('cache through a bind: values written by another client are never read stale, before, during or after the swap', async () => {
  const setup = await simulatedClient({ poolSize: 2, clientSideCache: { maxEntries: 1000 }, maintNotifications: { endpointType: 'internal-ip' } });
  const { sim, client: reader, events } = setup;
  const [host, port] = (sim.endpoints[0] as string).split(':');
  const writer = createMaintClient({ host: host as string, port: Number(port), poolSize: 1, maintNotifications: { endpointType: 'internal-ip' } });
  try {
    await writer.connect();
    await writer.set('hot', '0');
    await writer.set('cold', 'before');
    assert.is(await reader.get('cold'), 'before');
    assert.is(await reader.get('cold'), 'before', 'cached, tracked on the old endpoint');
    let binding = true;
    const bind = sim.run({ type: 'bind', parameters: { time_s: 1 } }).finally(() => (binding = false));
    // Awaited below; a failed assertion before that must not leave it unhandled when the simulator closes.
    bind.catch(() => undefined);
    const latencies: number[] = [];
    let written = 0;
    while (binding || written < 5) {
      const value = String(++written);
      await writer.set('hot', value);
      const acknowledged = performance.now();
      // Once the writer has its OK, the reader sees the new value as soon as the invalidation arrives.
      for (;;) {
        const seen = await reader.get('hot');
        if (seen === value) break;
        assert.ok(Number(seen) < Number(value), `never a value from the future (${seen})`);
        assert.ok(performance.now() - acknowledged < 300, `value ${value} still read as ${seen} 300 ms after the write: stale`);
        await sleep(1);
      }
      latencies.push(performance.now() - acknowledged);
      for (let i = 0; i < 20; i++) assert.is(await reader.get('hot'), value);
      await sleep(5);
    }
    await bind;
    assert.is(count(events, 'handoff.succeeded'), 2);
    // Written after both sockets were swapped: the entry cached on the old socket must be gone.
    await writer.set('cold', 'after');
    assert.is(await reader.get('cold'), 'after');
    const stats = reader.cacheStats();
    assert.ok(stats.flushes >= 2, `flushed at each swap (${stats.flushes})`);
    assert.ok(stats.hits > 20 * written * 0.9, `mostly hits (${stats.hits} hits, ${stats.misses} misses)`);
    latencies.sort((a, b) => a - b);
    assert.ok((latencies[Math.floor(latencies.length / 2)] ?? 0) < 20, `median invalidation ${latencies[Math.floor(latencies.length / 2)]?.toFixed(2)} ms`);
  } finally {
    await writer.close();
    await setup.close();
  }
});

test.run();
