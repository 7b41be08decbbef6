/** The closing report: one run as a table, or two runs side by side. */
import type { RunSummary } from './monitor.js';
import type { PhaseReport } from './stats.js';

function table(rows: string[][], rightAligned: (column: number) => boolean): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (rightAligned(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(2));
const int = (value: number) => value.toLocaleString('en-US');

function total(summary: RunSummary): PhaseReport {
  const worst = Math.max(0, ...summary.phases.map((p) => p.max));
  return {
    phase: 'steady',
    seconds: summary.seconds,
    commands: summary.ok + summary.failed,
    failed: summary.failed,
    p50: Number.NaN,
    p99: Number.NaN,
    max: worst,
    handoffs: summary.handoffs.succeeded,
    handoffsFailed: summary.handoffs.failed,
  };
}

function headline(s: RunSummary): string {
  const notifications = Object.entries(s.notifications).map(([type, n]) => `${type} ${n}`).join(', ');
  const errors = Object.entries(s.errors).map(([code, n]) => `${code} ×${n}`).join(', ');
  return [
    `${s.client}: ${int(s.ok + s.failed)} commands in ${s.seconds.toFixed(1)} s, ${int(s.failed)} failed${errors === '' ? '' : ` (${errors})`}, ${s.counterGaps} counter gaps`,
    s.client === 'hitless' ? `  handoffs ${s.handoffs.succeeded} succeeded, ${s.handoffs.failed} failed; notifications: ${notifications || 'none'}` : '  (node-redis exposes no lifecycle events: handoffs and notifications are not counted)',
    ...s.drillErrors.map((error) => `  drill: ${error}`),
  ].join('\n');
}

/** One run: the worst latency per action, failures and handoffs. */
export function formatReport(s: RunSummary): string {
  const header = ['phase', 'seconds', 'commands', 'failed', 'p50 ms', 'p99 ms', 'max ms', 'handoffs'];
  const rows = s.phases.map((p) => [p.phase, p.seconds.toFixed(1), int(p.commands), int(p.failed), ms(p.p50), ms(p.p99), ms(p.max), s.client === 'hitless' ? `${p.handoffs}${p.handoffsFailed > 0 ? ` (+${p.handoffsFailed} failed)` : ''}` : '-']);
  const all = total(s);
  rows.push(['total', all.seconds.toFixed(1), int(all.commands), int(all.failed), '', '', ms(all.max), s.client === 'hitless' ? String(all.handoffs) : '-']);
  return `${headline(s)}\n\n${table([header, ...rows], (i) => i > 0)}\n\n${verdict(s)}`;
}

export function verdict(s: RunSummary): string {
  const worst = [...s.phases].filter((p) => p.phase !== 'steady').sort((a, b) => b.max - a.max)[0];
  const tail = worst === undefined ? '' : `; worst latency ${ms(worst.max)} ms during ${worst.phase}`;
  return s.failed === 0 ? `✔ ${s.client}: no command failed${tail}` : `✘ ${s.client}: ${int(s.failed)} commands failed${tail}`;
}

/** Two runs of the same drill side by side. */
export function formatComparison(runs: RunSummary[]): string {
  const header = ['phase', ...runs.flatMap((r) => [`${r.client} cmds`, 'failed', 'p99 ms', 'max ms'])];
  const phases = runs[0]?.phases.map((p) => p.phase) ?? [];
  const rows = phases.map((phase) => [phase, ...runs.flatMap((r) => cells(r.phases.find((p) => p.phase === phase)))]);
  rows.push(['total', ...runs.flatMap((r) => cells(total(r), true))]);
  return `${runs.map(headline).join('\n')}\n\n${table([header, ...rows], (i) => i > 0)}\n\n${runs.map(verdict).join('\n')}`;
}

function cells(p: PhaseReport | undefined, noPercentiles = false): string[] {
  if (p === undefined) return ['-', '-', '-', '-'];
  return [int(p.commands), int(p.failed), noPercentiles ? '' : ms(p.p99), ms(p.max)];
}
