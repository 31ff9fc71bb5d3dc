import type { Assertion, Report, ScenarioResult } from '../../harness/core/result-schema.js';
import type { Measurement } from '../../harness/core/measurement.js';
import { VERDICTS, type Verdict } from '../../harness/core/verdict.js';
import { formatValue } from '../html/escape.js';

/**
 * Semantic diff of two runs of the same target (firmware N vs N+1): verdict flips, new or closed
 * ports, drift of measured values such as lockout threshold and duration, and changed reactions
 * (assertions per interface). A change is a regression when the device got worse.
 */
export type ChangeKind = 'verdict' | 'interface-verdict' | 'check-verdict' | 'added' | 'removed' | 'ports' | 'measurement' | 'assertion';

export interface DiffChange {
  kind: ChangeKind;
  regression: boolean;
  improvement: boolean;
  message: string;
}

export interface ScenarioDiff {
  scenarioId: string;
  verdictA?: Verdict;
  verdictB?: Verdict;
  changes: DiffChange[];
}

export interface RunDiff {
  a: { runId: string; target: string; firmware: string };
  b: { runId: string; target: string; firmware: string };
  warnings: string[];
  scenarios: ScenarioDiff[];
  regressions: number;
  improvements: number;
}

/** Relative change above which a numeric measurement is reported as drift even within its limits. */
export const DRIFT_THRESHOLD = 0.1;

const rank = (v: Verdict): number => VERDICTS.indexOf(v);
const acceptable = (v: Verdict): boolean => v === 'PASS' || v === 'NOT_APPLICABLE';

/**
 * Worse is a regression (PASS → ERROR too: coverage lost). Better is an improvement, except that a
 * FAIL turning into something undecided (ERROR, INCONCLUSIVE, NOT_RUN) shows nothing got better.
 */
function verdictChange(a: Verdict, b: Verdict): { regression: boolean; improvement: boolean } {
  return { regression: !acceptable(b) && rank(b) > rank(a), improvement: !acceptable(a) && rank(b) < rank(a) && (a !== 'FAIL' || acceptable(b)) };
}

/** Per-check verdicts by name and interface; a check recorded twice keeps its worst (FAIL first). */
function checkVerdicts(r: ScenarioResult): Map<string, { name: string; iface?: string; verdict: Verdict; reason?: string }> {
  const out = new Map<string, { name: string; iface?: string; verdict: Verdict; reason?: string }>();
  for (const c of r.checks ?? []) {
    const cur = out.get(keyOf(c));
    if (!cur || rank(c.verdict) > rank(cur.verdict)) out.set(keyOf(c), c);
  }
  return out;
}

function checkChanges(a: ScenarioResult, b: ScenarioResult): DiffChange[] {
  if (!a.checks || !b.checks) return [];
  const ca = checkVerdicts(a);
  const out: DiffChange[] = [];
  for (const [k, cb] of checkVerdicts(b)) {
    const c0 = ca.get(k);
    const why = cb.reason && cb.verdict !== 'PASS' ? `: ${cb.reason}` : '';
    if (c0 && c0.verdict !== cb.verdict) out.push({ kind: 'check-verdict', ...verdictChange(c0.verdict, cb.verdict), message: `check ${label(cb)}: ${c0.verdict} → ${cb.verdict}${why}` });
    else if (!c0 && cb.verdict === 'FAIL') out.push({ kind: 'check-verdict', regression: true, improvement: false, message: `check ${label(cb)}: new, FAIL${why}` });
  }
  return out;
}

const keyOf = (x: { name: string; iface?: string }) => `${x.name}@${x.iface ?? ''}`;
const label = (x: { name: string; iface?: string }) => `${x.name}${x.iface ? ` [${x.iface}]` : ''}`;
const isPortMeasurement = (m: Measurement) => Array.isArray(m.value) && /port/i.test(m.name);

