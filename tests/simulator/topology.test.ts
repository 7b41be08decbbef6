/** The spawned primary/replica pair. */
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnTopology } from '../../src/simulator/topology.js';

/** Pids of this process's redis-server children. */
function redisChildren(): string[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), 'redis-server'], { encoding: 'utf8' }).split('\n').filter((line) => line !== '');
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

test('a replica that fails its initial sync is stopped along with the primary', async () => {
  const before = redisChildren();
  const aborter = new AbortController();
  aborter.abort(); // the first "not yet in sync" makes the sync wait fail
  for (let attempt = 0; attempt < 3; attempt++) {
    const outcome = await spawnTopology(undefined, aborter.signal).then(
      async (topology) => {
        await topology.close(); // it synced at the first look: try again
        return 'synced';
      },
      () => 'failed',
    );
    if (outcome === 'failed') break;
  }
  assert.equal(redisChildren(), before, 'no redis-server is left behind');
});

test.run();
