// Runs the uvu test files in parallel worker processes (tests/helpers/runner/worker.mjs, each with
// the runner's time limits and leak checks), longest first so the workers end together, prints each
// file's output whole, and ends with one uvu-style summary (Total / Passed / Duration).
// Most tests wait on real servers and sockets rather than compute, so two workers on two cores take
// a little over half the time of one.
//   node scripts/run-tests.mjs [dir] [pattern] [--workers N] [--record]
// --workers: default HITLESS_TEST_WORKERS or 2. --record: rewrite the committed durations file that
// orders the files (a file it does not know counts as the median).
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parse } from 'uvu/parse';

const DURATIONS = new URL('../tests/helpers/runner/durations.json', import.meta.url);
const WORKER = new URL('../tests/helpers/runner/worker.mjs', import.meta.url);
const MARKER = `@@hitless-test-file-done-${process.pid}@@`;

const args = process.argv.slice(2);
const flag = (name) => {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const [, value] = args.splice(at, 2);
  return value;
};
const record = args.includes('--record') ? (args.splice(args.indexOf('--record'), 1), true) : false;
const workerCount = Math.max(1, Number(flag('--workers') ?? process.env.HITLESS_TEST_WORKERS ?? 2));
const [dir = 'tests', pattern = '\\.test\\.ts$'] = args;

const known = readDurations();
const { suites } = await parse(dir, pattern);
const median = medianOf(Object.values(known)) ?? 1;
const weight = (suite) => known[suite.name] ?? median;
const queue = [...suites].sort((a, b) => weight(b) - weight(a));
const measured = {};
let total = 0;
let passed = 0;
const started = performance.now();

await Promise.all(Array.from({ length: Math.min(workerCount, queue.length) }, () => work()));

const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(`\n  Files:     ${suites.length} in ${Math.min(workerCount, suites.length)} workers\n  Total:     ${total}\n  Passed:    ${passed}\n  Skipped:   0\n  Duration:  ${seconds}s\n\n`);
if (record) writeDurations();
process.exitCode = passed === total ? 0 : 1;

/** One worker process: files from the queue until it is empty; a worker that dies is replaced. */
async function work() {
  while (queue.length > 0) {
    const ended = await runWorker();
    if (ended === 'finished') return;
  }
}

function runWorker() {
  return new Promise((resolve) => {
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx', '--import', './tests/helpers/runner/register.mjs'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let current = null;
    let output = '';
    let finishing = false;
    const next = () => {
      current = queue.shift() ?? null;
      if (current === null) {
        finishing = true;
        child.send({ type: 'finish' });
        return;
      }
      current.startedAt = performance.now();
      output = '';
      child.send({ type: 'run', file: current.file, name: current.name, marker: MARKER });
    };
    child.on('message', (message) => {
      if (message.type === 'ready') next();
    });
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const at = output.indexOf(MARKER);
      if (at === -1 || current === null) return;
      fileEnded(current, output.slice(0, at));
      output = output.slice(at + MARKER.length);
      next();
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('exit', (code, signal) => {
      if (current !== null && !finishing) {
        fileEnded(current, `${output}\n  The worker running ${current.name} exited (${signal ?? `code ${code}`}) before the file ended.\n`, true);
        return resolve('died');
      }
      if (code !== 0) {
        total += 1;
        process.stdout.write(`\n  A test worker exited with ${signal ?? `code ${code}`} after its last file (something left open?).\n`);
      }
      resolve('finished');
    });
  });
}

function fileEnded(suite, text, crashed = false) {
  measured[suite.name] = Number(((performance.now() - suite.startedAt) / 1000).toFixed(1));
  const fileTotal = lastNumber(text, /Total:\s+(\d+)/g);
  const filePassed = lastNumber(text, /Passed:\s+(\d+)/g);
  if (crashed || fileTotal === undefined || filePassed === undefined) {
    total += (fileTotal ?? 0) + 1;
    passed += filePassed ?? 0;
  } else {
    total += fileTotal;
    passed += filePassed;
  }
  // Each file's own summary lines are dropped: the run ends with one summary for all.
  const body = text.replace(/\n\s*Total:[\s\S]*?Duration:\s+\S+\n?/g, `  (${measured[suite.name]}s)\n`);
  process.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
}

function lastNumber(text, regex) {
  let value;
  for (const match of text.matchAll(regex)) value = Number(match[1]);
  return value;
}

function readDurations() {
  try {
    return JSON.parse(readFileSync(DURATIONS, 'utf8'));
  } catch {
    return {};
  }
}

function writeDurations() {
  const sorted = Object.fromEntries(Object.entries(measured).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(DURATIONS, `${JSON.stringify(sorted, null, 2)}\n`);
  process.stdout.write(`  Durations written to ${relative(process.cwd(), DURATIONS.pathname)}\n`);
}

function medianOf(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
