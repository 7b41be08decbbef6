/**
 * The whole demo: the hitless run, then (with `--compare node-redis`) the same drill with
 * node-redis, each shown in the terminal and/or streamed to the web dashboard, and the report.
 * `startWebDemo` is the programmatic entry point of the web mode (used by the browser test).
 */
import { DEFAULTS, type ClientKind, type DemoOptions } from './args.js';
import type { RunSummary } from './monitor.js';
import { formatComparison, formatReport } from './report.js';
import { runClusterDemo } from './cluster-run.js';
import { runDemo, type Attach } from './run.js';
import { startTerminal } from './terminal.js';
import { startWebServer, type WebServer } from './web-server.js';

export interface DemoResult {
  runs: RunSummary[];
  /** The closing report (both runs side by side with --compare). */
  report: string;
  /** The hitless run had no failed command and every action ran. */
  ok: boolean;
  /** Stopped by Ctrl-C (or stop()) before the end. */
  interrupted: boolean;
}

export interface DemoIo {
  /** Where the dashboard and the report go; null = silent. */
  out: NodeJS.WriteStream | null;
  server: WebServer | null;
  signal: AbortSignal;
}

export async function runAll(options: DemoOptions, io: DemoIo): Promise<DemoResult> {
  const { out, server, signal } = io;
  const kinds: ClientKind[] = options.compare === null ? ['hitless'] : ['hitless', options.compare];
  const runs: RunSummary[] = [];
  for (const kind of kinds) {
    if (signal.aborted) break;
    out?.write(`\n▶ ${kind}: ${options.cluster ? 'cluster ' : ''}maintenance drill (${options.callers} callers, ~${options.durationS} s)\n`);
    const attach: Attach = (monitor) => {
      const detachWeb = server?.attach(monitor);
      const view = out === null ? null : startTerminal(monitor, out, server !== null ? 'drill' : options.plain ? 'lines' : 'live');
      return () => {
        view?.stop();
        detachWeb?.();
      };
    };
    const summary = options.cluster ? await runClusterDemo(options, attach, signal) : await runDemo(options, kind, attach, signal);
    runs.push(summary);
    out?.write(`\n${formatReport(summary)}\n`);
  }
  const report = runs.length > 1 ? formatComparison(runs) : runs[0] === undefined ? 'interrupted before the first run' : formatReport(runs[0]);
  if (runs.length > 1) out?.write(`\n── side by side ──\n${report}\n`);
  const ours = runs[0];
  const ok = ours !== undefined && ours.failed === 0 && ours.drillErrors.length === 0;
  // The page shows each run's own summary; the text report adds the side-by-side view.
  if (runs.length > 1) server?.publishReport(report, ok);
  return { runs, report, ok, interrupted: signal.aborted };
}

export interface WebDemo {
  url: string;
  /** Settles when every run finished (the server keeps serving the final state until stop()). */
  finished: Promise<DemoResult>;
  /** Interrupts a run in progress, waits for it to close, then closes the server. */
  stop(): Promise<void>;
}

/** Starts the web dashboard and the drill behind it; `overrides` shrink it (e.g. for tests). */
export async function startWebDemo(overrides: Partial<DemoOptions> = {}, out: NodeJS.WriteStream | null = null): Promise<WebDemo> {
  const options: DemoOptions = { ...DEFAULTS, ...overrides, web: true };
  const server = await startWebServer(options.port);
  out?.write(`dashboard: ${server.url}\n`);
  const abort = new AbortController();
  const finished = runAll(options, { out, server, signal: abort.signal });
  // stop() may come before anyone awaits `finished`: its rejection must not go unhandled.
  finished.catch(() => undefined);
  return {
    url: server.url,
    finished,
    async stop() {
      abort.abort();
      await finished.catch(() => undefined);
      await server.close();
    },
  };
}
