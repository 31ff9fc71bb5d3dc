import type { Report } from '../core/result-schema.js';
import type { Verdict } from '../core/verdict.js';

const MARK: Record<Verdict, string> = {
  PASS: 'PASS',
  FAIL: 'FAIL',
  INCONCLUSIVE: 'INCONCL',
  NOT_APPLICABLE: 'N/A',
  ERROR: 'ERROR',
  NOT_RUN: 'NOT RUN',
};

export const verdictLabel = (v: Verdict): string => MARK[v];

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** Scenario × target verdict matrix, as printed at the end of `hil run` and `hil demo`. */
export function verdictMatrix(reports: Report[]): string {
  const ids: string[] = [];
  for (const r of reports) for (const res of r.results) if (!ids.includes(res.scenarioId)) ids.push(res.scenarioId);
  const rows = [['scenario', ...reports.map((r) => r.target.name)]];
  for (const id of ids) {
    rows.push([id, ...reports.map((r) => {
      const res = r.results.find((x) => x.scenarioId === id);
      return res ? verdictLabel(res.verdict) : '-';
    })]);
  }
  rows.push(['overall', ...reports.map((r) => verdictLabel(r.summary.overall))]);
  return table(rows);
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
