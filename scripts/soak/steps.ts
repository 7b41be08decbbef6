/** The simulator actions the soak draws from: announced maintenance (no error allowed) and unannounced faults. */
import type { ActionRequest } from '../../src/simulator/index.js';

export interface Step {
  name: string;
  /** Announced (or harmless) steps must cost no error at all; unannounced faults may, typed. */
  announced: boolean;
  action: ActionRequest;
}

/**
 * Binds announce whole seconds (the wire has no fractions; 2 s here) and pin the simulator's
 * schedule to margins like the real 15-second one's (DNS follows ≈ 0.5 s before a client of type
 * `none` reconnects at timeS/2, and the old node serves ≈ 0.6 s past it) rather than the default
 * ratios, which at 2 s leave margins of 70 ms and 130 ms — less than a busy event loop's lag, so
 * the soak would measure the scheduler, not the client.
 */
const BIND = { time_s: 2, dns_follows_s: 0.5, serve_s: 1.6 };

export const STEPS: Step[] = [
  { name: 'migrate', announced: true, action: { type: 'migrate', parameters: { time_s: 1, duration_s: 0.5, delay_ms: 300 } } },
  { name: 'migrate-drop-closing', announced: true, action: { type: 'migrate', parameters: { time_s: 1, duration_s: 0.3, delay_ms: 100, drop_closing: true } } },
  { name: 'failover', announced: true, action: { type: 'failover', parameters: { time_s: 1 } } },
  { name: 'bind', announced: true, action: { type: 'bind', parameters: { ...BIND } } },
  { name: 'bind-duplicate', announced: true, action: { type: 'bind', parameters: { ...BIND, duplicate: true } } },
  { name: 'bind-malformed', announced: true, action: { type: 'bind', parameters: { ...BIND, malformed: true } } },
  { name: 'bind-refused-target', announced: true, action: { type: 'bind', parameters: { ...BIND, refuse_target_s: 0.5 } } },
  { name: 'bind-stalled-target', announced: true, action: { type: 'bind', parameters: { ...BIND, stall_target_s: 0.3 } } },
  // Latency under the command timeout is not announced but must cost nothing.
  { name: 'latency', announced: true, action: { type: 'latency', parameters: { delay_ms: 100, duration_s: 1 } } },
  { name: 'cut', announced: false, action: { type: 'cut', parameters: { timeout_s: 2 } } },
  { name: 'blackhole', announced: false, action: { type: 'blackhole', parameters: { duration_s: 0.8 } } },
];
