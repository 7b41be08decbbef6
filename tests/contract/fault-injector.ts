/**
 * Calls the simulator's HTTP API exactly as the official clients' fault-injector clients do
 * (node-redis `fault-injector-client.ts`, redis-py `fault_injector_client.py`, go-redis
 * `fault_injector.go`): `Content-Type: application/json` on every request, `POST /action
 * {type, parameters}`, then `GET /action/{id}` polled until "finished" | "success" | "failed".
 * Not a test file itself.
 */
export interface FaultInjectorStatus {
  action_id: string;
  status: string;
  error?: unknown;
  output?: unknown;
}

export class FaultInjector {
  constructor(readonly baseUrl: string) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { 'Content-Type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(`${this.baseUrl}${path}`, init);
    const text = await response.text();
    if (!response.ok) throw new Error(`HTTP ${response.status} - ${text}`);
    return JSON.parse(text) as T;
  }

  trigger(type: string, parameters?: Record<string, unknown>): Promise<{ action_id: string }> {
    return this.request('POST', '/action', parameters === undefined ? { type } : { type, parameters });
  }

  /** node-redis `migrateAndBindAction`: the sequence most scenarios use. */
  migrateAndBind(bdbId: number | string, clusterIndex: number | string = 0): Promise<{ action_id: string }> {
    const bdb = String(bdbId);
    const index = String(clusterIndex);
    return this.trigger('sequence_of_actions', {
      bdbId: bdb,
      actions: [
        { type: 'migrate', params: { cluster_index: index, bdb_id: bdb } },
        { type: 'bind', params: { cluster_index: index, bdb_id: bdb } },
      ],
    });
  }

  /** Polls like the official clients (their interval is 1 s; shortened here), throws on "failed". */
  async wait(actionId: string, { intervalMs = 100, maxWaitMs = 60_000 } = {}): Promise<FaultInjectorStatus> {
    const started = Date.now();
    while (Date.now() - started < maxWaitMs) {
      const status = await this.request<FaultInjectorStatus>('GET', `/action/${actionId}`);
      if (status.status === 'failed') throw new Error(`Action id: ${actionId} failed! Error: ${String(status.error)}`);
      if (status.status === 'finished' || status.status === 'success') return status;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    throw new Error(`Timeout waiting for action ${actionId}`);
  }

  async run(type: string, parameters?: Record<string, unknown>): Promise<FaultInjectorStatus> {
    return this.wait((await this.trigger(type, parameters)).action_id);
  }
}
