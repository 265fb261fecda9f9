// Jest in ESM mode (NestJS 12 is ESM-only); run through `npm test`, which sets --experimental-vm-modules.
//
// Three projects: the whole suite on today's clock, then the suites where time decides (workflow, deadlines, jobs,
// reports, the console's queue, boards and dashboard) again with the hub's clock started at two awkward instants —
// the first working day of a year that has no calendar file, and 30 s before a new year in China. Each test app's
// clock starts there (HUB_TEST_NOW, read by test/support/test-app.ts); tests that need a given day set it themselves.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

/** the suites where "now" matters; run a second and a third time under shifted clocks */
export const TIME_SENSITIVE = [
  '<rootDir>/test/workflow/**/*.e2e-spec.ts',
  '<rootDir>/test/intake/deadlines.e2e-spec.ts',
  '<rootDir>/test/reports/**/*.e2e-spec.ts',
  '<rootDir>/test/console/queue-time.e2e-spec.ts',
  '<rootDir>/test/console/supervision-http.e2e-spec.ts',
  '<rootDir>/test/console/dashboard-*.e2e-spec.ts',
  '<rootDir>/test/repeats/**/*.e2e-spec.ts',
];

/** where the shifted runs start the hub's clock (China time) */
export const SHIFTS = ['2027-01-04T09:00:00+08:00', '2026-12-31T23:59:30+08:00'];

const shifted = (at) => ({
  ...common,
  displayName: `clock ${at}`,
  roots: ['<rootDir>/test'],
  testMatch: TIME_SENSITIVE,
  setupFiles: ['<rootDir>/test/support/shift-clock.js'],
  globals: { HUB_TEST_NOW: at },
});

// HUB_TEST_ONLY_NOW=1 runs the first project alone (quicker while working); a whole `npm test` runs all three
const projects = [{ ...common, displayName: 'now', roots: ['<rootDir>/src', '<rootDir>/test'], testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.int-spec.ts'] }];
if (!process.env.HUB_TEST_ONLY_NOW && !process.env.HUB_TEST_NOW) projects.push(...SHIFTS.map(shifted));

export default {
  projects,
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  testTimeout: 60000,
  // Under --experimental-vm-modules, Node 20 keeps every finished test file's modules and vm context (held by
  // ModuleWrap global handles: ~30 MB an e2e file; jestjs/jest#14605), so a worker grows with every file: recycle it
  // past 800 MB. A worker still holding 1.5-1.8 GB at the end took ~0.7 s to exit (tearing down a 3.4 GB process),
  // past jest's 0.5 s, and jest reported "A worker process has failed to exit gracefully" with no handle left open.
  // Set here rather than on the command line, so that a plain `npx jest` recycles too.
  workerIdleMemoryLimit: '800MB',
};
