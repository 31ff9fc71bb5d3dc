import type { CheckResult, Report, ScenarioResult } from '../../harness/core/result-schema.js';
import type { Verdict } from '../../harness/core/verdict.js';
import { escapeXml, formatValue } from '../html/escape.js';
import { RUN_FILES } from '../runs/run-files.js';
import type { ReportWriter } from './report-writer.js';

/**
 * junit.xml: one <testcase> per check of each scenario (per interface where the check has one;
 * a scenario without per-check verdicts, skipped or from an older report, is one testcase), in the common JUnit dialect that Jenkins,
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

/** What CI reads of one testcase: its name, verdict, message and properties. */
interface Case {
  name: string;
  verdict: Verdict;
  message: string;
  props: string[];
}

function outcomeOf(c: Case, body: string): string {
  const message = escapeXml(c.message);
  if (c.verdict === 'FAIL' || c.verdict === 'INCONCLUSIVE') return `<failure message="${message}" type="${c.verdict}">${body}</failure>`;
  if (c.verdict === 'ERROR') return `<error message="${message}" type="ERROR">${body}</error>`;
  if (c.verdict === 'NOT_APPLICABLE' || c.verdict === 'NOT_RUN') return `<skipped message="${message}"/>`;
  return '';
}

function scenarioProps(r: ScenarioResult): string[] {
  return [
    prop('title', r.title),
    ...r.requirements.map((q) => prop('requirement', q)),
    ...(r.interfaces.length ? [prop('interfaces', r.interfaces.join(','))] : []),
    ...(r.evidence ? [prop('evidence', `evidence.jsonl#seq=${r.evidence.firstSeq}-${r.evidence.lastSeq}`)] : []),
    ...Object.entries(r.perInterface ?? {}).map(([i, v]) => prop(`verdict.${i}`, v)),
  ];
}

/** The testcases of one scenario: one per check when it has per-check verdicts, else the scenario itself. */
function casesOf(r: ScenarioResult): Case[] {
  const checks: CheckResult[] = r.checks ?? [];
  const whole: Case = { name: r.scenarioId, verdict: r.verdict, message: `${r.verdict}: ${r.reason}`, props: [prop('verdict', r.verdict), ...scenarioProps(r)] };
  // A verdict no check carries (e.g. "recorded no decision") still needs a testcase of its own.
  const extra = checks.some((c) => c.verdict === r.verdict) ? [] : [whole];
  const seen = new Map<string, number>();
  return [...extra, ...checks.map((c) => {
    const base = `${r.scenarioId} › ${c.name}${c.iface && !c.name.includes(`[${c.iface}]`) ? ` [${c.iface}]` : ''}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return {
      name: n > 1 ? `${base} #${n}` : base,
      verdict: c.verdict,
      message: `${c.verdict}: ${c.reason ?? 'check held'}`,
      props: [prop('verdict', c.verdict), prop('scenario', r.scenarioId), prop('scenario.verdict', r.verdict), ...(c.iface ? [prop('interface', c.iface)] : []), ...scenarioProps(r)],
    };
  })];
}

function testcase(report: Report, r: ScenarioResult, c: Case, time: number): string {
  const body = escapeXml(detail(r));
  const outcome = outcomeOf(c, body);
  return [
    `    <testcase${attr('classname', `hil.${report.target.name}`)}${attr('name', c.name)}${attr('time', seconds(time))}${attr('timestamp', r.startedAt)}>`,
    `      <properties>${c.props.join('')}</properties>`,
    ...(outcome ? [`      ${outcome}`] : []),
    `      <system-out>${body}</system-out>`,
    `    </testcase>`,
  ].join('\n');
}

export function renderJunit(report: Report): string {
  const rs = report.results;
  // A scenario's duration goes to its first testcase, so the suite's time still adds up.
  const all = rs.flatMap((r) => casesOf(r).map((c, i) => ({ r, c, time: i === 0 ? r.durationMs : 0 })));
  const failures = all.filter(({ c }) => c.verdict === 'FAIL' || c.verdict === 'INCONCLUSIVE').length;
  const errors = all.filter(({ c }) => c.verdict === 'ERROR').length;
  const skipped = all.filter(({ c }) => c.verdict === 'NOT_APPLICABLE' || c.verdict === 'NOT_RUN').length;
  const time = seconds(rs.reduce((s, r) => s + r.durationMs, 0));
  const counts = `${attr('tests', all.length)}${attr('failures', failures)}${attr('errors', errors)}${attr('skipped', skipped)}${attr('time', time)}`;
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
    ...all.map(({ r, c, time: t }) => testcase(report, r, c, t)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export const junitWriter: ReportWriter = { file: RUN_FILES.junit, render: (run) => renderJunit(run.report) };
