/**
 * The TLS mode through the contract: `hitless-simulator --spawn --tls` makes a CA and a
 * certificate naming every address, the endpoints file says `tls: true` and `rediss://`, and
 * node-redis configured as the suites do (`tls: true`) plus the CA from the ready line connects
 * with the certificate verified, follows a MOVING to another node and verifies that one too.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { CONTRACT_DEFAULTS, startContractRig, type ContractRig } from './suite-setup.js';

const test = suite<{ rig: ContractRig; dir: string }>('node-redis over the TLS mode');

test.before(async (context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'hitless-contract-tls-'));
  context.rig = await startContractRig({ ...CONTRACT_DEFAULTS, migrate: { time_s: 2, duration_s: 0.3, delay_ms: 0 } }, ['--tls', '--tls-ca-out', join(context.dir, 'ca.pem')]);
});

test.before.each(({ rig }) => {
  rig.log.length = 0;
});

test.after.each(({ rig }) => {
  rig.destroyClients();
});

test.after(async ({ rig, dir }) => {
  await rig.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the endpoints file says tls: true and rediss://; the CA is written where asked and is what the endpoints present', async ({ rig, dir }) => {
  assert.is(rig.db.tls, true);
  assert.is(rig.ca, join(dir, 'ca.pem'));
  const ca = readFileSync(rig.ca!, 'utf8');
  assert.match(ca, 'BEGIN CERTIFICATE');
  const { endpoints } = await rig.fi.request<{ endpoints: string[] }>('GET', '/endpoints');
  for (const address of endpoints) {
    const [host, port] = address.split(':');
    const verified = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host, port: Number(port), ca }, () => {
        resolve(socket.authorized ? 'authorized' : String(socket.authorizationError));
        socket.destroy();
      });
      socket.once('error', (error) => resolve(error.message));
    });
    assert.is(verified, 'authorized', address);
  }
  const untrusted = await new Promise<string>((resolve) => {
    const socket = tlsConnect({ host: rig.db.host, port: rig.db.port }, () => resolve('connected'));
    socket.once('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
  });
  assert.match(untrusted, /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/, 'without the CA the certificate does not verify');
  const rladmin = await rig.fi.run('execute_rladmin_command', { rladmin_command: 'status' });
  assert.match((rladmin.output as { output: string }).output, /endpoint:1:1\s+node:1\s+single\s+Yes/);
});

for (const endpointType of ['external-ip', 'auto'] as const) {
  test(`node-redis (tls: true, the CA; endpoint type ${endpointType}) hands off across a migrate + bind with the new node's certificate verified`, async ({ rig }) => {
    const client = await rig.client({ maintEndpointType: endpointType });
    await client.set('tls:key', 'before');
    await rig.fi.wait((await rig.fi.migrateAndBind(rig.db.bdbId, 0)).action_id);
    assert.equal(rig.log.map((event) => event.type), ['MIGRATING', 'MIGRATED', 'MOVING']);
    const moving = String(rig.log[2]!.push[3]);
    // node-redis asks for an fqdn over TLS with `auto`.
    assert.match(moving, endpointType === 'auto' ? /^localhost:\d+$/ : /^127\.0\.0\.\d+:\d+$/);
    const socket = client.options?.socket as { host: string; port: number };
    assert.is(`${socket.host}:${socket.port}`, moving, 'reconnected where the MOVING said');
    assert.is(await client.get('tls:key'), 'before', 'traffic resumes over TLS on the new node');
  });
}

test.run();
