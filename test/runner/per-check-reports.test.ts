import { describe, expect, test } from 'vitest';
import { ReportSchema, type Report, type ScenarioResult } from '../../harness/core/result-schema.js';
import { countVerdicts, worstVerdict } from '../../harness/core/verdict.js';
import { renderHtmlReport } from '../../reports/html/html-report.js';
import { diffReports, formatDiff } from '../../reports/runs/diff-runs.js';
import { renderJunit } from '../../reports/writers/junit.js';
import { renderMarkdownSummary } from '../../reports/writers/markdown.js';

/** Per-check verdicts reach every report: report.json, JUnit (a testcase per check), summary.md, HTML and hil diff. */
const FAIL_REASON = 'out-of-range FC16 write of 9999 stored on modbus-tcp';
const ERROR_REASON = 'MQTT CONNACK 5 for scada';

function result(id: string, checks: ScenarioResult['checks'], verdict: ScenarioResult['verdict'], reason: string): ScenarioResult {
  return {
    scenarioId: id,
    title: `${id} title`,
    verdict,
    requirements: ['CPSF:L2.012'],
    measurements: [{ name: 'unexpectedOpenTcpPortCount', value: 0, limits: { equals: 0 }, passed: true }],
    assertions: [],
    reason,
    durationMs: 1200,
    startedAt: '2026-12-01T00:00:00.000Z',
    interfaces: ['modbus-tcp', 'mqtt'],
    changesState: false,
    ...(checks ? { checks } : {}),
  };
}

function report(results: ScenarioResult[], firmware = '1.0'): Report {
  const verdicts = results.map((r) => r.verdict);
  return ReportSchema.parse({
    schemaVersion: 1,
    run: { id: `run-${firmware}`, startedAt: '2026-12-01T00:00:00.000Z', harnessVersion: '0.1.0', libraries: {}, host: { node: 'v20', platform: 'linux', hostname: 'bench' } },
    target: { name: 'gw', identity: { vendor: 'V', model: 'M', firmware }, profileDigest: 'a'.repeat(64) },
    results,
    summary: { ...countVerdicts(verdicts), total: verdicts.length, overall: worstVerdict(verdicts) },
    evidence: { file: 'evidence.jsonl', records: 0, lastHash: 'b'.repeat(64) },
  });
}

const rangeB = result(
  'range-check',
  [
    { name: 'control: in-range write', verdict: 'PASS', iface: 'modbus-tcp' },
    { name: 'outOfRangeRefused[modbus-tcp]', verdict: 'FAIL', iface: 'modbus-tcp', reason: FAIL_REASON },
    { name: 'exception', verdict: 'ERROR', iface: 'mqtt', reason: ERROR_REASON },
  ],
  'FAIL',
  `[modbus-tcp] ${FAIL_REASON}; ERROR: [mqtt] ${ERROR_REASON}`,
);
const rangeA = result(
  'range-check',
  [
    { name: 'control: in-range write', verdict: 'PASS', iface: 'modbus-tcp' },
    { name: 'outOfRangeRefused[modbus-tcp]', verdict: 'PASS', iface: 'modbus-tcp' },
    { name: 'outcome', verdict: 'FAIL', iface: 'mqtt', reason: 'out-of-range MQTT command applied' },
  ],
  'FAIL',
  '[mqtt] out-of-range MQTT command applied',
);
const old = result('port-closure', undefined, 'PASS', 'only declared ports open');

describe('per-check verdicts in the reports', () => {
  test('report.json carries checks[]; reports written before them still parse', () => {
    const r = report([rangeB, old]);
    expect(r.results[0]!.checks).toHaveLength(3);
    expect(r.results[1]!.checks).toBeUndefined();
    expect(r.summary.overall).toBe('FAIL');
  });

  test('JUnit: one testcase per check with its own outcome; a scenario without checks stays one testcase', () => {
    const xml = renderJunit(report([rangeB, old]));
    const cases = [...xml.matchAll(/<testcase [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/testcase>/g)].map((m) => ({ name: m[1], body: m[2]! }));
    expect(cases.map((c) => c.name)).toEqual([
      'range-check › control: in-range write [modbus-tcp]',
      'range-check › outOfRangeRefused[modbus-tcp]',
      'range-check › exception [mqtt]',
      'port-closure',
    ]);
    expect(cases[0]!.body).not.toMatch(/<failure|<error|<skipped/);
    expect(cases[1]!.body).toMatch(/<failure message="FAIL: out-of-range FC16 write/);
    expect(cases[2]!.body).toMatch(/<error message="ERROR: MQTT CONNACK 5/);
    expect(cases[1]!.body).toContain('<property name="scenario.verdict" value="FAIL"/>');
    expect(xml).toMatch(/<testsuites name="hil" tests="4" failures="1" errors="1" skipped="0"/);
  });

  test('summary.md lists the checks that did not pass, FAIL before ERROR', () => {
    const md = renderMarkdownSummary(report([rangeB, old]));
    expect(md).toContain('Checks: 3 (1 PASS), not passed:');
    const fail = md.indexOf(`| ❌ FAIL | range-check | outOfRangeRefused[modbus-tcp] | modbus-tcp | ${FAIL_REASON} |`);
    const err = md.indexOf(`| 🛑 ERROR | range-check | exception | mqtt | ${ERROR_REASON} |`);
    expect(fail).toBeGreaterThan(0);
    expect(err).toBeGreaterThan(fail);
  });

  test('HTML: a Checks table per scenario, FAIL rows first; the gate names a FAIL as failed', () => {
    const html = renderHtmlReport(report([rangeB, old]), []);
    expect(html).toContain('<h4>Checks</h4>');
    const section = html.slice(html.indexOf('<h4>Checks</h4>'));
    expect(section.indexOf('outOfRangeRefused[modbus-tcp]')).toBeLessThan(section.indexOf('exception'));
    expect(section.indexOf('exception')).toBeLessThan(section.indexOf('control: in-range write'));
    expect(html).toContain('Gate failed: FAIL present');
    expect(html).not.toContain('<span class="bad">no</span>');
  });

  test('hil diff shows per-check verdict flips: PASS → FAIL is a regression, FAIL → ERROR is no improvement', () => {
    const d = diffReports(report([rangeA], '1.0'), report([rangeB], '2.0'));
    const changes = d.scenarios[0]!.changes.filter((c) => c.kind === 'check-verdict');
    expect(changes.map((c) => c.message)).toEqual([`check outOfRangeRefused[modbus-tcp] [modbus-tcp]: PASS → FAIL: ${FAIL_REASON}`]);
    expect(changes[0]!.regression).toBe(true);
    expect(formatDiff(d)).toContain('✗ check outOfRangeRefused[modbus-tcp] [modbus-tcp]: PASS → FAIL');
    const flip = diffReports(
      report([result('x', [{ name: 'c', verdict: 'FAIL', reason: 'r' }], 'FAIL', 'r')]),
      report([result('x', [{ name: 'c', verdict: 'ERROR', reason: 'e' }], 'ERROR', 'e')], '2.0'),
    );
    for (const c of flip.scenarios[0]!.changes) expect([c.kind, c.improvement]).toEqual([c.kind, false]);
    expect(flip.scenarios[0]!.changes.map((c) => c.kind)).toEqual(['verdict', 'check-verdict']);
  });
});
