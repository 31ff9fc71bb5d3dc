import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROGRESS_PREFIX, type ProgressEvent } from './progress-reporter.js';
import { RUN_ENV } from './run-environment.js';

const require = createRequire(import.meta.url);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const configFile = fileURLToPath(new URL('./scenario-vitest.config.ts', import.meta.url));

export interface WorkerOptions {
  runDir: string;
  runId: string;
  /** Scenario files in execution order; the worker loads the profile snapshot from runDir. */
  files: string[];
  shard?: string;
  env: NodeJS.ProcessEnv;
  /** Hard stop for the whole worker: the sum of the scenarios' budgets plus slack. */
  deadlineMs: number;
  signal?: AbortSignal;
  onProgress: (e: ProgressEvent) => void;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  killedByDeadline: boolean;
  /** Worker output that was not a progress line (vitest's own complaints), for the evidence. */
  output: string;
}

/** Run the scenario files in a vitest child process and stream its progress lines. */
export function runScenarioWorker(opts: WorkerOptions): Promise<WorkerExit> {
  const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
  const args = [vitest, 'run', '--config', configFile, ...(opts.shard ? [`--shard=${opts.shard}`] : []), ...opts.files];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...opts.env,
      [RUN_ENV.runDir]: opts.runDir,
      [RUN_ENV.runId]: opts.runId,
      [RUN_ENV.scenarioFiles]: JSON.stringify(opts.files),
      [RUN_ENV.parentPid]: String(process.pid),
      FORCE_COLOR: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let pending = '';
  const keep = (s: string) => {
    output += s;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.startsWith(PROGRESS_PREFIX)) {
        try {
          opts.onProgress(JSON.parse(line.slice(PROGRESS_PREFIX.length)) as ProgressEvent);
        } catch {
          keep(line + '\n');
        }
      } else keep(line + '\n');
    }
  });
  child.stderr.setEncoding('utf8').on('data', keep);

  let killedByDeadline = false;
  const kill = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 5000).unref();
  };
  const timer = setTimeout(() => {
    killedByDeadline = true;
    kill();
  }, opts.deadlineMs);
  opts.signal?.addEventListener('abort', kill, { once: true });

  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', kill);
      resolve({ code, signal, killedByDeadline, output: output + pending });
    });
  });
}
