/**
 * The dashboard's model: built from `client.events$` and `client.state$` (plus the workload's
 * counters and the drill's phases), rendered by the terminal and streamed to the web page.
 * Listeners get one small update at a time; `snapshot()` gives a late joiner everything so far.
 */
import type { Subscription } from 'rxjs';
import type { ClusterEvent, ClusterState, LifecycleEvent, MaintClient, MaintCluster } from '../../src/index.js';
import type { DemoOptions, ClientKind } from './args.js';
import type { PhaseName, PhaseReport, Sample, WorkloadStats } from './stats.js';
import { describeEvent, type Tone } from './timeline.js';

export interface TimelineEntry {
  /** Seconds since the run started. */
  t: number;
  kind: 'drill' | 'notification' | 'handoff' | 'relax' | 'connection' | 'endpoint' | 'log';
  tone: Tone;
  /** What charts mark: a notification type (MOVING, …), `handoff`, or null. */
  tag: string | null;
  /** Routine detail (relaxations, connections coming and going, duplicates): hidden by default. */
  quiet: boolean;
  text: string;
}

export interface ConnectionRow {
  id: string;
  endpoint: string;
  state: string;
  inflight: number;
  relaxedTimeout: number | null;
  dedicated: boolean;
}

/** One node of a cluster run: its role, the slots it serves (as ranges) and its connections. */
export interface NodeRow {
  node: string;
  role: string;
  slots: string;
  slotCount: number;
  connections: number;
}

export interface Counters {
  ok: number;
  failed: number;
  counterGaps: number;
  notifications: Record<string, number>;
  handoffs: { started: number; succeeded: number; failed: number };
}

export interface PhaseSpan {
  phase: PhaseName;
  from: number;
  to: number | null;
}

export interface RunMeta {
  client: ClientKind;
  callers: number;
  pool: number;
  endpointType: string;
  timeS: number;
  endpoints: string[];
  startedAt: number;
}

export interface RunSummary {
  client: ClientKind;
  phases: PhaseReport[];
  ok: number;
  failed: number;
  counterGaps: number;
  errors: Record<string, number>;
  handoffs: { started: number; succeeded: number; failed: number };
  notifications: Record<string, number>;
  drillErrors: string[];
  seconds: number;
}

export type Update =
  | { type: 'sample'; sample: Sample; counters: Counters }
  | { type: 'entry'; entry: TimelineEntry }
  | { type: 'state'; connections: ConnectionRow[] }
  | { type: 'nodes'; nodes: NodeRow[] }
  | { type: 'phase'; span: PhaseSpan; text: string }
  | { type: 'done'; summary: RunSummary };

export interface Snapshot {
  meta: RunMeta;
  samples: Sample[];
  timeline: TimelineEntry[];
  connections: ConnectionRow[];
  /** A cluster run's nodes (empty for a standalone run). */
  nodes: NodeRow[];
  counters: Counters;
  spans: PhaseSpan[];
  phaseText: string;
  summary: RunSummary | null;
}

const MAX_SAMPLES = 3600;
const MAX_ENTRIES = 600;
export const SAMPLE_MS = 500;

export class Monitor {
  readonly meta: RunMeta;
  readonly samples: Sample[] = [];
  readonly timeline: TimelineEntry[] = [];
  readonly spans: PhaseSpan[] = [];
  connections: ConnectionRow[] = [];
  nodes: NodeRow[] = [];
  phaseText = 'starting';
  summary: RunSummary | null = null;
  readonly counters: Counters = { ok: 0, failed: 0, counterGaps: 0, notifications: {}, handoffs: { started: 0, succeeded: 0, failed: 0 } };
  private readonly listeners = new Set<(update: Update) => void>();
  private readonly subscriptions: Subscription[] = [];
  /** The watched client's connections now (state() has fresh in-flight counts). */
  private current: (() => ReadonlyArray<ConnectionRow>) | null = null;
  private slotsKey = '';
  private timer: NodeJS.Timeout | null = null;
  private stateKey = '';

  constructor(
    options: DemoOptions,
    client: ClientKind,
    endpoints: readonly string[],
    private readonly stats: WorkloadStats,
  ) {
    this.meta = { client, callers: options.callers, pool: options.pool, endpointType: options.endpointType, timeS: options.timeS, endpoints: [...endpoints], startedAt: Date.now() };
  }

  now(): number {
    return (Date.now() - this.meta.startedAt) / 1000;
  }

