import type { Report, ScenarioResult } from '../../harness/core/result-schema.js';
import { EXIT_MEANING, exitCodeFor, VERDICTS, type Verdict } from '../../harness/core/verdict.js';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { escapeHtml as h, formatValue } from './escape.js';
import { decodeEvidence } from '../runs/evidence-decoder.js';
import { buildExcerpt, recordsOf, type ExcerptSection } from './evidence-excerpt.js';
import { clausesByFamily, requirementCoverage } from './requirement-coverage.js';
import { familiesIn } from './requirement-family.js';
import { renderTimelineSvg } from './timeline-svg.js';
import { VERDICT_COLOURS } from './verdict-style.js';

/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) a person
 * can read: verdict matrix, requirement coverage, timeline, then per-scenario detail with evidence.
 */
const CSS = `
*{box-sizing:border-box}body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",Arial,sans-serif;color:#24292f;margin:0;background:#f6f8fa}
main{max-width:1280px;margin:0 auto;padding:20px 28px 60px;background:#fff;min-height:100vh}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid #d8dee4}
h3{font-size:16px;margin:0}h4{font-size:13px;margin:14px 0 6px;color:#57606a;text-transform:uppercase;letter-spacing:.04em}
.muted{color:#57606a}.mono,code,pre{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-weight:600;font-size:12px;white-space:nowrap}
.badge.big{font-size:16px;padding:4px 14px;border-radius:14px}
.head{display:flex;justify-content:space-between;align-items:flex-start;gap:20px;flex-wrap:wrap}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:10px 0 0;font-size:13px}.facts dt{color:#57606a}.facts dd{margin:0}
.counts{display:flex;gap:8px;flex-wrap:wrap;margin-top:10px}
.banner{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;border-radius:6px;margin:12px 0}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #d8dee4;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600;font-size:12px}td.c{text-align:center}
.matrix td.cell{text-align:center;min-width:90px}.matrix td.cell .cl{display:block;font-size:11px;margin-top:2px;color:#57606a}
.scenario{border:1px solid #d8dee4;border-radius:8px;margin:18px 0;padding:14px 16px;page-break-inside:avoid}
.scenario>header{display:flex;gap:12px;align-items:center;flex-wrap:wrap}
.reason{margin:8px 0;padding:8px 10px;background:#f6f8fa;border-left:4px solid #8c959f;border-radius:0 6px 6px 0}
.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}
pre.transcript{background:#0d1117;color:#c9d1d9;padding:10px;border-radius:6px;max-height:340px;overflow:auto;white-space:pre-wrap;word-break:break-all}
pre.transcript .tx{color:#79c0ff}pre.transcript .rx{color:#c9d1d9}
table.frames td{font-size:12px}table.frames td.hex{font-family:"DejaVu Sans Mono",monospace;word-break:break-all;max-width:360px;color:#57606a}
.dir-tx{color:#0969da;font-weight:600}.dir-rx{color:#1a7f37;font-weight:600}.dir-error,.dir-fault{color:#cf222e;font-weight:600}
svg.timeline{border:1px solid #d8dee4;border-radius:6px;background:#fff}.tl-lane{font:12px sans-serif;fill:#24292f}.tl-axis{font:10px sans-serif;fill:#57606a}.tl-band{font:10px sans-serif;fill:#24292f}
a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
footer{margin-top:40px;font-size:12px;color:#57606a}
`;

export function badge(v: Verdict, big = false): string {
  const c = VERDICT_COLOURS[v];
  return `<span class="badge${big ? ' big' : ''}" style="background:${c.bg};color:${c.fg}">${v.replace('_', ' ')}</span>`;
}

const anchor = (id: string): string => `s-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function header(report: Report): string {
  const id = report.target.identity;
  const facts: [string, string][] = [
    ['Device', `${id.vendor} ${id.model}`],
    ['Firmware', id.firmware],
    ...(id.serial ? [['Serial', id.serial] as [string, string]] : []),
    ['Run', report.run.id],
    ['Started', report.run.startedAt],
    ...(report.run.finishedAt ? [['Finished', report.run.finishedAt] as [string, string]] : []),
    ...(report.run.shard ? [['Shard', report.run.shard] as [string, string]] : []),
    ['Harness', `${report.run.harnessVersion}${report.run.harnessTree ? `, ${report.run.harnessTree}` : ''} (${Object.entries(report.run.libraries).map(([k, v]) => `${k} ${v}`).join(', ')})`],
    ['Profile digest', report.target.profileDigest],
    ['Evidence', `${report.evidence.records} records, last hash ${report.evidence.lastHash.slice(0, 16)}…`],
  ];
  const gate = EXIT_MEANING[exitCodeFor(report.results.map((r) => r.verdict))];
  const counts = VERDICTS.filter((v) => report.summary[v] > 0).map((v) => `<span>${badge(v)} × ${report.summary[v]}</span>`).join('');
  return `<div class="head"><div><h1>${h(report.target.name)}</h1><div class="muted">IoT gateway security test report</div>
