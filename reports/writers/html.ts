import { renderHtmlReport } from '../html/html-report.js';
import { RUN_FILES } from '../runs/run-files.js';
import { partialBannerHtml } from './partial-banner.js';
import type { ReportWriter } from './report-writer.js';

/** report.html: the self-contained page a person reads (built by reports/html/). */
export const htmlWriter: ReportWriter = {
  file: RUN_FILES.html,
  // The partial-run notice goes first in the page, above everything else.
  render: (run) => renderHtmlReport(run.report, run.records).replace('<body><main>\n', () => `<body><main>\n${partialBannerHtml(run)}`),
};
