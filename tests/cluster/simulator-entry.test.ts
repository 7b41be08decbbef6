import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/index.js';
import { createMaintSimulator, type MaintClusterSimulator } from '../../src/simulator/index.js';

test('createMaintSimulator({ cluster }) starts the cluster mode; bad cluster options are ConfigErrors', async () => {
  let sim: MaintClusterSimulator | undefined;
  try {
    for (const cluster of [null, { primaries: 0 }, { primaries: 2.5 }, { primaries: 3, replicasPerPrimary: -1 }, { primaries: 1, spares: 9 }, { primaries: 1, apiPort: -1 }, { primaries: 1, actionDefaults: [] }]) {
      await createMaintSimulator({ cluster: cluster as never }).then(
        () => assert.unreachable(),
        (error: Error) => assert.instance(error, ConfigError),
      );
    }
    sim = await createMaintSimulator({ cluster: { primaries: 1 } });
    assert.is(sim.nodes.length, 1);
    const owners = await sim.owners();
    assert.ok(owners.every((owner) => owner === sim!.nodes[0]));
  } finally {
    await sim?.close();
  }
});

test.run();
