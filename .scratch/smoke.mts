import { createMaintSimulator } from '/work/wt-clustersim/src/simulator/index.js';
import { createMaintCluster } from '/work/wt-clustersim/src/index.js';
const t0 = Date.now();
const sim = await createMaintSimulator({ cluster: { primaries: 3, replicasPerPrimary: 1, spares: 1, apiPort: 0 } });
console.log('up in', Date.now() - t0, sim.endpoints, sim.api);
const client = createMaintCluster({ rootNodes: [sim.endpoints[0]!], poolSize: 2, refreshInterval: 0, refreshCooldown: 100 });
await client.connect();
let running = true, ok = 0; const failures: string[] = [];
const callers = Array.from({ length: 20 }, async (_, i) => { while (running) { try { await client.incr(`k:${i}:${ok % 50}`); ok++; } catch (e) { failures.push(String(e)); await new Promise(r => setTimeout(r, 5)); } } });
const post = async (body: unknown) => { const r = await fetch(`${sim.api}/action`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }); return r.json() as Promise<any>; };
const wait = async (id: string) => { for (;;) { const s = await (await fetch(`${sim.api}/action/${id}`)).json() as any; if (s.status === 'success' || s.status === 'failed') return s; await new Promise(r => setTimeout(r, 50)); } };
console.log(sim.connections().filter(c => c.nodeIndex === 2).map(c => [c.id, c.endpoint, c.endpointType, c.node]), sim.nodes[2]!.simulator.endpoints);
const show = () => console.log('n2 conns', sim.nodes[2]!.simulator.connections().map(c => [c.id, c.endpoint, c.endpointType]), sim.nodes[2]!.simulator.endpoints);
for (const body of [
  { type: 'reshard', parameters: { slots: [[0, 99]], to: 1 } },
  { type: 'failover', parameters: { node: 1 } },
  { type: 'bind', parameters: { node: 2, time_s: 1 } },
  { type: 'slot_migrate', parameters: { effect: 'slot-shuffle', bdb_id: '1', cluster_index: 0, variant: 'migrate' } },
  { type: 'slot_migrate', parameters: { effect: 'add' } },
]) {
  if (body.type === 'bind') show();
  const started = await post(body); const done = await wait(started.action_id);
  console.log(body.type, done.status, JSON.stringify(done.output ?? done.error).slice(0, 300));
}
console.log(JSON.stringify(await (await fetch(`${sim.api}/endpoints`)).json()).slice(0, 800));
console.log(JSON.stringify(await (await fetch(`${sim.api}/slot-migrate?effect=remove-add&cluster_index=0`)).json()).slice(0, 400));
running = false; await Promise.all(callers);
console.log('ok', ok, 'failures', failures.length, failures.slice(0, 5));
await client.close(); await sim.close();
