/**
 * Handoffs over TLS through the simulator's TLS mode: the new socket is verified against the name
 * the MOVING gave, and a target whose certificate does not verify is never spoken to.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { until } from '../helpers/client.js';
import { handoffOutcomes, portOf } from '../helpers/simulated.js';
import { testPki } from '../helpers/tls.js';
import { tlsSimulatedClient } from './support.js';

test('auto endpoint type with TLS asks for an fqdn (internal-fqdn for localhost)', async () => {
  const setup = await tlsSimulatedClient({ poolSize: 2 });
  try {
    const types = setup.sim.connections().map((c) => c.endpointType);
    assert.equal(types, ['internal-fqdn', 'internal-fqdn']);
  } finally {
    await setup.close();
  }
});

test('after a MOVING to an IP, the new socket is verified against that IP, not the configured name (nor its tls.servername)', async () => {
  const pki = testPki();
  // Endpoint 0 is only valid as "localhost", endpoint 1 only as 127.0.0.1: keeping the old name fails.
  const setup = await tlsSimulatedClient({
    poolSize: 2,
    tls: { ca: pki.ca, servername: 'localhost' },
    certificates: [pki.issue(['DNS:localhost']), pki.issue(['IP:127.0.0.1'])],
    maintNotifications: { endpointType: 'internal-ip' },
  });
  try {
    const { sim, client, events } = setup;
    const from = events.length;
    const result = await sim.run({ type: 'bind', parameters: { time_s: 1 } });
    const seq = result.output['seq'] as number;
    await until(() => handoffOutcomes(events, seq, from).succeeded === 2, 5000, 'both handoffs');
    assert.equal(handoffOutcomes(events, seq, from), { started: 2, succeeded: 2, failed: 0, fellBack: 0, retried: 0 });
    for (const connection of client.state().connections) assert.is(connection.endpoint, sim.endpoints[1]);
    assert.is(await client.incr('tls:moved'), 1);
  } finally {
    await setup.close();
  }
});

test('a target whose certificate does not verify: the handoff fails with ERR_TLS, falls back, and nothing reaches the target', async () => {
  const pki = testPki();
  const setup = await tlsSimulatedClient({
    poolSize: 2,
    certificates: [pki.issue(['DNS:localhost', 'IP:127.0.0.1']), pki.issueUntrusted(['DNS:localhost', 'IP:127.0.0.1'])],
    maintNotifications: { endpointType: 'internal-fqdn', handoffTimeout: 600, maxHandoffRetries: 2 },
  });
  try {
    const { sim, client, events } = setup;
    const opened: string[] = [];
    const subscription = sim.events$.subscribe((e) => e.type === 'connection.opened' && opened.push(e.endpoint));
    const from = events.length;
    // The old endpoint keeps serving well past the test: the fallback can land there.
    sim.start({ type: 'bind', parameters: { time_s: 1, serve_s: 30, close_s: 30 } });
    await until(() => events.slice(from).some((e) => e.type === 'endpoint.moved'), 3000, 'the MOVING');
    const moved = events.slice(from).find((e) => e.type === 'endpoint.moved');
    const seq = moved?.type === 'endpoint.moved' ? moved.seq : -1;
    // Connections that fell back to the old endpoint during the window are told again (and fail again).
    await until(() => handoffOutcomes(events, seq, from).failed >= 2, 5000, 'both handoffs to fail');
    const failed = events.slice(from).flatMap((e) => (e.type === 'handoff.failed' ? [e.reason] : []));
    assert.ok(failed.every((reason) => /certificate/.test(reason)), failed.join(' | '));
    await until(() => client.state().connections.every((c) => c.state === 'idle' || c.state === 'relaxed'), 5000, 'reconnected');
    assert.is(await client.incr('tls:fallback'), 1);
    const outcomes = handoffOutcomes(events, seq, from);
    assert.is(outcomes.succeeded, 0);
    assert.is(outcomes.fellBack, outcomes.failed);
    const closeStarted = Date.now();
    for (const connection of client.state().connections) assert.is(portOf(connection.endpoint), portOf(sim.endpoints[0] as string));
    subscription.unsubscribe();
    assert.equal(opened.filter((endpoint) => endpoint === sim.endpoints[1]), [], 'no proxied connection at the unverified target');
    await setup.close();
    assert.ok(Date.now() - closeStarted < 3000, `closed in ${Date.now() - closeStarted} ms`);
  } finally {
    await setup.close();
  }
});

test.run();
