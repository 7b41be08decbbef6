// `npm run mutate [module ...]`: a mutation sweep with StrykerJS's command runner, one module at a
// time, each with only the test files that cover it (mutation.config.mjs), one worker (the machine
// is shared), each module bounded in time. Not part of `npm test`. Prints the score per module and
// writes each module's report to reports/mutation/<module>.json (and .html).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { modules, shared } from '../mutation.config.mjs';

// A name selects that module and those under it: `simulator-actions` runs every `simulator-actions/…`.
const requested = process.argv.slice(2);
const expand = (name) => Object.keys(modules).filter((known) => known === name || known.startsWith(`${name}/`));
const unknown = requested.filter((name) => expand(name).length === 0);
if (unknown.length > 0) {
  console.error(`unknown module(s): ${unknown.join(', ')}; known: ${Object.keys(modules).join(', ')}`);
  process.exit(2);
}
const names = requested.length > 0 ? [...new Set(requested.flatMap(expand))] : Object.keys(modules);
const minutes = Number(process.env.MUTATE_MINUTES || 25);
mkdirSync('.stryker-tmp', { recursive: true });
mkdirSync('reports/mutation', { recursive: true });

const rows = [];
for (const name of names) {
  const module = modules[name];
  const file = name.replaceAll('/', '-');
  const configFile = `.stryker-tmp/${file}.config.json`;
  const report = `reports/mutation/${file}.json`;
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        ...shared,
        mutate: module.mutate,
        commandRunner: { command: `node --import tsx --import ./tests/helpers/runner/register.mjs node_modules/uvu/bin.js tests "${module.tests}" -c false` },
        jsonReporter: { fileName: report },
        htmlReporter: { fileName: `reports/mutation/${file}.html` },
      },
      null,
      2,
    ),
  );
  console.log(`\n=== ${name}: ${module.mutate.join(' ')} against tests "${module.tests}" (at most ${minutes} min)`);
  const started = Date.now();
  const { code, progress } = await run(['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', configFile], minutes * 60_000);
  const elapsedMin = ((Date.now() - started) / 60_000).toFixed(1);
  rows.push(code === 'timeout' ? { name, elapsedMin, ...partial(progress) } : { name, elapsedMin, ...score(report, code) });
}

console.log('\nmodule                      score    killed  timeout  survived  no-cov  errors  minutes');
// A score with * is partial: the module reached its time bound; "no-cov" then shows tested/total.
for (const row of rows) {
  console.log(
    [row.name.padEnd(27), String(row.score).padEnd(8), String(row.killed ?? '').padEnd(7), String(row.timeout ?? '').padEnd(8), String(row.survived ?? '').padEnd(9), String(row.noCoverage ?? '').padEnd(7), String(row.errors ?? '').padEnd(7), row.elapsedMin].join(' '),
  );
}

function score(report, code) {
  if (!existsSync(report)) return { score: `no report (exit ${code})` };
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0 };
  for (const file of Object.values(JSON.parse(readFileSync(report, 'utf8')).files)) for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return {
    score: valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)}%`,
    killed: counts.Killed,
    timeout: counts.Timeout,
    survived: counts.Survived,
    noCoverage: counts.NoCoverage,
    errors: counts.CompileError + counts.RuntimeError,
  };
}

/**
 * A module stopped at its time bound writes no report: score what its progress line said so far,
 * e.g. "Mutation testing 45% (…) 134/293 tested (10 survived, 1 timed out)".
 */
function partial(progress) {
  const match = /(\d+)\/(\d+) tested \((\d+) survived, (\d+) timed out\)/.exec(progress ?? '');
  if (match === null) return { score: 'timed out' };
  const [tested, total, survived, timeout] = match.slice(1).map(Number);
  return {
    score: tested === 0 ? 'n/a' : `${((100 * (tested - survived)) / tested).toFixed(1)}%*`,
    killed: tested - survived - timeout,
    timeout,
    survived,
    noCoverage: `${tested}/${total}`,
  };
}

function run(args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let progress = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = String(chunk).split('\n').filter((line) => line.includes(' tested ('));
      if (lines.length > 0) progress = lines[lines.length - 1];
    });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      resolve({ code: 'timeout', progress });
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, progress });
    });
  });
}
