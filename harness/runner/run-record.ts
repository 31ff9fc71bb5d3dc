import type { Report } from '../core/result-schema.js';

/**
 * What a run of the scenario library against one target returns (compare OpenHTF's test_record):
 * run meta, target, per-scenario results in execution order, the evidence pointer (all in
 * `report`, the shape report.json has), and the process exit code they imply. The runner writes
 * only evidence.jsonl and the profile snapshot; the report writers turn this record into files.
 */
export interface RunRecord {
  runDir: string;
  report: Report;
  exitCode: 0 | 1 | 2;
}
