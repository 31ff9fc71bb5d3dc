import type { Redactor } from '../evidence/redactor.js';
import type { ProgressEvent } from '../runner/progress-event.js';
import type { RunRecord } from '../runner/run-record.js';
import { runTarget } from '../runner/run-target.js';
import type { ScenarioEntry } from '../runner/scenario-entry.js';
import { prepareTarget, type PreparedTarget } from './prepared-target.js';
import { selectScenarios } from './scenario-selection.js';

export interface RunAndReportOptions {
  runDir: string;
  shard?: string;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent & { target: string }) => void;
  /** Lab key for the signed manifest (`--key`). */
  keyPath?: string;
}

/** Hand a run record to the report writers: report.json, junit, html, markdown, pcapng, signed manifest. */
export async function writeRunReports(record: RunRecord, opts: { redactor: Redactor; keyPath?: string }): Promise<RunRecord> {
  const { renderRunDirectory } = await import('../../reports/runs/render-run.js');
  // The record is handed over in memory: report.json is written by its writer, redacted, once.
  const rendered = renderRunDirectory(record.runDir, { keyPath: opts.keyPath, redactor: opts.redactor, report: record.report });
  // The writers may have redacted the report; the record returned is what report.json holds.
  return { ...record, report: rendered.report };
}

/** Run the selected scenarios against one prepared target, then write every report of its run directory. */
export async function runAndReport(target: PreparedTarget, scenarios: readonly ScenarioEntry[], opts: RunAndReportOptions): Promise<RunRecord> {
  const record = await runTarget({
    target,
    secrets: target.secrets,
    scenarios,
    runDir: opts.runDir,
    shard: opts.shard,
    env: target.env,
    signal: opts.signal,
    onProgress: opts.onProgress,
  });
  return writeRunReports(record, { redactor: target.secrets.redactor, keyPath: opts.keyPath });
}

/** One target from its profile file: load and validate it, select scenarios by id, run, report (for `hil demo` and the benchmarks). */
export async function runTargetFile(opts: RunAndReportOptions & { targetFile: string; scenarioIds?: string[]; env?: NodeJS.ProcessEnv }): Promise<RunRecord> {
  const target = prepareTarget(opts.targetFile, opts.env);
  return runAndReport(target, await selectScenarios(opts.scenarioIds), opts);
}
