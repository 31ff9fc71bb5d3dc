/**
 * The protocol-neutral half of a privilege probe: which point to write, which values, and how the
 * independent field monitor judges a write's effect. Returns a WritePlan; it records nothing.
 */
import { expectedReading, identifiesValue, readingTolerance, relationOf } from '../profile/monitor-relation.js';
import type { Point, TargetProfile } from '../profile/target-schema.js';
import type { FieldObserver, FieldSeen, WritePlan } from '../protocols/capabilities/privilege.js';
import type { ProbeRun } from '../protocols/capabilities/probe-run.js';
import { watchMonitorPoint, type FieldWatchResult } from '../protocols/monitor/field-watch.js';
import { FieldMonitor } from '../protocols/monitor/monitor-channel.js';
import { pickWritablePoint, pickWriteValues, sameValue } from './probe-values.js';

const NOT_MONITORED: FieldObserver = { monitored: false, watchFor: async () => ({ hit: false, summary: 'not monitored' }) };

/**
 * The plan for the first writable numeric point `mapped` accepts (monitored points first), or
 * undefined when there is none.
 */
export function writePlanFor(target: TargetProfile, mapped: (p: Point) => boolean, run: ProbeRun): WritePlan | undefined {
  const pick = pickWritablePoint(target.policy.points, mapped);
  if (!pick) return undefined;
  const { name, point } = pick;
  // pickWritablePoint only returns points with a declared range.
  const tolerance = Math.max(1e-6, (point.max! - point.min!) / 1000);
  // Declared safe values of the point's monitor output: a safe state must never pass for a write's effect.
  const avoid = (target.policy.safeState?.outputs ?? []).filter((o) => o.point === point.monitor).map((o) => o.safeValue);
  return {
    name,
    point,
    values: (current) => pickWriteValues(point, { current, avoid, tolerance: tolerance * 10 }),
    same: (a, b) => sameValue(a, b, tolerance),
    openField: () => fieldObserver(target, name, point, tolerance, run),
    effectWindowMs: (ifaceTimeoutMs) => effectWindowMs(target, ifaceTimeoutMs),
  };
}

/** The field monitor's view of the point, when the profile declares a monitor that observes it. */
async function fieldObserver(target: TargetProfile, name: string, point: Point, tolerance: number, run: ProbeRun): Promise<FieldObserver> {
  const cfg = target.monitor;
  const mp = point.monitor;
  if (!cfg || !mp) return NOT_MONITORED;
  const spec = cfg.points[mp];
  if (!spec) {
    run.log(`point ${name} names monitor point '${mp}', which the monitor does not declare: no field observation`);
    return NOT_MONITORED;
  }
  const rel = relationOf(point);
  if (!identifiesValue(rel)) {
    run.log(`point ${name}: monitor point '${mp}' only promises a bound while in range, which cannot show a write's value: no field observation`);
    return NOT_MONITORED;
  }
  const mon = run.track(await FieldMonitor.open(cfg, run.channelCtx));
  // Half a register step: the monitor's resolution, not the interface's, limits the comparison.
  const tol = Math.max(readingTolerance(rel, tolerance), spec.scale / 2);
  return {
    monitored: true,
    watchFor: async (value, windowMs): Promise<FieldSeen> => {
      // What the monitor shows for `value` by the declared relation (the value itself unless declared otherwise).
      const expected = expectedReading(rel, value)!;
      const w = await watchMonitorPoint(mon, cfg, mp, { windowMs, signal: run.signal, until: (v) => sameValue(v, expected, tol) });
      return { hit: w.hit !== undefined, summary: describeWatch(w, mp) };
    },
  };
}

/**
 * How long to look for the effect of a denied write. A write that took effect shows at once (it
 * also feeds a master watchdog): the declared reaction time bounds "at once"; without one, the
 * interface's own deadline does.
 */
export function effectWindowMs(target: TargetProfile, ifaceTimeoutMs: number): number {
  const reaction = target.policy.safeState?.reactionMs;
  return reaction === undefined ? ifaceTimeoutMs : Math.min(ifaceTimeoutMs, reaction);
}

/** "monitor heaterSetpoint: 45, 20" style summary for reasons and evidence. */
function describeWatch(w: FieldWatchResult, mp: string): string {
  const vals = [...new Set(w.values)].slice(0, 6).join(', ');
  return `monitor ${mp}: ${vals || 'no reading'}${w.failures ? ` (${w.failures} failed reads)` : ''}`;
}
