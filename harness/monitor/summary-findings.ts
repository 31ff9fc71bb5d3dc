/** A MonitorSummary as findings: its measurements, one check per invariant, and its verdict. */
import { Findings, type Judgement } from '../core/finding.js';
import type { MonitorSummary } from './summary.js';

/** `opts.out`: the scenario's sink (`ctx.judge`). */
export function summaryFindings(summary: MonitorSummary, opts: { prefix?: string; iface?: string; passReason?: string; out?: Findings } = {}): Judgement {
  const f = new Findings(opts.out);
  const p = opts.prefix ? `${opts.prefix}.` : '';
  const said = opts.prefix ? `${opts.prefix}: ` : '';
  const iface = opts.iface ? { iface: opts.iface } : {};
  for (const m of summary.measurements) f.measure(`${p}${m.name}`, m.value, { ...(m.unit ? { unit: m.unit } : {}), ...(m.limits ? { limits: m.limits } : {}), ...iface });
  for (const inv of summary.invariants) {
    f.check(`${p}${inv.name}`, {
      expected: 'holds',
      actual: inv.held === undefined ? 'undecided' : inv.reason,
      passed: inv.held === true,
      reason: `${said}${inv.reason}`,
      onFail: inv.held === false ? 'FAIL' : 'INCONCLUSIVE',
      ...iface,
    });
  }
  if (summary.verdict === 'INCONCLUSIVE' && !summary.invariants.some((i) => i.held === undefined)) f.verdict('INCONCLUSIVE', `${said}${summary.reasons.join('; ')}`, opts.iface);
  if (summary.verdict === 'PASS') f.verdict('PASS', opts.passReason ?? `${said}${summary.reasons.join('; ')}`, opts.iface);
  return f;
}
