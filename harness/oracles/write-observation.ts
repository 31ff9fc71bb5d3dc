import { FieldMonitor } from '../protocols/monitor/monitor-channel.js';
import { watchMonitorPoint, type FieldWatchResult } from '../protocols/monitor/field-watch.js';
import { pickWritablePoint, pickWriteValues, sameValue, type WriteProbeValues } from './probe-values.js';
import type { Point } from '../profile/target-schema.js';
import type { ScenarioContext } from '../runner/scenario-context.js';

/** The independent view of one point: did the field output reach a value during a window? */
export interface PointWatcher {
  monitorPoint: string;
  watchFor(value: number, windowMs: number): Promise<FieldWatchResult>;
}

/** The point a write probe uses on one interface, and the values it writes. */
export interface WriteTarget {
  name: string;
  point: Point;
  tolerance: number;
}

/** First writable numeric point mapped on the interface (monitored points first); undefined when none. */
export function writeTargetFor(ctx: ScenarioContext, mapped: (p: Point) => boolean): WriteTarget | undefined {
  const pick = pickWritablePoint(ctx.target.policy.points, mapped);
  if (!pick) return undefined;
  const span = (pick.point.max ?? 1) - (pick.point.min ?? 0);
  return { ...pick, tolerance: Math.max(1e-6, span / 1000) };
}

/** Values for the probe, avoiding the current value and declared safe values of the point's monitor output. */
export function valuesFor(ctx: ScenarioContext, t: WriteTarget, current: number | undefined): WriteProbeValues | undefined {
  const avoid = (ctx.target.policy.safeState?.outputs ?? []).filter((o) => o.point === t.point.monitor).map((o) => o.safeValue);
  return pickWriteValues(t.point, { current, avoid, tolerance: t.tolerance * 10 });
}

/** Open the field monitor for the point when the profile declares one that observes it. */
export async function watcherFor(ctx: ScenarioContext, t: WriteTarget): Promise<PointWatcher | undefined> {
  const cfg = ctx.target.monitor;
  const mp = t.point.monitor;
  if (!cfg || !mp) return undefined;
  if (!cfg.points[mp]) {
    ctx.log(`point ${t.name} names monitor point '${mp}', which the monitor does not declare: no field observation`);
    return undefined;
  }
  const mon = ctx.track(await FieldMonitor.open(cfg, ctx.channelCtx));
  // Half a register step: the monitor's resolution, not the interface's, limits the comparison.
  const tol = Math.max(t.tolerance, cfg.points[mp]!.scale / 2);
  return {
    monitorPoint: mp,
    watchFor: (value, windowMs) =>
      watchMonitorPoint(mon, cfg, mp, { windowMs, signal: ctx.signal, until: (v) => sameValue(v, value, tol) }),
  };
}

/**
 * How long to look for the effect of a denied write. A write that took effect shows at once (it
 * also feeds a master watchdog); the profile's declared reaction time bounds "at once".
 */
export function effectWindowMs(ctx: ScenarioContext, ifaceTimeoutMs: number): number {
  return Math.min(ifaceTimeoutMs, Math.max(800, ctx.target.policy.safeState?.reactionMs ?? 1000));
}

/** "monitor heaterSetpoint: 45 → 20" style summary for reasons and evidence. */
export function describeWatch(w: FieldWatchResult | undefined, mp?: string): string {
  if (!w) return 'not monitored';
  const vals = [...new Set(w.values)].slice(0, 6).join(', ');
  return `monitor ${mp ?? ''}: ${vals || 'no reading'}${w.failures ? ` (${w.failures} failed reads)` : ''}`;
}
