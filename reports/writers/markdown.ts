import type { Report } from '../../harness/core/result-schema.js';
import { VERDICTS } from '../../harness/core/verdict.js';
import { escapeMdCell } from '../html/escape.js';
import { VERDICT_EMOJI } from '../html/verdict-style.js';
import { RUN_FILES } from '../runs/run-files.js';
import type { ReportWriter } from './report-writer.js';

/** summary.md: short, for pasting into a ticket. Details live in report.html. */
export function renderMarkdownSummary(report: Report): string {
  const id = report.target.identity;
  const counts = VERDICTS.filter((v) => report.summary[v] > 0).map((v) => `${report.summary[v]} ${v}`).join(', ') || 'no scenarios';
  const lines = [
    `## HIL security run: ${report.target.name} — ${VERDICT_EMOJI[report.summary.overall]} ${report.summary.overall}`,
    '',
    `- Device: ${id.vendor} ${id.model}, firmware ${id.firmware}${id.serial ? `, serial ${id.serial}` : ''}`,
    `- Run: \`${report.run.id}\` started ${report.run.startedAt}${report.run.partial ? ' (**partial**: the run ended early)' : ''}${report.run.shard ? `, shard ${report.run.shard}` : ''}`,
    `- Harness ${report.run.harnessVersion}, profile digest \`${report.target.profileDigest.slice(0, 16)}\``,
    `- Result: ${counts}`,
    '',
    '| Scenario | Verdict | Requirements | Reason |',
    '|---|---|---|---|',
    ...report.results.map(
      (r) => `| ${escapeMdCell(r.scenarioId)} | ${VERDICT_EMOJI[r.verdict]} ${r.verdict} | ${escapeMdCell(r.requirements.join(', '))} | ${escapeMdCell(r.reason.length > 140 ? `${r.reason.slice(0, 139)}…` : r.reason)} |`,
    ),
    '',
    'Evidence: `report.html` (details, timeline), `evidence.jsonl` (hash-chained log), `traffic.pcapng`; check integrity with `hil verify <dir>`.',
    '',
  ];
  return lines.join('\n');
}

export const markdownWriter: ReportWriter = { file: RUN_FILES.summary, render: (run) => renderMarkdownSummary(run.report) };
