// The one test command (`npm test`): typecheck, every uvu test under c8 with the coverage gate,
// a 60-second seeded chaos soak, the build, a smoke test of the built package, the API reference, and the packed tarball as users
// install it. Ends with "N passed, N failed".
// Tests run in parallel workers (scripts/run-tests.mjs) with tests/helpers/runner/register.mjs: a
// per-test time limit and a leak check per file.
import { spawn } from 'node:child_process';

const stages = [
  { name: 'typecheck', cmd: ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json'] },
  { name: 'tests + coverage gate', cmd: ['node_modules/c8/bin/c8.js', process.execPath, 'scripts/run-tests.mjs', 'tests', '\\.test\\.ts$'], uvu: true, timeoutMs: 8 * 60_000 },
  { name: 'chaos soak (60 s, seed 5: every invariant, see README; a failure prints its replay command)', cmd: ['--import', 'tsx', 'scripts/soak/main.ts', '--seconds', '60', '--seed', '5', '--quiet'], timeoutMs: 90_000 },
  { name: 'build', cmd: ['esbuild.mjs'] },
  { name: 'smoke test of the built package', cmd: ['scripts/smoke.mjs'] },
  { name: 'API reference (TypeDoc: every export documented, no broken link)', cmd: ['node_modules/typedoc/bin/typedoc'] },
  { name: 'the package as users install it (npm pack, publint, attw, import/require, TypeScript)', cmd: ['--import', 'tsx', 'scripts/package-check.mjs'] },
];

let passed = 0;
let failed = 0;
for (const stage of stages) {
  console.log(`\n=== ${stage.name}`);
  const { code, output, timedOut } = await run(stage.cmd, stage.timeoutMs ?? 5 * 60_000);
  if (stage.uvu) {
    const total = lastNumber(output, /Total:\s+(\d+)/g);
    const ok = lastNumber(output, /Passed:\s+(\d+)/g);
    if (Number.isFinite(total) && Number.isFinite(ok)) {
      passed += ok;
      failed += total - ok;
    }
    // A non-zero exit with every test passing is the coverage gate (or a crash after the run).
    if (code !== 0 && (!Number.isFinite(total) || ok === total)) {
      failed += 1;
      console.log(timedOut ? 'FAILED: the test run did not finish (a leaked socket or timer keeps the process alive?)' : `FAILED: exit code ${code} (coverage below the gate, or a crash)`);
    }
  } else if (code === 0) {
    passed += 1;
  } else {
    failed += 1;
    console.log(`FAILED: ${stage.name} (exit code ${code})`);
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;

function lastNumber(text, regex) {
  let value = NaN;
  for (const match of text.matchAll(regex)) value = Number(match[1]);
  return value;
}

function run(args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        output += chunk;
        process.stdout.write(chunk);
      });
    }
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output, timedOut });
    });
  });
}