<dl class="facts">${facts.map(([k, v]) => `<dt>${h(k)}</dt><dd class="${k.includes('digest') || k === 'Run' ? 'mono' : ''}">${h(v)}</dd>`).join('')}</dl></div>
<div style="text-align:right"><div class="muted" style="margin-bottom:6px">Overall verdict</div>${badge(report.summary.overall, true)}<div class="counts">${counts}</div><div class="muted" style="margin-top:6px">Gate ${h(gate)}</div></div></div>
${report.run.partial ? '<div class="banner"><strong>Partial run.</strong> The run ended before every scenario finished; this report shows what the evidence holds.</div>' : ''}`;
}

function matrix(report: Report): string {
  const families = familiesIn(report.results.map((r) => r.requirements));
  const rows = report.results
    .map((r) => {
      const by = clausesByFamily(r);
      const cells = families
        .map((f) => {
          const cl = by.get(f.id);
          return cl ? `<td class="cell">${badge(r.verdict)}<span class="cl">${h(cl.join(', '))}</span></td>` : '<td class="cell muted">·</td>';
        })
        .join('');
      return `<tr><td><a href="#${anchor(r.scenarioId)}">${h(r.scenarioId)}</a><div class="muted">${h(r.title)}</div></td>${cells}<td class="c">${badge(r.verdict)}</td></tr>`;
    })
    .join('\n');
  return `<h2>Verdict matrix</h2><p class="muted">Scenario × requirement family. A cell lists the clauses the scenario tests; its verdict applies to each.</p>