function measurementChanges(a: Measurement, b: Measurement): DiffChange[] {
  const unit = b.unit ?? a.unit ?? '';
  const u = unit ? ` ${unit}` : '';
  const limitsBroken = a.passed !== false && b.passed === false;
  const limitsRestored = a.passed === false && b.passed === true;
  if (Array.isArray(a.value) && Array.isArray(b.value)) {
    const va = a.value as (string | number)[];
    const vb = b.value as (string | number)[];
    const added = vb.filter((x) => !va.includes(x));
    const gone = va.filter((x) => !vb.includes(x));
    if (!added.length && !gone.length) return [];
    if (isPortMeasurement(b)) {
      const out: DiffChange[] = [];
      if (added.length) out.push({ kind: 'ports', regression: true, improvement: false, message: `${label(b)}: newly open ${added.join(', ')}` });
      if (gone.length) out.push({ kind: 'ports', regression: false, improvement: true, message: `${label(b)}: closed ${gone.join(', ')}` });
      return out;
    }
    return [{ kind: 'measurement', regression: limitsBroken, improvement: limitsRestored, message: `${label(b)}: added ${formatValue(added)}, removed ${formatValue(gone)}` }];
  }
  if (typeof a.value === 'number' && typeof b.value === 'number') {
    if (a.value === b.value) return [];
    const delta = b.value - a.value;
    const rel = a.value !== 0 ? delta / Math.abs(a.value) : Infinity;
    const drift = Math.abs(rel) >= DRIFT_THRESHOLD;
    if (!drift && !limitsBroken && !limitsRestored) return [];
    const pct = Number.isFinite(rel) ? ` (${rel >= 0 ? '+' : ''}${(rel * 100).toFixed(1)}%)` : '';
    const lim = limitsBroken ? ', now outside its limits' : limitsRestored ? ', back within its limits' : '';
    return [{ kind: 'measurement', regression: limitsBroken, improvement: limitsRestored, message: `${label(b)} drifted ${a.value}${u} → ${b.value}${u}${pct}${lim}` }];
  }
  if (JSON.stringify(a.value) === JSON.stringify(b.value)) return [];
  const lim = limitsBroken ? ', now outside its limits' : limitsRestored ? ', back within its limits' : '';
  const withUnit = (v: Measurement['value']) => `${formatValue(v)}${v === null ? '' : u}`;
  return [{ kind: 'measurement', regression: limitsBroken, improvement: limitsRestored, message: `${label(b)}: ${withUnit(a.value)} → ${withUnit(b.value)}${lim}` }];
}

function assertionChange(a: Assertion, b: Assertion): DiffChange[] {
  const sameActual = JSON.stringify(a.actual) === JSON.stringify(b.actual);
  if (a.passed === b.passed && sameActual) return [];
  const what = `${label(b)}: expected ${formatValue(b.expected, 80)}, actual ${formatValue(a.actual, 80)} → ${formatValue(b.actual, 80)}`;
  if (a.passed && !b.passed) return [{ kind: 'assertion', regression: true, improvement: false, message: `reaction changed, now violated — ${what}` }];
  if (!a.passed && b.passed) return [{ kind: 'assertion', regression: false, improvement: true, message: `reaction changed, now held — ${what}` }];
  return [{ kind: 'assertion', regression: false, improvement: false, message: `reaction changed — ${what}` }];
}

