/** Puts a MonitorSummary into a scenario's result: measurements, one assertion per invariant, and its verdict. */
import type { ScenarioContext } from '../runner/scenario-context.js';
import type { MonitorSummary } from './summary.js';

export function recordSummary(ctx: ScenarioContext, summary: MonitorSummary, opts: { prefix?: string; iface?: string; passReason?: string } = {}): void {
  const p = opts.prefix ? `${opts.prefix}.` : '';
  for (const m of summary.measurements) ctx.measure(`${p}${m.name}`, m.value, { ...(m.unit ? { unit: m.unit } : {}), ...(m.limits ? { limits: m.limits } : {}), ...(opts.iface ? { iface: opts.iface } : {}) });
  for (const inv of summary.invariants) {
    ctx.check(`${p}${inv.name}`, {
      expected: 'holds',
      actual: inv.held === undefined ? 'undecided' : inv.reason,
      passed: inv.held === true,
      reason: `${opts.prefix ? `${opts.prefix}: ` : ''}${inv.reason}`,
      onFail: inv.held === false ? 'FAIL' : 'INCONCLUSIVE',
      ...(opts.iface ? { iface: opts.iface } : {}),
    });
  }
  if (summary.verdict === 'INCONCLUSIVE' && !summary.invariants.some((i) => i.held === undefined)) ctx.inconclusive(`${opts.prefix ? `${opts.prefix}: ` : ''}${summary.reasons.join('; ')}`, opts.iface);
  if (summary.verdict === 'PASS') ctx.pass(opts.passReason ?? `${opts.prefix ? `${opts.prefix}: ` : ''}${summary.reasons.join('; ')}`, opts.iface);
}
