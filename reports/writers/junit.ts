import type { Report, ScenarioResult } from '../../harness/core/result-schema.js';
import { escapeXml, formatValue } from '../html/escape.js';
import { RUN_FILES } from '../runs/run-files.js';
import type { ReportWriter } from './report-writer.js';

/**
 * junit.xml: one <testcase> per scenario of the target, in the common JUnit dialect that Jenkins,
 * GitLab, GitHub Actions reporters and Surefire readers accept (testsuites > testsuite > properties,
 * testcase > properties, failure | error | skipped, system-out). Verdict mapping: FAIL and
 * INCONCLUSIVE are failures (both make `hil run` exit 1), ERROR is an error, NOT_APPLICABLE and
 * NOT_RUN are skipped. Provenance goes into the suite's properties (labgrid-style).
 */
const attr = (name: string, value: string | number): string => ` ${name}="${escapeXml(String(value))}"`;
const prop = (name: string, value: string | number): string => `<property${attr('name', name)}${attr('value', value)}/>`;
const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function detail(r: ScenarioResult): string {
  const lines = [`verdict: ${r.verdict}`, `reason: ${r.reason}`];
  for (const a of r.assertions) lines.push(`assertion ${a.passed ? 'ok  ' : 'FAIL'} ${a.name}${a.iface ? ` [${a.iface}]` : ''}: expected ${formatValue(a.expected)}, actual ${formatValue(a.actual)}`);
  for (const m of r.measurements) {
    const lim = m.limits ? ` limits ${formatValue(m.limits)}` : '';
    const ok = m.passed === undefined ? '' : m.passed ? ' ok' : ' OUT OF LIMITS';
    lines.push(`measurement ${m.name}${m.iface ? ` [${m.iface}]` : ''} = ${formatValue(m.value)}${m.unit ? ` ${m.unit}` : ''}${lim}${ok}`);
  }
  if (r.evidence) lines.push(`evidence: evidence.jsonl seq ${r.evidence.firstSeq}..${r.evidence.lastSeq} (see report.html#${r.scenarioId})`);
  return lines.join('\n');
}

function testcase(report: Report, r: ScenarioResult): string {
  const props = [
    prop('verdict', r.verdict),
    prop('title', r.title),
    ...r.requirements.map((q) => prop('requirement', q)),
    ...(r.interfaces.length ? [prop('interfaces', r.interfaces.join(','))] : []),
    ...(r.evidence ? [prop('evidence', `evidence.jsonl#seq=${r.evidence.firstSeq}-${r.evidence.lastSeq}`)] : []),
    ...Object.entries(r.perInterface ?? {}).map(([i, v]) => prop(`verdict.${i}`, v)),
  ];
  const body = escapeXml(detail(r));
  const message = escapeXml(`${r.verdict}: ${r.reason}`);
  let outcome = '';
  if (r.verdict === 'FAIL' || r.verdict === 'INCONCLUSIVE') outcome = `<failure message="${message}" type="${r.verdict}">${body}</failure>`;
  else if (r.verdict === 'ERROR') outcome = `<error message="${message}" type="ERROR">${body}</error>`;
  else if (r.verdict === 'NOT_APPLICABLE' || r.verdict === 'NOT_RUN') outcome = `<skipped message="${message}"/>`;
  return [
    `    <testcase${attr('classname', `hil.${report.target.name}`)}${attr('name', r.scenarioId)}${attr('time', seconds(r.durationMs))}${attr('timestamp', r.startedAt)}>`,
    `      <properties>${props.join('')}</properties>`,
    ...(outcome ? [`      ${outcome}`] : []),
    `      <system-out>${body}</system-out>`,
    `    </testcase>`,
  ].join('\n');
}

export function renderJunit(report: Report): string {
  const rs = report.results;
  const failures = rs.filter((r) => r.verdict === 'FAIL' || r.verdict === 'INCONCLUSIVE').length;
  const errors = rs.filter((r) => r.verdict === 'ERROR').length;
  const skipped = rs.filter((r) => r.verdict === 'NOT_APPLICABLE' || r.verdict === 'NOT_RUN').length;
  const time = seconds(rs.reduce((s, r) => s + r.durationMs, 0));
  const counts = `${attr('tests', rs.length)}${attr('failures', failures)}${attr('errors', errors)}${attr('skipped', skipped)}${attr('time', time)}`;
  const id = report.target.identity;
  const suiteProps = [
    prop('run.id', report.run.id),
    prop('run.startedAt', report.run.startedAt),
    ...(report.run.finishedAt ? [prop('run.finishedAt', report.run.finishedAt)] : []),
    ...(report.run.shard ? [prop('run.shard', report.run.shard)] : []),
    ...(report.run.partial ? [prop('run.partial', 'true')] : []),
    prop('harness.version', report.run.harnessVersion),
    ...Object.entries(report.run.libraries).map(([k, v]) => prop(`library.${k}`, v)),
    prop('target.name', report.target.name),
    prop('target.vendor', id.vendor),
    prop('target.model', id.model),
    prop('target.firmware', id.firmware),
    ...(id.serial ? [prop('target.serial', id.serial)] : []),
    prop('target.profileDigest', report.target.profileDigest),
    prop('overall', report.summary.overall),
    prop('evidence.lastHash', report.evidence.lastHash),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attr('name', 'hil')}${counts}>`,
    `  <testsuite${attr('name', `hil.${report.target.name}`)}${counts}${attr('timestamp', report.run.startedAt)}${attr('hostname', report.run.host.hostname)}>`,
    `    <properties>${suiteProps.join('')}</properties>`,
    ...rs.map((r) => testcase(report, r)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export const junitWriter: ReportWriter = { file: RUN_FILES.junit, render: (run) => renderJunit(run.report) };
