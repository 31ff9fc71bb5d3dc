import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { scenarioFiles } from './run-environment.js';
import ScenarioSequencer from './scenario-sequencer.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

// If `hil run` dies without stopping us (SIGKILL), end this worker too: no process is left behind.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
}, 500).unref();

/**
 * Vitest config for `hil run`: one device, so scenario files run one after another in a single
 * worker; no retries (a retry could hide a device failure). Which files run is the parent's
 * choice, handed over in the environment: the runner knows no scenario library of its own.
 */
export default defineConfig({
  root,
  test: {
    include: scenarioFiles(),
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    isolate: false,
    retry: 0,
    testTimeout: 600_000,
    hookTimeout: 60_000,
    passWithNoTests: false,
    reporters: [fileURLToPath(new URL('./progress-reporter.ts', import.meta.url))],
    sequence: { sequencer: ScenarioSequencer },
    env: { NODEOPCUA_LOG_LEVEL: '3' },
  },
});
