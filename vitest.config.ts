import { defineConfig } from 'vitest/config';

// The harness's own tests (scenario runs do not use vitest: harness/runner/scenario-host.ts runs them).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    retry: 0,
    pool: 'forks',
    // Two cores: run files two at a time; tests that share a fixed resource say so themselves.
    maxWorkers: 2,
    env: { NODEOPCUA_LOG_LEVEL: '3', TESTCONTAINERS_RYUK_DISABLED: 'true' },
    // In CI also a JUnit file, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['junit', { outputFile: '.vitest-reports/junit.xml' }]] : ['default'],
  },
});
