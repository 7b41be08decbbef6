/**
 * What every soak workload shares: the report, the fault windows (an unannounced fault while it
 * runs, and FAULT_GRACE_MS after), and the rule for a failed command — typed and inside a fault
 * window is counted, anything else is a violation.
 */
import { HitlessError } from '../../src/index.js';
import type { SoakReport } from './report.js';

/** Failures this long after an unannounced fault ended are still its doing (reconnects, deadlines). */
export const FAULT_GRACE_MS = 3000;

export class SoakContext {
  running = true;
  /** The step running now (or the last one), so that a violation says where it happened. */
  current = 'start';
  private faultActive = 0;
  private faultStartedAt = 0;
  /** Closed fault windows [start, end + grace], oldest first. */
  private readonly windows: Array<[number, number]> = [];

  constructor(readonly report: SoakReport) {}

  violation(text: string): void {
    if (this.report.violations.length < 50) this.report.violations.push(text);
  }

  faultBegan(): void {
    if (this.faultActive++ === 0) this.faultStartedAt = Date.now();
  }

  faultEnded(): void {
    if (--this.faultActive === 0) this.windows.push([this.faultStartedAt, Date.now() + FAULT_GRACE_MS]);
  }

  inFaultWindow(): boolean {
    return this.faultOverlaps(Date.now(), Date.now());
  }

  /** Whether an unannounced fault (or its grace) overlapped [from, to]. */
  faultOverlaps(from: number, to: number): boolean {
    if (this.faultActive > 0 && to >= this.faultStartedAt) return true;
    for (let i = this.windows.length - 1; i >= 0; i--) {
      const [start, end] = this.windows[i] as [number, number];
      if (end < from) return false;
      if (start <= to) return true;
    }
    return false;
  }

  /** Counts or flags a failed command; returns whether it may have run (`sent`). */
  failed(what: string, error: unknown): boolean {
    if (!(error instanceof HitlessError)) {
      this.violation(`${what}: untyped error ${String(error)}`);
      return error !== null;
    }
    const counts = this.inFaultWindow() ? this.report.errors.inFaultWindows : this.report.errors.outside;
    counts[error.code] = (counts[error.code] ?? 0) + 1;
    if (!this.inFaultWindow()) this.violation(`${new Date().toISOString()} during ${this.current}: ${what}: ${error.code} outside an unannounced fault: ${error.message}`);
    return error.sent;
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
