import type { Clock } from '../transport/clock.js';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses dials before letting one probe through. */
  resetMs: number;
}

/** `half-open` in the map: its one probe is in flight. */
type Circuit = { state: 'closed'; failures: number } | { state: 'open'; until: number } | { state: 'half-open' };

/**
 * Per-endpoint circuit breaker for handoff dials: after `failureThreshold` failures in a row the
 * endpoint is not dialled for `resetMs`; then one probe is let through (half-open). A success
 * closes the circuit, a failure opens it again.
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();

  constructor(private readonly clock: Clock, private readonly options: CircuitBreakerOptions) {}

  state(endpoint: string): 'closed' | 'open' | 'half-open' {
    const circuit = this.circuits.get(endpoint);
    if (circuit === undefined) return 'closed';
    if (circuit.state === 'open' && this.clock.now() >= circuit.until) return 'half-open';
    return circuit.state;
  }

  /** May `endpoint` be dialled now? In half-open state only one caller gets a yes until it reports. */
  allow(endpoint: string): boolean {
    const circuit = this.circuits.get(endpoint);
    if (circuit === undefined || circuit.state === 'closed') return true;
    if (circuit.state === 'open') {
      if (this.clock.now() < circuit.until) return false;
      this.circuits.set(endpoint, { state: 'half-open' });
      return true;
    }
    return false;
  }

  success(endpoint: string): void {
    this.circuits.delete(endpoint);
  }

  failure(endpoint: string): void {
    const circuit = this.circuits.get(endpoint);
    if (circuit?.state === 'half-open' || (circuit?.state === 'closed' && circuit.failures + 1 >= this.options.failureThreshold) || (circuit === undefined && this.options.failureThreshold <= 1)) {
      this.circuits.set(endpoint, { state: 'open', until: this.clock.now() + this.options.resetMs });
      return;
    }
    if (circuit?.state === 'open') return;
    this.circuits.set(endpoint, { state: 'closed', failures: (circuit?.state === 'closed' ? circuit.failures : 0) + 1 });
  }
}
