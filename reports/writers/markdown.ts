import type { Report } from '../../harness/core/result-schema.js';
import { VERDICTS, type Verdict } from '../../harness/core/verdict.js';
import { escapeMdCell } from '../html/escape.js';
import { VERDICT_EMOJI } from '../html/verdict-style.js';
import { RUN_FILES } from '../runs/run-files.js';
import { partialBannerMarkdown } from './partial-banner.js';
import type { ReportWriter } from './report-writer.js';

const cut = (t: string, n = 140) => (t.length > n ? `${t.slice(0, n - 1)}…` : t);

/** Checks that did not pass, FAIL first (then ERROR, INCONCLUSIVE, NOT_RUN), each with its scenario and interface. */
function checkLines(report: Report): string[] {
  const order: Verdict[] = [...VERDICTS].reverse().filter((v) => v !== 'PASS' && v !== 'NOT_APPLICABLE');
  const rows = report.results.flatMap((r) => (r.checks ?? []).map((c) => ({ r, c })));
  if (!rows.length) return [];
  const passed = rows.filter(({ c }) => c.verdict === 'PASS').length;
  const lines = order.flatMap((v) =>
    rows
      .filter(({ c }) => c.verdict === v)
      .map(({ r, c }) => `| ${VERDICT_EMOJI[v]} ${v} | ${escapeMdCell(r.scenarioId)} | ${escapeMdCell(c.name)} | ${escapeMdCell(c.iface ?? '')} | ${escapeMdCell(cut(c.reason ?? ''))} |`),
  );
  return [`Checks: ${rows.length} (${passed} PASS)${lines.length ? ', not passed:' : ''}`, '', ...(lines.length ? ['| Verdict | Scenario | Check | Interface | Reason |', '|---|---|---|---|---|', ...lines, ''] : [])];
}

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
      (r) => `| ${escapeMdCell(r.scenarioId)} | ${VERDICT_EMOJI[r.verdict]} ${r.verdict} | ${escapeMdCell(r.requirements.join(', '))} | ${escapeMdCell(cut(r.reason))} |`,
    ),
    '',
    ...checkLines(report),
    'Evidence: `report.html` (details, timeline), `evidence.jsonl` (hash-chained log), `traffic.pcapng`; check integrity with `hil verify <dir>`.',
    '',
  ];
  return lines.join('\n');
}

export const markdownWriter: ReportWriter = { file: RUN_FILES.summary, render: (run) => partialBannerMarkdown(run) + renderMarkdownSummary(run.report) };
