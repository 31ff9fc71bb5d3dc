/**
 * The out-of-range procedure for ONE declared point on ONE interface (CPSF L2.021, measures §6.3):
 * read the original value → positive control (an in-range write takes effect: read-back and field
 * monitor) → for each probe (max+1, min-1, wrong type; Modbus: FC06 and FC16) re-arm the control
 * value, send the bad value, look at the monitor at once, read back, classify by effect → alerts for
 * the rejected writes → restore the original value and verify it. Verdicts go to the scenario
 * context per interface; a failed control stops this point with INCONCLUSIVE, never PASS.
 */
import type { FieldMonitor } from '../protocols/monitor/monitor-channel.js';
import type { MonitorChannel, Point, Reaction } from '../profile/target-schema.js';
import type { ScenarioContext } from '../runner/scenario-context.js';
import type { AlertWatch } from '../protocols/mqtt/alert-watch.js';
import { watchMonitorPoint } from '../protocols/monitor/field-watch.js';
import { methodLabel, type PointAccess, type PointRef, type WriteMethod, type WriteOutcome } from '../protocols/capabilities/point-access.js';
import { pickWriteValues } from './probe-values.js';
import { classifyRangeProbe, judgeReaction, type ObservedReaction } from './range-reaction.js';

/** One bad value to send. */
export interface RangeProbe {
  id: 'max+1' | 'min-1' | 'wrong-type';
  value: number | string;
}

/** The wrong-type value: text where a number belongs. */
export const WRONG_TYPE_VALUE = 'hot';

/** max+1 and min-1 one engineering unit beyond the declared limits, then a wrong-type value. */
export function rangeProbes(spec: Point): RangeProbe[] {
  const out: RangeProbe[] = [];
  if (spec.max !== undefined) out.push({ id: 'max+1', value: spec.max + 1 });
  if (spec.min !== undefined) out.push({ id: 'min-1', value: spec.min - 1 });
  out.push({ id: 'wrong-type', value: WRONG_TYPE_VALUE });
  return out;
}

export interface PointProbeDeps {
  ctx: ScenarioContext;
  access: PointAccess;
  point: PointRef;
  declared: Reaction;
  monitor?: { fm: FieldMonitor; cfg: MonitorChannel };
  /** Declared safe-state outputs (monitor point → safe value): a monitor showing one is not the write's effect. */
  safeOutputs: { point: string; safeValue: number; tolerance: number }[];
  /** Declared master watchdog: the monitor is only trusted within it after a write. */
  watchdogMs?: number;
  alerts?: AlertWatch;
  /** A fresh access for teardown when the scenario's own channels are gone (budget exhausted). */
  reopen: () => Promise<PointAccess>;
}

/** Tally of one point × interface, for the interface's PASS summary. */
export interface PointProbeSummary {
  probes: number;
  observed: Partial<Record<ObservedReaction, number>>;
}

const fmt = (v: unknown, unit?: string) => (typeof v === 'number' ? `${Number(v.toPrecision(10))}${unit ? ` ${unit}` : ''}` : JSON.stringify(v));

