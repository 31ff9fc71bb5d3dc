import { RUN_FILES } from '../runs/run-files.js';
import type { ReportWriter } from './report-writer.js';

/** report.json: the canonical result (ReportSchema), the input of `hil report`, `hil diff` and `hil merge`. */
export const jsonWriter: ReportWriter = {
  file: RUN_FILES.report,
  canonical: true,
  render: (run) => `${JSON.stringify(run.report, null, 2)}\n`,
};
