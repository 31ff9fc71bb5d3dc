import type { Report } from '../../harness/core/result-schema.js';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import type { OutstandingRestoration } from './restore-logs.js';

/**
 * The in-memory run record every report writer takes: the run's report and its evidence records,
 * already reconciled (a killed run's report rebuilt from the evidence) and redacted. Built once per
 * rendering by render-run.ts, from the runner's record or from the run directory.
 */
export interface RenderInput {
  report: Report;
  records: EvidenceRecord[];
  /** Restorations the evidence announced and nobody completed: what may still be changed on the device. */
  outstanding?: OutstandingRestoration[];
}