<table class="matrix"><thead><tr><th>Scenario</th>${families.map((f) => `<th>${h(f.label)}</th>`).join('')}<th>Verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function coverage(report: Report): string {
  const rows = requirementCoverage(report.results);
  if (!rows.length) return '<h2>Requirement coverage</h2><p class="muted">No requirement references.</p>';
  return `<h2>Requirement coverage</h2><p class="muted">Each clause tested in this run, the scenarios that test it and the worst of their verdicts.</p>
<table><thead><tr><th>Framework</th><th>Clause</th><th>Result</th><th>Tested by</th></tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr><td>${h(r.family.label)}</td><td class="mono">${h(r.clause)}</td><td>${badge(r.verdict)}</td><td>${r.scenarios
          .map((s) => `<a href="#${anchor(s.id)}">${h(s.id)}</a> ${badge(s.verdict)}`)
          .join(' &nbsp; ')}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

/** Per-check verdicts, FAIL first (a FAIL is never buried below what errored after it). */
function checksTable(r: ScenarioResult): string {
  const checks = r.checks ?? [];
  if (!checks.length) return '';
  const order = [...VERDICTS].reverse();
  const sorted = checks.map((c, i) => ({ c, i })).sort((x, y) => order.indexOf(x.c.verdict) - order.indexOf(y.c.verdict) || x.i - y.i);
  return `<h4>Checks</h4><table><thead><tr><th>Check</th><th>Interface</th><th>Verdict</th><th>Reason</th></tr></thead><tbody>${sorted
    .map(({ c }) => `<tr><td class="mono">${h(c.name)}</td><td>${h(c.iface ?? '')}</td><td>${badge(c.verdict)}</td><td>${h(c.reason ?? '')}</td></tr>`)
    .join('')}</tbody></table>`;
}

function measurementsTable(r: ScenarioResult): string {
  if (!r.measurements.length) return '';
  return `<h4>Measurements</h4><table><thead><tr><th>Name</th><th>Interface</th><th>Value</th><th>Unit</th><th>Limits</th><th>Within limits</th></tr></thead><tbody>${r.measurements
    .map((m) => {
      const lim = m.limits
        ? [m.limits.min !== undefined ? `≥ ${m.limits.min}` : '', m.limits.max !== undefined ? `≤ ${m.limits.max}` : '', m.limits.equals !== undefined ? `= ${formatValue(m.limits.equals)}` : '', m.limits.oneOf ? `one of ${formatValue(m.limits.oneOf)}` : '']
            .filter(Boolean)
            .join(', ')
        : '—';
      const ok = m.passed === undefined ? '<span class="muted">n/a</span>' : m.passed ? '<span class="ok">yes</span>' : '<span class="bad">no</span>';
      return `<tr><td class="mono">${h(m.name)}</td><td>${h(m.iface ?? '')}</td><td class="mono">${h(formatValue(m.value))}</td><td>${h(m.unit ?? '')}</td><td>${h(lim)}</td><td>${ok}</td></tr>`;
    })
    .join('')}</tbody></table>`;
}

function assertionsTable(r: ScenarioResult): string {
  if (!r.assertions.length) return '';
  return `<h4>Assertions</h4><table><thead><tr><th>Check</th><th>Interface</th><th>Expected</th><th>Actual</th><th>Result</th><th>Evidence</th></tr></thead><tbody>${r.assertions
    .map(
      (a) =>
        `<tr><td>${h(a.name)}</td><td>${h(a.iface ?? '')}</td><td class="mono">${h(formatValue(a.expected))}</td><td class="mono">${h(formatValue(a.actual))}</td><td>${a.passed ? '<span class="ok">held</span>' : '<span class="bad">violated</span>'}</td><td class="mono">${h((a.evidence ?? []).map((s) => `#${s}`).join(' '))}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function excerptHtml(sections: ExcerptSection[]): string {
  if (!sections.length) return '';
  return `<h4>Evidence excerpt</h4>${sections
    .map((s) => {
      const title = `<div class="muted" style="margin-top:8px"><strong>${h(s.channel)}</strong> (${h(s.protocol)})${s.omitted ? ` — ${s.omitted} more records in evidence.jsonl` : ''}</div>`;
      const transcript = s.transcript?.length
        ? `<pre class="transcript">${s.transcript.map((p) => `<span class="${p.dir}">${h(p.text)}</span>`).join('')}</pre>`
        : '';
      const frames = s.entries.length
        ? `<table class="frames"><thead><tr><th>#</th><th>Time (UTC)</th><th>Dir</th><th>Decoded</th><th>Bytes (hex)</th></tr></thead><tbody>${s.entries
            .map((e) => `<tr><td class="mono">${e.seq}</td><td class="mono">${h(e.t.slice(11, 23))}</td><td class="dir-${e.dir}">${e.dir}</td><td class="mono">${h(e.text).replace(/\n/g, '<br>')}</td><td class="hex">${h(e.hex ?? '')}</td></tr>`)
            .join('')}</tbody></table>`
        : '';
      return title + transcript + frames;
    })
    .join('')}`;
}

function scenarioDetail(r: ScenarioResult, records: EvidenceRecord[], decoded: ReturnType<typeof decodeEvidence>): string {
  const per = Object.entries(r.perInterface ?? {});
  const meta = [
    r.requirements.length ? `Requirements: <span class="mono">${h(r.requirements.join(', '))}</span>` : '',
    r.interfaces.length ? `Interfaces: ${h(r.interfaces.join(', '))}` : '',
    `Duration: ${(r.durationMs / 1000).toFixed(2)} s`,
    r.changesState ? 'Changes device state' : '',
    r.evidence ? `Evidence: records #${r.evidence.firstSeq}–#${r.evidence.lastSeq}` : '',
  ].filter(Boolean);
  return `<section class="scenario" id="${anchor(r.scenarioId)}"><header>${badge(r.verdict)}<h3>${h(r.scenarioId)} — ${h(r.title)}</h3></header>
<div class="muted" style="margin-top:4px">${meta.join(' · ')}</div>
${per.length ? `<div style="margin-top:6px">Per interface: ${per.map(([i, v]) => `${h(i)} ${badge(v)}`).join(' &nbsp; ')}</div>` : ''}
<div class="reason">${h(r.reason)}</div>
${checksTable(r)}${measurementsTable(r)}${assertionsTable(r)}${excerptHtml(buildExcerpt(recordsOf(r, records), decoded))}</section>`;
}

export function renderHtmlReport(report: Report, records: EvidenceRecord[]): string {
  const decoded = decodeEvidence(records);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${h(`${report.target.name} — ${report.summary.overall} — HIL security report`)}</title><style>${CSS}</style></head>
<body><main>
${header(report)}
${matrix(report)}
${coverage(report)}
<h2>Timeline</h2><p class="muted">All channels on one time axis; bands are scenarios coloured by verdict. Hover a mark for its record.</p>
${renderTimelineSvg(report, records)}
<h2>Scenarios</h2>
${report.results.map((r) => scenarioDetail(r, records, decoded)).join('\n')}
<footer>Rendered from report.json and evidence.jsonl of run <span class="mono">${h(report.run.id)}</span>. Check integrity with <code>hil verify &lt;run dir&gt;</code>; traffic is in traffic.pcapng.</footer>
</main></body></html>
`;
}