export async function probePointOnPath(d: PointProbeDeps): Promise<PointProbeSummary> {
  const { ctx, access, point } = d;
  const path = access.path;
  const spec = point.spec;
  const unit = spec.unit;
  const key = `${point.name}.${path}`;
  const eps = access.resolution(point) / 2;
  const near = (a: unknown, b: number) => typeof a === 'number' && Math.abs(a - b) <= eps;
  const methods = access.methods(point);
  const summary: PointProbeSummary = { probes: 0, observed: {} };

  // 1. Original value: nothing is written unless it can be put back.
  const orig = await access.read(point);
  ctx.control(`${key} original value readable`, {
    passed: orig.ok && typeof orig.value === 'number',
    actual: orig.ok ? orig.text : orig.error,
    iface: path,
    reason: `${point.name}: cannot read the current value back (${orig.ok ? 'not a number' : orig.error}); nothing was written, since it could not be restored`,
  });
  const original = (orig as { value: number }).value;
  ctx.measure(`${key}.original`, original, { unit, iface: path });

  let restored = false;
  const restore = async (a: PointAccess) => {
    const w = await a.write(point, original, methods[0]);
    const rb = await a.read(point);
    restored = true;
    const ok = !w.failure && w.replyRejected !== true && rb.ok && near(rb.value, original);
    ctx.measure(`${key}.restored`, ok, { iface: path, limits: { equals: true } });
    if (!ok) ctx.record('ERROR', `${point.name}: could not restore the original ${fmt(original, unit)} (${w.failure ?? w.reply}; read back ${rb.ok ? fmt(rb.value, unit) : rb.error}); the device is left changed`, path);
  };
  // Teardown safety net: runs only when the inline restore below did not (exception, budget exhausted).
  ctx.defer(`restore ${point.name} on ${path}`, async () => {
    if (restored) return;
    try {
      await restore(access);
    } catch {
      const fresh = await d.reopen();
      try {
        await restore(fresh);
      } finally {
        await fresh.close();
      }
    }
  });

  try {
    const picks = pickWriteValues(spec, { current: original, avoid: safeValuesFor(d), tolerance: Math.max(eps * 2, 1e-6) });
    ctx.control(`${key} in-range control values exist`, {
      passed: !!picks,
      actual: picks ?? null,
      iface: path,
      reason: `${point.name}: no two in-range control values distinct from the current ${fmt(original, unit)} (range ${spec.min}..${spec.max})`,
    });
    const controls = methods.length > 1 ? [picks!.adminValue, picks!.userValue] : [picks!.adminValue];

    // 2. Positive controls: each write method once, with a value the read-back and monitor must show.
    let settleMs = 50;
    for (const [i, value] of controls.entries()) {
      const method: WriteMethod = i === 0 ? methods[0]! : methods[1] === 'fc16-array' ? 'fc16' : methods[1]!;
      const t0 = Date.now();
      const w = await access.write(point, value, method);
      const mon = await observeMonitor(d, (v) => near(v, value), monitorWindow(d, 1000));
      const rb = await access.read(point);
      if (mon?.hit !== undefined) settleMs = Math.max(settleMs, Math.min(2 * (Date.now() - t0), monitorWindow(d, 1000)));
      const passed = !w.failure && w.replyRejected !== true && rb.ok && near(rb.value, value) && (!mon || mon.hit !== undefined);
      ctx.measure(`${key}.control.${method}`, passed ? 'took effect' : 'did not take effect', { iface: path });
      ctx.control(`${key} ${methodLabel(path, method)} of in-range ${fmt(value, unit)} takes effect`, {
        passed,
        actual: { sent: w.sent, reply: w.failure ?? w.reply, readBack: rb.ok ? rb.value : rb.error, monitor: mon ? mon.values.at(-1) ?? 'no reading' : 'not monitored' },
        iface: path,
        reason: `${point.name}: positive control failed, ${methodLabel(path, method)} of in-range ${fmt(value, unit)} did not take effect (reply ${w.failure ?? w.reply}; read back ${rb.ok ? fmt(rb.value, unit) : rb.error}${mon ? `; monitor ${mon.values.length ? fmt(mon.values.at(-1), unit) : 'no reading'}` : ''}); out-of-range probes would prove nothing`,
      });
    }
    const armValue = controls.at(-1)!;

    // 3. Probes.
    const alertMark = d.alerts?.mark();
    let rejectedOutOfRange = 0;
    for (const probe of rangeProbes(spec)) {
      if (probe.id === 'wrong-type') {
        const why = access.wrongTypeUnsupported();
        if (why) {
          ctx.measure(`${key}.wrong-type`, `not applicable: ${why}`, { iface: path });
          continue;
        }
      }
      for (const method of probe.id === 'wrong-type' ? [methods[0]!] : methods) {
        const observed = await runProbe(d, { probe, method, armValue, settleMs, eps, key });
        summary.probes += 1;
        summary.observed[observed] = (summary.observed[observed] ?? 0) + 1;
        if (probe.id !== 'wrong-type' && observed === 'rejected') rejectedOutOfRange += 1;
      }
    }

    // 4. Alerts: a rejected command is an anomaly the device should report (M0818: "... while also logging or alerting").
    if (d.alerts && alertMark !== undefined && rejectedOutOfRange > 0) {
      const got = await d.alerts.waitCount(alertMark, rejectedOutOfRange, 2000, ctx.signal);
      ctx.measure(`${key}.alerts`, got.length, { iface: path, limits: { min: rejectedOutOfRange } });
      ctx.check(`${key} rejected writes raise alerts`, {
        expected: `≥ ${rejectedOutOfRange} message(s) on ${d.alerts.topic}`,
        actual: got.map((m) => m.text.slice(0, 120)),
        passed: got.length >= rejectedOutOfRange,
        iface: path,
        reason: `${point.name}: ${rejectedOutOfRange} out-of-range write(s) rejected but ${got.length === 0 ? 'no alert' : `only ${got.length} alert(s)`} appeared on the declared alert topic ${d.alerts.topic}`,
      });
    }
  } finally {
    // 5. Restore now (the next interface starts from the original), verified by read-back.
    if (!restored && !ctx.signal.aborted) await restore(access);
  }
  return summary;
}

