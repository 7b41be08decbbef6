/** One soak workload: its loops, run until the soak stops, and the invariants read at the end. */
export interface Workload {
  /** Before the clock starts (e.g. the subscription is confirmed). */
  start?(): Promise<void>;
  workers: Array<() => Promise<void>>;
  /** After every worker returned: violations for whatever did not hold. */
  check(): Promise<void>;
}
