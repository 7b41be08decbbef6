/**
 * The terminal dashboard. On a TTY: one frame redrawn in place (ANSI cursor movement, no
 * alternate screen, so the last frame stays above the report). Otherwise: plain lines — every
 * timeline entry as it happens and a status line every two seconds.
 */
import type { Monitor, TimelineEntry, Update } from './monitor.js';
import type { Sample } from './stats.js';
import type { Tone } from './timeline.js';

const ESC = '\x1b[';
const TONE: Record<Tone, string> = { info: '2', drill: '1;35', notify: '36', good: '32', warn: '33', bad: '1;31' };
const STATE: Record<string, string> = { idle: '32', relaxed: '33', handingOff: '1;35', connecting: '34', reconnecting: '1;33', closing: '2', closed: '2' };
const BLOCKS = ' ▁▂▃▄▅▆▇█';

export interface TerminalView {
  stop(): void;
}

const color = (code: string, text: string, on: boolean) => (on ? `${ESC}${code}m${text}${ESC}0m` : text);
const fixed = (value: number, digits = 2) => (value >= 100 ? value.toFixed(0) : value.toFixed(digits));
const stamp = (t: number) => `${t.toFixed(1).padStart(6)}s`;

/** The last `width` values as block characters; `log` scales between the smallest and largest. */
function sparkline(values: number[], width: number, log = false): string {
  const shown = values.slice(-width);
  const f = log ? (v: number) => Math.log10(Math.max(v, 1e-3)) : (v: number) => v;
  const max = Math.max(...shown.map(f));
  const min = log ? Math.min(...shown.map(f)) - 0.1 : 0;
  const span = Math.max(1e-9, max - min);
  return shown.map((v) => BLOCKS[Math.max(1, Math.min(8, Math.round(((f(v) - min) / span) * 8)))] ?? ' ').join('');
}

function statusLine(monitor: Monitor, sample: Sample | undefined): string {
  const c = monitor.counters;
  const h = c.handoffs;
  const s = sample ?? { opsPerSec: 0, p50: 0, p99: 0, max: 0 };
  const handoffs = monitor.meta.client === 'hitless' ? `   handoffs ${h.succeeded}/${h.started}${h.failed > 0 ? ` (${h.failed} failed)` : ''}` : '';
  return `ops/s ${Math.round(s.opsPerSec).toLocaleString('en-US').padStart(7)}   p50 ${fixed(s.p50)} ms   p99 ${fixed(s.p99)} ms   max ${fixed(s.max)} ms   failed ${c.failed}${handoffs}   gaps ${c.counterGaps}`;
}

function entryLine(entry: TimelineEntry, ansi: boolean, width: number): string {
  const text = `${stamp(entry.t)}  ${entry.text}`;
  return color(TONE[entry.tone], text.length > width ? `${text.slice(0, width - 1)}…` : text, ansi);
}

function frame(monitor: Monitor, width: number, height: number): string[] {
  const m = monitor.meta;
  const last = monitor.samples[monitor.samples.length - 1];
  const lines: string[] = [];
  lines.push(`${color('1', ' hitless demo ', true)} ${m.client} · ${m.client === 'hitless' ? `pool ${m.pool} · ` : ''}${m.callers} callers · endpoint type ${m.endpointType} · time_s ${m.timeS} · ${monitor.now().toFixed(1)} s`);
  lines.push(` ${color('1;35', 'phase', true)} ${monitor.phaseText}`.slice(0, width + 12));
  lines.push('');
  lines.push(` ${statusLine(monitor, last)}`);
  const graph = Math.max(10, width - 12);
  lines.push(` ${color('2', 'ops/s  ', true)} ${color('32', sparkline(monitor.samples.map((s) => s.opsPerSec), graph), true)}`);
  lines.push(` ${color('2', 'p99 log', true)} ${color('33', sparkline(monitor.samples.map((s) => s.p99), graph, true), true)}`);
  lines.push('');
  lines.push(` ${color('1', 'connections', true)}${m.client === 'hitless' ? '' : color('2', '  (node-redis exposes no connection state)', true)}`);
  for (const c of monitor.connections) {
    const relaxed = c.relaxedTimeout === null ? '' : `  relaxed ${c.relaxedTimeout} ms`;
    lines.push(`  ${c.id.padEnd(8)} ${color(STATE[c.state] ?? '0', c.state.padEnd(12), true)} ${c.endpoint.padEnd(22)} in-flight ${String(c.inflight).padStart(3)}${c.dedicated ? '  dedicated' : ''}${relaxed}`);
  }
  lines.push('');
  lines.push(` ${color('1', 'notifications & handoffs', true)}`);
  const room = Math.max(3, height - lines.length - 1);
  const shown = monitor.timeline.filter((entry) => !entry.quiet);
  for (const entry of shown.slice(-room)) lines.push(`  ${entryLine(entry, true, width - 2)}`);
  return lines.slice(0, height);
}

/**
 * `live`: the redrawn frame (falls back to `lines` when `out` is not a TTY). `lines`: every
 * timeline entry but the routine ones, and a status line every 2 s. `drill`: drill steps and a status line every 5 s
 * (beside the web dashboard).
 */
export function startTerminal(monitor: Monitor, out: NodeJS.WriteStream, mode: 'live' | 'lines' | 'drill'): TerminalView {
  if (mode === 'live' && out.isTTY === true) return startLive(monitor, out);
  const every = mode === 'drill' ? 10 : 4;
  let samples = 0;
  const unlisten = monitor.listen((update: Update) => {
    if (update.type === 'entry' && !update.entry.quiet && (mode !== 'drill' || update.entry.kind === 'drill')) out.write(`${entryLine(update.entry, false, 200)}\n`);
    else if (update.type === 'sample' && ++samples % every === 0) out.write(`${stamp(update.sample.t)}  ${statusLine(monitor, update.sample)}\n`);
  });
  return { stop: unlisten };
}

function startLive(monitor: Monitor, out: NodeJS.WriteStream): TerminalView {
  let drawn = 0;
  const draw = () => {
    const width = Math.max(60, Math.min(140, out.columns ?? 100));
    const height = Math.max(12, (out.rows ?? 40) - 1);
    const lines = frame(monitor, width, height);
    out.write(`${drawn > 0 ? `${ESC}${drawn}F` : ''}${lines.map((line) => `${line}${ESC}K\n`).join('')}${ESC}J`);
    drawn = lines.length;
  };
  out.write(`${ESC}?25l`);
  draw();
  const timer = setInterval(draw, 250);
  return {
    stop() {
      clearInterval(timer);
      draw();
      out.write(`${ESC}?25h`);
    },
  };
}
