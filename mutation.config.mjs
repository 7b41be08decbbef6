// The mutation sweep's modules (scripts/mutate.mjs): what each mutates and the test files that
// cover it (a uvu pattern under tests/). Kept to the fast, focused files so a module fits its
// time bound; the slow end-to-end drills are not run per mutant.
export const modules = {
  // decoder-properties (fast-check) is left out: 4 s a run against 1 s for the rest.
  protocol: { mutate: ['src/protocol/**/*.ts', '!src/protocol/types.ts'], tests: 'protocol/(decoder-types|endpoint|frame-scanner|handshake|notification)' },
  transport: { mutate: ['src/transport/**/*.ts'], tests: 'transport/' },
  machines: { mutate: ['src/machines/**/*.ts'], tests: 'machines/' },
  // src/pool has ~1000 mutants; split so each part fits its time bound.
  'pool/handoffs': { mutate: ['src/pool/{handoffs,circuit-breaker,handoff-queue,pool-logic}.ts'], tests: 'pool/|machines/handoff-worker' },
  'pool/routing': { mutate: ['src/pool/{router,wait-queue}.ts'], tests: 'pool/(router|dedicated)|client/(concurrency|commands)' },
  'pool/connections': { mutate: ['src/pool/{pool,pool.machine,connection,opener,dedicated}.ts'], tests: 'pool/|client/' },
  'pool/lazy-actors': { mutate: ['src/pool/{first-attempt,pool-actors}.ts'], tests: 'pool/|machines/connection' },
  maintenance: { mutate: ['src/maintenance/**/*.ts'], tests: 'maintenance/|machines/(relax|moving)|client/maint-handshake|e2e/(invalid-and-state|relax-backstop)' },
  'simulator-actions/bind': { mutate: ['src/simulator/actions/bind.ts'], tests: 'simulator/(bind|dns-follows)' },
  'simulator-actions/migrate': { mutate: ['src/simulator/actions/{migrate,notify}.ts'], tests: 'simulator/(migrate|notification-faults|injection)' },
  'simulator-actions/faults': { mutate: ['src/simulator/actions/faults.ts'], tests: 'simulator/connection-faults' },
  'simulator-actions/failover': { mutate: ['src/simulator/actions/failover.ts'], tests: 'simulator/failover-(stall|carry)' },
  'simulator-actions/params': { mutate: ['src/simulator/actions/{params,index}.ts'], tests: 'simulator/(http-api|lifecycle)' },
};

/** Stryker options every module shares. */
export const shared = {
  testRunner: 'command',
  coverageAnalysis: 'off',
  concurrency: 1,
  // Error and log texts are not behaviour; mutating them only measures how many messages tests quote.
  mutator: { excludedMutations: ['StringLiteral'] },
  // A mutant that hangs a test costs the dry run × 1.5 + this: keep it short.
  timeoutMS: 3000,
  timeoutFactor: 1.5,
  reporters: ['json', 'html', 'progress'],
  tempDirName: '.stryker-tmp/sandbox',
  cleanTempDir: true,
  ignorePatterns: ['reports', '.tmp', 'dist', 'coverage', 'docs', '.stryker-tmp'],
};
