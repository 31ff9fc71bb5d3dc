/**
 * One out-of-range (or wrong-type) write on one interface, judged by its effect: re-arm the control
 * value, send the bad value, watch the monitor at once, read back, classify, and compare with the
 * declared reaction. Part of the range-probe procedure (range-probe.ts); findings only.
 */
import type { FieldMonitor } from '../protocols/monitor/monitor-channel.js';
import type { MonitorChannel, Point, Reaction } from '../profile/target-schema.js';
import type { Findings } from '../core/finding.js';
import type { AlertWatch } from '../protocols/mqtt/alert-watch.js';
import type { RestorationJournal } from '../evidence/restoration-record.js';
import { watchMonitorPoint } from '../protocols/monitor/field-watch.js';
import { identifiesValue, pointFromReading, relationOf } from '../profile/monitor-relation.js';
import { methodLabel, type PointAccess, type PointRef, type WriteMethod, type WriteOutcome } from '../protocols/capabilities/point-access.js';
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
  /** Ends every wait with the scenario. */
  signal: AbortSignal;
  access: PointAccess;
  point: PointRef;
  declared: Reaction;
  monitor?: { fm: FieldMonitor; cfg: MonitorChannel };
  /** Declared safe-state outputs (monitor point → safe value): a monitor showing one is not the write's effect. */
  safeOutputs: { point: string; safeValue: number; tolerance: number }[];
  /** Declared master watchdog: the monitor is only trusted within it after a write. */
  watchdogMs?: number;
  alerts?: AlertWatch;
  /** The declared reaction per write method where it differs (Modbus FC06 vs FC16); `declared` otherwise. */
  declaredFor?: (method: WriteMethod) => Reaction;
  /** A fresh access for teardown when the scenario's own channels are gone (budget exhausted). */
  reopen: () => Promise<PointAccess>;
  /** Where the original value is written before the first change, and its restoration after (ctx.restorations). */
  restorations?: Pick<RestorationJournal, 'planned' | 'done'>;
}

export const fmt = (v: unknown, unit?: string) => (typeof v === 'number' ? `${Number(v.toPrecision(10))}${unit ? ` ${unit}` : ''}` : JSON.stringify(v));

/** Monitor window after a write: short, and well inside the declared watchdog. */
export function monitorWindow(d: PointProbeDeps, wanted: number): number {
  return Math.max(20, Math.min(wanted, d.watchdogMs !== undefined ? d.watchdogMs / 2 : wanted));
}

/**
 * Watch the point's monitor, its readings turned into the point's units by the declared relation
 * (exact, calibration). A monitor that only promises a bound cannot tell a value: not used here.
 */
export async function observeMonitor(d: PointProbeDeps, until: (v: number) => boolean, windowMs: number) {
  const name = d.point.spec.monitor;
  const rel = relationOf(d.point.spec);
  if (!d.monitor || !name || !identifiesValue(rel)) return undefined;
  const toPoint = (raw: number) => pointFromReading(rel, raw) ?? Number.NaN;
  const w = await watchMonitorPoint(d.monitor.fm, d.monitor.cfg, name, { windowMs, intervalMs: 10, until: (raw) => until(toPoint(raw)), signal: d.signal });
  return { ...w, values: w.values.map(toPoint), ...(w.hit !== undefined ? { hit: toPoint(w.hit) } : {}) };
}

export async function runProbe(
  d: PointProbeDeps,
  f: Findings,
  p: { probe: RangeProbe; method: WriteMethod; armValue: number; settleMs: number; eps: number; key: string },
): Promise<ObservedReaction> {
  const { access, point } = d;
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
    f.measure(name, 'undecided', { iface: path });
    f.verdict('INCONCLUSIVE', `${point.name}: could not re-arm ${fmt(p.armValue, unit)} before the ${what} (${arm.failure ?? arm.reply})`, path);
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
  const base = d.declaredFor?.(p.method) ?? d.declared;
  const declared: Reaction = p.probe.id === 'wrong-type' && base === 'clamp' ? 'reject' : base;
  const judged = judgeReaction(declared, c.observed);
  // A rejection with a code the profile does not declare (exception 04 where 03 is declared) breaks
  // the contract a master's alarm handling relies on, though the value stayed out of the process.
  const wrongCode = c.observed === 'rejected' && w.undeclaredCode === true;
  const j = wrongCode ? { ok: false, safe: true } : judged;
  f.measure(name, c.observed, { iface: path });

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
  f.check(`${name}: declared ${declared}`, {
    expected: declared,
    actual: { observed: c.observed, sent: w.sent, reply: w.failure ?? w.reply, code: w.code ?? null, readBack: rb.ok ? rb.value : rb.error, monitor: mon ? (mon.values.length ? mon.hit ?? mon.values.at(-1) : 'no reading') : 'not monitored' },
    passed: j.ok,
    iface: path,
    reason,
    onFail,
  });
  return c.observed;
}
