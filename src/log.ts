import type { LogLevel } from './config.js';

/** A sink for the client's log lines; `details` may be any value (an error, a record). */
export interface Logger {
  /** Something failed that the caller may not see otherwise. */
  error(message: string, details?: unknown): void;
  /** Something unexpected that hitless handled. */
  warn(message: string, details?: unknown): void;
  /** A lifecycle step worth knowing about. */
  info(message: string, details?: unknown): void;
  /** Detail for troubleshooting (e.g. an endpoint that rejects the opt-in). */
  debug(message: string, details?: unknown): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A logger that forwards lines at or above `level` to `sink` (default: stderr via console). */
export function createLogger(level: LogLevel, sink?: Partial<Logger>): Logger {
  const target = sink ?? {
    error: (m: string, d?: unknown) => console.error(`[hitless] ${m}`, ...(d === undefined ? [] : [d])),
    warn: (m: string, d?: unknown) => console.warn(`[hitless] ${m}`, ...(d === undefined ? [] : [d])),
    info: (m: string, d?: unknown) => console.info(`[hitless] ${m}`, ...(d === undefined ? [] : [d])),
    debug: (m: string, d?: unknown) => console.debug(`[hitless] ${m}`, ...(d === undefined ? [] : [d])),
  };
  const at = RANK[level];
  const forward = (name: LogLevel) => (message: string, details?: unknown) => {
    if (RANK[name] <= at) target[name]?.(message, details);
  };
  return { error: forward('error'), warn: forward('warn'), info: forward('info'), debug: forward('debug') };
}
