import { join } from 'node:path';
import type { Report } from '../core/result-schema.js';
import type { ProgressEvent } from '../runner/progress-event.js';
import { prewarmScenarioHost } from '../runner/scenario-host-pool.js';
import { prepareTarget } from './prepared-target.js';
import { runAndReport } from './run-and-report.js';
import { selectScenarios } from './scenario-selection.js';

export interface RunTargetsOptions {
  out: string;
  scenario?: string[];
  shard?: string;
  parallel: number;
  key?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent & { target: string }) => void;
}

/** Run several targets with at most `parallel` at once (each target is its own device). */
export async function runTargets(files: string[], o: RunTargetsOptions): Promise<{ reports: Report[]; runDirs: string[] }> {
  // The scenario host loads while the profiles are validated (it sends nothing until it gets a job).
  prewarmScenarioHost(o.env ?? process.env);
  // Validate every profile, secret and scenario id before anything is sent to any device.
  const prepared = files.map((f) => prepareTarget(f, o.env));
  const scenarios = await selectScenarios(o.scenario);
  const single = files.length === 1;
  const reports: Report[] = new Array(files.length);
  const runDirs: string[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const target = prepared[i]!;
      const r = await runAndReport(target, scenarios, {
        runDir: single ? o.out : join(o.out, target.profile.name),
        shard: o.shard,
        signal: o.signal,
        keyPath: o.key,
        onProgress: o.onProgress,
      });
      reports[i] = r.report;
      runDirs[i] = r.runDir;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, files.length)) }, worker));
  return { reports, runDirs };
}