  listen(listener: (update: Update) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Follows a hitless client's streams (node-redis has none). */
  watch(client: MaintClient): void {
    this.current = () => client.state().connections;
    this.subscriptions.push(client.events$.subscribe((event) => this.onEvent(event)));
    this.subscriptions.push(client.state$.subscribe((state) => this.setConnections(state.connections)));
  }

  /** Follows a cluster client: every node's connections (endpoint = the node), its events, and each change of the slot map as a timeline line. */
  watchCluster(cluster: MaintCluster): void {
    const rows = (state: ClusterState) => state.nodes.flatMap((node) => node.connections.map((connection) => ({ ...connection, endpoint: node.node })));
    this.current = () => rows(cluster.state());
    this.subscriptions.push(cluster.events$.subscribe((event) => this.onClusterEvent(event)));
    this.subscriptions.push(
      cluster.state$.subscribe((state) => {
        this.setConnections(rows(state));
        this.setSlots(state);
      }),
    );
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), SAMPLE_MS);
  }

  phase(phase: PhaseName, text: string): void {
    const t = this.now();
    const last = this.spans[this.spans.length - 1];
    if (last !== undefined && last.to === null) last.to = t;
    const span: PhaseSpan = { phase, from: t, to: null };
    this.spans.push(span);
    this.phaseText = text;
    this.emit({ type: 'phase', span, text });
    this.entry('drill', phase === 'steady' ? 'info' : 'drill', text, phase === 'steady' ? null : phase);
  }

  log(level: string, message: string): void {
    this.entry('log', level === 'error' ? 'bad' : level === 'warn' ? 'warn' : 'info', `[${level}] ${message}`, null);
  }

  /** Stops, takes the final counts from the summary, and announces the result. */
  finish(summary: RunSummary): void {
    this.stop();
    const last = this.spans[this.spans.length - 1];
    if (last !== undefined && last.to === null) last.to = this.now();
    this.summary = summary;
    Object.assign(this.counters, { ok: summary.ok, failed: summary.failed, counterGaps: summary.counterGaps });
    this.phaseText = summary.failed === 0 ? 'finished: no command failed' : `finished: ${summary.failed} commands failed`;
    this.emit({ type: 'done', summary });
  }

  /** Stops sampling (a last, partial interval would only add noise) and following the client. */
  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    this.current = null;
  }

  snapshot(): Snapshot {
    return {
      meta: this.meta,
      samples: this.samples,
      timeline: this.timeline,
      connections: this.connections,
      nodes: this.nodes,
      counters: this.counters,
      spans: this.spans,
      phaseText: this.phaseText,
      summary: this.summary,
    };
  }

  private tick(): void {
    const sample = this.stats.sample(this.now());
    this.samples.push(sample);
    if (this.samples.length > MAX_SAMPLES) this.samples.shift();
    this.counters.ok = this.stats.ok;
    this.counters.failed = this.stats.failed;
    this.counters.counterGaps = this.stats.counterGaps;
    // state() has fresh in-flight counts; state$ only emits when the lifecycle changes.
    if (this.current !== null) this.setConnections(this.current());
    this.emit({ type: 'sample', sample, counters: this.counters });
  }

  private setConnections(connections: ReadonlyArray<ConnectionRow>): void {
    const rows = connections.map(({ id, endpoint, state, inflight, relaxedTimeout, dedicated }) => ({ id, endpoint, state, inflight, relaxedTimeout, dedicated }));
    const key = JSON.stringify(rows);
    if (key === this.stateKey) return;
    this.stateKey = key;
    this.connections = rows;
    this.emit({ type: 'state', connections: rows });
  }

  private setSlots(state: ClusterState): void {
    const ranges = (slots: ClusterState['nodes'][number]['slots']) => slots.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(',');
    const nodes = state.nodes.map((node) => ({ node: node.node, role: node.role, slots: ranges(node.slots), slotCount: node.slots.reduce((sum, [first, last]) => sum + last - first + 1, 0), connections: node.connections.length }));
    if (JSON.stringify(nodes) !== JSON.stringify(this.nodes)) {
      this.nodes = nodes;
      this.emit({ type: 'nodes', nodes });
    }
    const text = nodes
      .filter((node) => node.slotCount > 0)
      .map((node) => `${node.node} ${node.slots}`)
      .join(' · ');
    if (text === this.slotsKey) return;
    this.slotsKey = text;
    this.entry('endpoint', 'info', `slot map: ${text}`, null);
  }

  private onClusterEvent(event: ClusterEvent): void {
    switch (event.type) {
      case 'cluster.slots.migrated':
        return this.entry('notification', 'warn', `SMIGRATED seq ${event.seq} applied to the slot map`, 'SMIGRATED', (event.at - this.meta.startedAt) / 1000);
      case 'cluster.node.added':
      case 'cluster.node.removed':
        return this.entry('endpoint', 'info', `${event.type === 'cluster.node.added' ? 'node added' : 'node removed'}: ${event.node}`, null, (event.at - this.meta.startedAt) / 1000);
      default:
        if (event.type.startsWith('cluster.')) return;
        this.onEvent(event as LifecycleEvent);
    }
  }

  private onEvent(event: LifecycleEvent): void {
    const { counters } = this;
    switch (event.type) {
      case 'notification.received':
        counters.notifications[event.notification.type] = (counters.notifications[event.notification.type] ?? 0) + 1;
        break;
      case 'handoff.started':
        counters.handoffs.started++;
        break;
      case 'handoff.succeeded':
        counters.handoffs.succeeded++;
        this.stats.handoff(true);
        break;
      case 'handoff.failed':
        counters.handoffs.failed++;
        this.stats.handoff(false);
        break;
      default:
        break;
    }
    const described = describeEvent(event);
    if (described !== null) this.entry(described.kind, described.tone, described.text, described.tag, (event.at - this.meta.startedAt) / 1000);
  }

  private entry(kind: TimelineEntry['kind'], tone: Tone, text: string, tag: string | null, t = this.now()): void {
    const quiet = (tone === 'info' || tone === 'good') && (kind === 'relax' || kind === 'connection' || kind === 'notification');
    const entry: TimelineEntry = { t, kind, tone, tag, quiet, text };
    this.timeline.push(entry);
    if (this.timeline.length > MAX_ENTRIES) this.timeline.shift();
    this.emit({ type: 'entry', entry });
  }

  private emit(update: Update): void {
    for (const listener of this.listeners) listener(update);
  }
}
