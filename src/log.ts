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

const withDetails = (message: string, details: unknown): unknown[] => (details === undefined ? [`[hitless] ${message}`] : [`[hitless] ${message}`, details]);

/** The default sink: stderr via console, one for every client. */
const CONSOLE: Logger = {
  error: (m, d) => console.error(...withDetails(m, d)),
  warn: (m, d) => console.warn(...withDetails(m, d)),
  info: (m, d) => console.info(...withDetails(m, d)),
  debug: (m, d) => console.debug(...withDetails(m, d)),
};

/**
 * Forwards the lines at or above its level to a sink. Methods on the prototype, not closures per
 * client: a client that logs nothing (most) pays for one small object.
 */
class LevelLogger implements Logger {
  constructor(
    private readonly at: number,
    private readonly target: Partial<Logger>,
  ) {}

  error(message: string, details?: unknown): void {
    if (this.at >= RANK.error) this.target.error?.(message, details);
  }

  warn(message: string, details?: unknown): void {
    if (this.at >= RANK.warn) this.target.warn?.(message, details);
  }

  info(message: string, details?: unknown): void {
    if (this.at >= RANK.info) this.target.info?.(message, details);
  }

  debug(message: string, details?: unknown): void {
    if (this.at >= RANK.debug) this.target.debug?.(message, details);
  }
}

/** A logger that forwards lines at or above `level` to `sink` (default: stderr via console). */
export function createLogger(level: LogLevel, sink?: Partial<Logger>): Logger {
  return new LevelLogger(RANK[level], sink ?? CONSOLE);
}
