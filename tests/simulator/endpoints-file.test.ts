import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMaintSimulator, endpointsConfig, writeEndpointsFile } from '../../src/simulator/index.js';
import { rig } from './support.js';

test('the endpoints file names the database endpoint when there is one, else the first endpoint; name and bdb_id can be set', async () => {
  const plain = await rig();
  const withDatabase = await rig({ databaseEndpoint: true, hosts: 'distinct' });
  const dir = mkdtempSync(join(tmpdir(), 'hitless-endpoints-'));
  try {
    const first = plain.sim.endpoints[0]!;
    const [host, port] = first.split(':');
    assert.equal(endpointsConfig(plain.sim), {
      standalone: {
        bdb_id: 1,
        username: 'default',
        password: '',
        tls: false,
        raw_endpoints: [
          { addr: [host], addr_type: 'external', dns_name: host, oss_cluster_api_preferred_endpoint_type: 'ip', oss_cluster_api_preferred_ip_type: 'external', port: Number(port), proxy_policy: 'single', uid: '1:1' },
        ],
        endpoints: [`redis://${first}`],
      },
    });
    const file = join(dir, 'endpoints.json');
    await writeEndpointsFile(withDatabase.sim, file, { name: 'm-standard', bdbId: 7 });
    const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { bdb_id: number; endpoints: string[] }>;
    assert.equal(Object.keys(written), ['m-standard']);
    assert.is(written['m-standard']!.bdb_id, 7);
    assert.equal(written['m-standard']!.endpoints, [`redis://${withDatabase.sim.databaseEndpoint}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await plain.teardown();
    await withDatabase.teardown();
  }
});

test('an endpoint whose port is taken on one of its addresses fails to start, naming EADDRINUSE, and leaves nothing listening', async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  try {
    const taken = (squatter.address() as { port: number }).port;
    const error = await createMaintSimulator({ upstream: { host: '127.0.0.1', port: 1 }, hosts: 'distinct', ports: [taken, 0] }).then(
      async (sim) => {
        await sim.close();
        return null;
      },
      (e: NodeJS.ErrnoException) => e,
    );
    assert.is(error?.code, 'EADDRINUSE');
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

test.run();