/** Monitor window after a write: short, and well inside the declared watchdog. */
function monitorWindow(d: PointProbeDeps, wanted: number): number {
  return Math.max(20, Math.min(wanted, d.watchdogMs !== undefined ? d.watchdogMs / 2 : wanted));
}

function safeValuesFor(d: PointProbeDeps): number[] {
  return d.safeOutputs.filter((r) => r.point === d.point.spec.monitor).map((r) => r.safeValue);
}

async function observeMonitor(d: PointProbeDeps, until: (v: number) => boolean, windowMs: number) {
  const name = d.point.spec.monitor;
  if (!d.monitor || !name) return undefined;
  return watchMonitorPoint(d.monitor.fm, d.monitor.cfg, name, { windowMs, intervalMs: 10, until, signal: d.ctx.signal });
}

async function runProbe(
  d: PointProbeDeps,
  p: { probe: RangeProbe; method: WriteMethod; armValue: number; settleMs: number; eps: number; key: string },
): Promise<ObservedReaction> {
  const { ctx, access, point } = d;
  const path = access.path;
  const spec = point.spec;
  const unit = spec.unit;
  const name = `${p.key}.${p.probe.id === 'wrong-type' ? 'wrong-type' : `${p.method === 'default' ? '' : `${p.method}.`}${p.probe.id}`}`;
  const what =
    p.probe.id === 'wrong-type'
      ? `${methodLabel(path, p.method)} with the text ${JSON.stringify(p.probe.value)} (a number is expected)`
      : `${methodLabel(path, p.method)} of ${fmt(p.probe.value, unit)} (${p.probe.id === 'max+1' ? `max ${fmt(spec.max, unit)}` : `min ${fmt(spec.min, unit)}`})`;

  // Re-arm: every probe starts from the same known in-range value, and the accepted write feeds
  // the device's master watchdog, so the monitor is read before any safe state can set in.
  const arm = await access.write(point, p.armValue, access.methods(point)[0]);
  if (arm.failure || arm.replyRejected === true) {
    ctx.measure(name, 'undecided', { iface: path });
    ctx.inconclusive(`${point.name}: could not re-arm ${fmt(p.armValue, unit)} before the ${what} (${arm.failure ?? arm.reply})`, path);
    return 'undecided';
  }
  const w: WriteOutcome = await access.write(point, p.probe.value, p.method);
  const attempted = p.probe.value;
  // Name the wire encoding when the device may have read the bytes as another value (0xFFF6 = 6552.6).
  const encoded = w.interpretations?.length ? `; sent as ${w.sent}, which reads as ${w.interpretations.map((v) => fmt(v, unit)).join(' or ')} unsigned` : '';
  const moved = (v: number) => Math.abs(v - p.armValue) > p.eps;
  const mon = await observeMonitor(d, moved, monitorWindow(d, p.settleMs));
  let monitored: number | undefined = mon?.hit ?? mon?.values.at(-1);
  let monitorNote = '';
  const rule = d.safeOutputs.find((r) => r.point === spec.monitor);
  if (monitored !== undefined && rule && Math.abs(monitored - rule.safeValue) <= rule.tolerance && Math.abs(p.armValue - rule.safeValue) > rule.tolerance) {
    // The declared safe state may be active (outputs forced to their safe value): the monitor then
    // says nothing about the write; the read-back decides alone.
    monitorNote = ` (monitor at the declared safe value ${fmt(rule.safeValue, unit)}: safe state possible, not used)`;
    monitored = undefined;
  }
  const rb = await access.read(point);
  const c = classifyRangeProbe({
    replyRejected: w.failure ? undefined : w.replyRejected,
    readBack: rb.ok ? rb.value : undefined,
    monitored,
    before: p.armValue,
    attempted,
    ...(w.interpretations ? { interpretations: w.interpretations } : {}),
    min: spec.min,
    max: spec.max,
    epsilon: p.eps,
  });
  // A type error has nothing to clamp to: whatever the declared range reaction, it must be refused.
  const declared: Reaction = p.probe.id === 'wrong-type' && d.declared === 'clamp' ? 'reject' : d.declared;
  const judged = judgeReaction(declared, c.observed);
  // A rejection with a code the profile does not declare (exception 04 where 03 is declared) breaks
  // the contract a master's alarm handling relies on, though the value stayed out of the process.
  const wrongCode = c.observed === 'rejected' && w.undeclaredCode === true;
  const j = wrongCode ? { ok: false, safe: true } : judged;
  ctx.measure(name, c.observed, { iface: path });

  const evidence = `read back ${rb.ok ? fmt(rb.value, unit) : `unavailable: ${rb.error}`}${mon ? `, monitor ${mon.values.length ? fmt(mon.hit ?? mon.values.at(-1), unit) : 'no reading'}${monitorNote}` : ''}`;
  const reply = `${w.failure ? `no usable reply: ${w.failure}` : `reply ${w.reply}`}${encoded}`;
  let reason: string;
  let onFail: 'FAIL' | 'INCONCLUSIVE' = 'FAIL';
  if (c.observed === 'accepted') {
    reason = p.probe.id === 'wrong-type'
      ? `${point.name}: ${what} changed the value to ${fmt(c.processValue, unit)} (${evidence}; ${reply})`
      : `${point.name}: ${what} was stored (${evidence}; ${reply})`;
  } else if (c.observed === 'undecided') {
    onFail = 'INCONCLUSIVE';
    reason = `${point.name}: the effect of the ${what} could not be decided (${evidence}; ${reply})`;
  } else if (wrongCode) {
    reason = `${point.name}: ${what} was rejected with ${w.code}, which the profile does not declare (rejectCodes ${JSON.stringify(spec.modbus?.rejectCodes ?? [])})${encoded}`;
  } else if (declared === 'accept') {
    reason = `${point.name}: the profile declares that out-of-range writes are accepted on ${path} (no range check by design); ${what} was ${c.observed}`;
  } else {
    reason = `${point.name}: ${what} was ${c.observed} (${evidence}; ${reply}) but the profile declares "${declared}"${j.safe ? ': the value stayed in range, the declared reaction did not happen' : ''}`;
  }
  ctx.check(`${name}: declared ${declared}`, {
    expected: declared,
    actual: { observed: c.observed, sent: w.sent, reply: w.failure ?? w.reply, code: w.code ?? null, readBack: rb.ok ? rb.value : rb.error, monitor: mon ? (mon.values.length ? mon.hit ?? mon.values.at(-1) : 'no reading') : 'not monitored' },
    passed: j.ok,
    iface: path,
    reason,
    onFail,
  });
  return c.observed;
}
