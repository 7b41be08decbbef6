/**
 * Command latency without per-command objects: log-scaled histograms in typed arrays (16 buckets
 * per doubling, ≈ 4.4 % resolution, 1 µs … ~67 s), one for the current sampling interval, one
 * per drill phase. A command records two numbers; percentiles are read off the buckets.
 */

const SUB = 16;
const BUCKETS = 27 * SUB;

export class LatencyHistogram {
  readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  max = 0;

  record(ms: number): void {
    const us = ms * 1000;
    const index = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log2(us) * SUB));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** The upper bound of the bucket holding the p-th percentile, in ms (never above the max). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((this.count * p) / 100));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.max, 2 ** ((i + 1) / SUB) / 1000);
    }
    return this.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.max = 0;
  }
}

/** The steady state and each action of the drill: what the report has one row for. */
export const PHASES = ['steady', 'migrate', 'failover', 'bind'] as const;
export type PhaseName = (typeof PHASES)[number];

export interface PhaseReport {
  phase: PhaseName;
  seconds: number;
  commands: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
  handoffs: number;
  handoffsFailed: number;
}

export interface Sample {
  /** Seconds since the workload started. */
  t: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  failed: number;
  phase: PhaseName;
}

/**
 * Counters and histograms of the workload. A command takes a `ticket()` when it is issued (the
 * phase then and how many phase changes happened so far, packed in one number) and hands it back
 * with its latency: a command that was in flight when an action started, or issued during an
 * action and finished after it, counts for that action.
 */
export class WorkloadStats {
  /** The current phase: an index into PHASES. */
  phase = 0;
  private epoch = 0;
  /** The last action that ran: handoffs are attributed to it, including during the settle after it. */
  lastAction = 0;
  ok = 0;
  failed = 0;
  /** INCR replies that were not the previous value + 1 (a lost or doubled write). */
  counterGaps = 0;
  readonly errors = new Map<string, number>();
  private readonly interval = new LatencyHistogram();
  private readonly phases = PHASES.map(() => new LatencyHistogram());
  private readonly phaseFailed = new Uint32Array(PHASES.length);
  private readonly phaseMs = new Float64Array(PHASES.length);
  private readonly handoffs = new Uint32Array(PHASES.length);
  private readonly handoffsFailed = new Uint32Array(PHASES.length);
  private phaseSince = performance.now();
  private intervalFrom = performance.now();
  private intervalFailed = 0;

  ticket(): number {
    return this.epoch * 8 + this.phase;
  }

  /** The phase a command issued with `ticket` counts for. */
  private attribute(ticket: number): number {
    const phase = ticket % 8;
    if ((ticket - phase) / 8 === this.epoch || phase !== 0) return phase;
    return this.lastAction;
  }

  record(ticket: number, ms: number): void {
    this.ok++;
    this.interval.record(ms);
    this.phases[this.attribute(ticket)]?.record(ms);
  }

  fail(ticket: number, code: string): void {
    const phase = this.attribute(ticket);
    this.failed++;
    this.intervalFailed++;
    this.phaseFailed[phase] = (this.phaseFailed[phase] ?? 0) + 1;
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  handoff(succeeded: boolean): void {
    const into = succeeded ? this.handoffs : this.handoffsFailed;
    into[this.lastAction] = (into[this.lastAction] ?? 0) + 1;
  }

  enter(phase: PhaseName): void {
    const now = performance.now();
    this.phaseMs[this.phase] = (this.phaseMs[this.phase] ?? 0) + (now - this.phaseSince);
    this.phaseSince = now;
    if (PHASES.indexOf(phase) !== this.phase) this.epoch++;
    this.phase = PHASES.indexOf(phase);
    if (phase !== 'steady') this.lastAction = this.phase;
  }

  /** Closes the current sampling interval; `t` is the caller's clock (seconds since the run started). */
  sample(t: number): Sample {
    const now = performance.now();
    const seconds = Math.max(1e-3, (now - this.intervalFrom) / 1000);
    const sample: Sample = {
      t,
      opsPerSec: this.interval.count / seconds,
      p50: this.interval.percentile(50),
      p99: this.interval.percentile(99),
      max: this.interval.max,
      failed: this.intervalFailed,
      phase: PHASES[this.phase] ?? 'steady',
    };
    this.interval.reset();
    this.intervalFrom = now;
    this.intervalFailed = 0;
    return sample;
  }

  report(): PhaseReport[] {
    this.enter(PHASES[this.phase] ?? 'steady');
    return PHASES.map((phase, i) => {
      const histogram = this.phases[i] as LatencyHistogram;
      return {
        phase,
        seconds: (this.phaseMs[i] ?? 0) / 1000,
        commands: histogram.count + (this.phaseFailed[i] ?? 0),
        failed: this.phaseFailed[i] ?? 0,
        p50: histogram.percentile(50),
        p99: histogram.percentile(99),
        max: histogram.max,
        handoffs: this.handoffs[i] ?? 0,
        handoffsFailed: this.handoffsFailed[i] ?? 0,
      };
    });
  }
}
