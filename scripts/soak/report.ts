/** The soak's report and its one-line summary. */

export interface SoakReport {
  seed: number;
  seconds: number;
  actions: Record<string, number>;
  acknowledged: { incr: number; values: number; multi: number; jobsPushed: number; jobsConsumed: number; messagesPublished: number; messagesReceived: number };
  /** Typed failures by code: during (or just after) unannounced faults, and outside them (each one also a violation). */
  errors: { inFaultWindows: Record<string, number>; outside: Record<string, number> };
  /** Published messages not received, every one published while an unannounced fault was on (pub/sub is at most once over a lost socket). */
  messagesLostInFaults: number;
  heapStartMb: number;
  heapMaxMb: number;
  heapEndMb: number;
  handlesMax: number;
  elapsedS: number;
  violations: string[];
}

export function emptyReport(seed: number, seconds: number): SoakReport {
  return {
    seed,
    seconds,
    actions: {},
    acknowledged: { incr: 0, values: 0, multi: 0, jobsPushed: 0, jobsConsumed: 0, messagesPublished: 0, messagesReceived: 0 },
    errors: { inFaultWindows: {}, outside: {} },
    messagesLostInFaults: 0,
    heapStartMb: process.memoryUsage().heapUsed / 1e6,
    heapMaxMb: 0,
    heapEndMb: 0,
    handlesMax: 0,
    elapsedS: 0,
    violations: [],
  };
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const byCode = (counts: Record<string, number>) => {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '' : ` (${entries.map(([code, n]) => `${code} ${n}`).join(', ')})`;
};

/** `soak PASS seed 3, 60 s: … ops, errors in fault windows …, outside 0, heap …, handles …`. */
export function summaryLine(report: SoakReport): string {
  const a = report.acknowledged;
  const ops = a.incr + a.values + a.multi + a.jobsPushed + a.jobsConsumed + a.messagesPublished;
  const actions = total(report.actions);
  return (
    `soak ${report.violations.length === 0 ? 'PASS' : `FAIL (${report.violations.length} violations)`} seed ${report.seed}, ${report.seconds} s (${report.elapsedS.toFixed(1)} s): ` +
    `${ops} ops (INCR ${a.incr}, values ${a.values}, MULTI ${a.multi}, jobs ${a.jobsPushed}/${a.jobsConsumed}, messages ${a.messagesPublished}/${a.messagesReceived}), ` +
    `${actions} actions; errors in fault windows ${total(report.errors.inFaultWindows)}${byCode(report.errors.inFaultWindows)}, ` +
    `outside ${total(report.errors.outside)}${byCode(report.errors.outside)}; messages lost in faults ${report.messagesLostInFaults}; ` +
    `heap ${report.heapStartMb.toFixed(0)} → max ${report.heapMaxMb.toFixed(0)} MB, handles max ${report.handlesMax}`
  );
}