function diffScenario(a: ScenarioResult | undefined, b: ScenarioResult | undefined): ScenarioDiff {
  const id = (b ?? a)!.scenarioId;
  const out: ScenarioDiff = { scenarioId: id, ...(a ? { verdictA: a.verdict } : {}), ...(b ? { verdictB: b.verdict } : {}), changes: [] };
  if (!a && b) {
    const bad = !acceptable(b.verdict) && b.verdict !== 'NOT_RUN';
    out.changes.push({ kind: 'added', regression: bad, improvement: false, message: `new scenario, verdict ${b.verdict}${bad ? `: ${b.reason}` : ''}` });
    return out;
  }
  if (a && !b) {
    out.changes.push({ kind: 'removed', regression: false, improvement: false, message: `not in run B (was ${a.verdict}): coverage lost` });
    return out;
  }
  if (!a || !b) return out;
  if (a.verdict !== b.verdict) out.changes.push({ kind: 'verdict', ...verdictChange(a.verdict, b.verdict), message: `verdict ${a.verdict} → ${b.verdict}: ${b.reason}` });
  for (const [iface, vb] of Object.entries(b.perInterface ?? {})) {
    const va = a.perInterface?.[iface];
    if (va && va !== vb) out.changes.push({ kind: 'interface-verdict', ...verdictChange(va, vb), message: `${iface}: ${va} → ${vb}` });
  }
  out.changes.push(...checkChanges(a, b));
  const ma = new Map(a.measurements.map((m) => [keyOf(m), m]));
  for (const mb of b.measurements) {
    const m0 = ma.get(keyOf(mb));
    if (m0) out.changes.push(...measurementChanges(m0, mb));
    else out.changes.push({ kind: 'measurement', regression: mb.passed === false, improvement: false, message: `${label(mb)}: new measurement ${formatValue(mb.value)}${mb.unit ? ` ${mb.unit}` : ''}` });
  }
  const aa = new Map(a.assertions.map((x) => [keyOf(x), x]));
  for (const xb of b.assertions) {
    const x0 = aa.get(keyOf(xb));
    if (x0) out.changes.push(...assertionChange(x0, xb));
    else if (!xb.passed) out.changes.push({ kind: 'assertion', regression: true, improvement: false, message: `${label(xb)}: new check violated (expected ${formatValue(xb.expected, 80)}, actual ${formatValue(xb.actual, 80)})` });
  }
  return out;
}

export function diffReports(a: Report, b: Report): RunDiff {
  const warnings: string[] = [];
  if (a.target.name !== b.target.name) warnings.push(`targets differ: ${a.target.name} vs ${b.target.name}`);
  const ia = a.target.identity;
  const ib = b.target.identity;
  if (ia.vendor !== ib.vendor || ia.model !== ib.model) warnings.push(`device models differ: ${ia.vendor} ${ia.model} vs ${ib.vendor} ${ib.model}`);
  if (a.target.profileDigest !== b.target.profileDigest) warnings.push('target profiles differ (digest): declared policy may have changed');
  if (b.run.partial) warnings.push('run B is partial');
  const resA = new Map(a.results.map((r) => [r.scenarioId, r]));
  const resB = new Map(b.results.map((r) => [r.scenarioId, r]));
  const ids = [...new Set([...resA.keys(), ...resB.keys()])];
  const scenarios = ids.map((id) => diffScenario(resA.get(id), resB.get(id))).filter((s) => s.changes.length > 0);
  const all = scenarios.flatMap((s) => s.changes);
  return {
    a: { runId: a.run.id, target: a.target.name, firmware: ia.firmware },
    b: { runId: b.run.id, target: b.target.name, firmware: ib.firmware },
    warnings,
    scenarios,
    regressions: all.filter((c) => c.regression).length,
    improvements: all.filter((c) => c.improvement).length,
  };
}

export function formatDiff(d: RunDiff): string {
  const lines = [`hil diff: ${d.a.target} firmware ${d.a.firmware} (${d.a.runId}) → ${d.b.target} firmware ${d.b.firmware} (${d.b.runId})`];
  for (const w of d.warnings) lines.push(`warning: ${w}`);
  if (!d.scenarios.length) lines.push('no changes');
  for (const s of d.scenarios) {
    const reg = s.changes.some((c) => c.regression);
    const imp = s.changes.some((c) => c.improvement);
    const tag = reg ? 'REGRESSION' : imp ? 'IMPROVED  ' : 'CHANGED   ';
    lines.push(`${tag} ${s.scenarioId}: ${s.verdictA ?? '—'} → ${s.verdictB ?? '—'}`);
    for (const c of s.changes) lines.push(`    ${c.regression ? '✗' : c.improvement ? '✓' : '·'} ${c.message}`);
  }
  lines.push(`${d.regressions} regression(s), ${d.improvements} improvement(s) in ${d.scenarios.length} changed scenario(s)`);
  return lines.join('\n');
}
