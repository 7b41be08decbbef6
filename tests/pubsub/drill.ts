/** A publisher and a subscriber through the simulator, for the pub/sub drills (not a test file itself). */
import { createMaintClient, type LifecycleEvent, type MaintClient, type MaintClientOptions, type PubSubMessage } from '../../src/index.js';
import { createMaintSimulator, type MaintSimulator } from '../../src/simulator/index.js';
import { until } from '../helpers/client.js';

/** Where each numbered message is published, and the listener that should get it. */
export const TARGETS = [
  { name: 'a', publish: 'PUBLISH', channel: 'drill:a' },
  { name: 'b', publish: 'PUBLISH', channel: 'drill:b' },
  { name: 'p', publish: 'PUBLISH', channel: 'drill:p.x' },
  { name: 's', publish: 'SPUBLISH', channel: 'drill:{s}' },
] as const;

export interface DrillRig {
  sim: MaintSimulator;
  publisher: MaintClient;
  subscriber: MaintClient;
  /** A second subscribing client (Observables only). */
  other: MaintClient;
  events: LifecycleEvent[];
  close(): Promise<void>;
}

export async function drillRig(options: MaintClientOptions = {}): Promise<DrillRig> {
  const sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
  const [host, port] = (sim.endpoints[0] as string).split(':');
  const make = () =>
    createMaintClient({
      host: host as string,
      port: Number(port),
      poolSize: 1,
      commandTimeout: 400,
      connectTimeout: 500,
      ...options,
      maintNotifications: { relaxedTimeout: 2500, handoffTimeout: 3000, ...options.maintNotifications },
    });
  const publisher = make();
  const subscriber = make();
  const other = make();
  const events: LifecycleEvent[] = [];
  subscriber.events$.subscribe((event) => events.push(event));
  const close = async () => {
    await Promise.all([publisher.close(), subscriber.close(), other.close()]);
    await sim.close();
  };
  try {
    await Promise.all([publisher.connect(), subscriber.connect(), other.connect()]);
  } catch (error) {
    await close();
    throw error;
  }
  return { sim, publisher, subscriber, other, events, close };
}

export interface Publishing {
  /** Numbers whose PUBLISH was acknowledged, per target, in publish order. */
  acked: Record<string, number[]>;
  failures: string[];
  /** Numbers whose PUBLISH failed: it may or may not have run. */
  uncertain: Set<number>;
  count(): number;
  stop(): Promise<void>;
}

/** Publishes numbered messages round-robin over the targets at `rate` messages/s, in order on one connection. */
export function publish(client: MaintClient, rate: number): Publishing {
  const acked: Record<string, number[]> = Object.fromEntries(TARGETS.map((t) => [t.name, []]));
  const failures: string[] = [];
  const uncertain = new Set<number>();
  let running = true;
  let sent = 0;
  const outstanding = new Set<Promise<unknown>>();
  const started = performance.now();
  const loop = (async () => {
    while (running) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      for (; sent < due; sent++) {
        const target = TARGETS[sent % TARGETS.length] as (typeof TARGETS)[number];
        const n = sent;
        const reply = client.call(target.publish, target.channel, String(n)).then(
          () => void (acked[target.name] as number[]).push(n),
          (error: Error & { code?: string }) => {
            uncertain.add(n);
            failures.push(`${target.channel} #${n}: ${error.code ?? ''} ${error.message}`);
          },
        );
        outstanding.add(reply);
        void reply.finally(() => outstanding.delete(reply));
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  return {
    acked,
    failures,
    uncertain,
    count: () => sent,
    async stop() {
      running = false;
      await loop;
      await Promise.all([...outstanding]);
      // Acks arrive in order per connection, but resolve in the order replies came: keep publish order.
      for (const list of Object.values(acked)) list.sort((x, y) => x - y);
    },
  };
}

/** Records the numbers a listener received, per target name. */
export function recorder(): { seen: Record<string, number[]>; listener: (message: PubSubMessage) => void; stray: string[] } {
  const seen: Record<string, number[]> = Object.fromEntries(TARGETS.map((t) => [t.name, []]));
  const stray: string[] = [];
  return {
    seen,
    stray,
    listener: (message) => {
      const target = TARGETS.find((t) => t.channel === message.channel);
      if (target === undefined) stray.push(message.channel);
      else (seen[target.name] as number[]).push(Number(message.message));
    },
  };
}

/** Waits until `seen` has the last acknowledged number of every listed target. */
export async function caughtUp(seen: Record<string, number[]>, acked: Record<string, number[]>, names: readonly string[]): Promise<void> {
  await until(
    () => names.every((name) => {
      const want = acked[name] as number[];
      const got = seen[name] as number[];
      return want.length === 0 || got.includes(want[want.length - 1] as number);
    }),
    5000,
    'the subscriber to catch up',
  ).catch(() => undefined); // the comparison that follows says what is missing
}

/** Where `got` departs from `want`: missing, doubled and out-of-order numbers (empty when exact). */
export function differences(want: readonly number[], got: readonly number[], uncertain: ReadonlySet<number> = new Set()): string[] {
  const out: string[] = [];
  const seen = new Set<number>();
  let last = -1;
  for (const n of got) {
    if (seen.has(n)) out.push(`doubled ${n}`);
    else if (n < last) out.push(`out of order ${n} after ${last}`);
    seen.add(n);
    last = Math.max(last, n);
  }
  const missing = want.filter((n) => !seen.has(n));
  if (missing.length > 0) out.push(`missing ${missing.length}: ${missing.slice(0, 10).join(',')}${missing.length > 10 ? '…' : ''}`);
  const extra = got.filter((n) => !want.includes(n) && !uncertain.has(n));
  if (extra.length > 0) out.push(`never acknowledged ${extra.length}: ${extra.slice(0, 10).join(',')}`);
  return out.slice(0, 20);
}
