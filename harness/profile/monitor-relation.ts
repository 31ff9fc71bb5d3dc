/**
 * What the independent monitor shows for a point, by its declared relation (Point.monitorRelation):
 * the point itself (exact, optionally scaled and offset), a calibrated output that saturates, or
 * only a bound that holds while the point is in range.
 */
import type { MonitorRelation, Point } from './target-schema.js';

const EXACT: MonitorRelation = { kind: 'exact', scale: 1, offset: 0 };

export function relationOf(point: Pick<Point, 'monitorRelation'>): MonitorRelation {
  return point.monitorRelation ?? EXACT;
}

/** Whether a monitor reading can be turned back into the point's value (not for a mere bound). */
export function identifiesValue(rel: MonitorRelation): boolean {
  return rel.kind !== 'bound';
}

/** The monitor reading a point value should produce (undefined for a bound: any reading within it). */
export function expectedReading(rel: MonitorRelation, value: number): number | undefined {
  if (rel.kind === 'bound') return undefined;
  const out = value * rel.scale + rel.offset;
  if (rel.kind === 'exact') return out;
  return Math.min(rel.outMax ?? Infinity, Math.max(rel.outMin ?? -Infinity, out));
}

/**
 * The point value a monitor reading stands for. A saturated calibrated reading stands for the
 * limit of the calibration (a value beyond it looks the same); undefined for a bound.
 */
export function pointFromReading(rel: MonitorRelation, reading: number): number | undefined {
  if (rel.kind === 'bound') return undefined;
  if (rel.scale === 0) return undefined;
  return (reading - rel.offset) / rel.scale;
}

/** The tolerance on the monitor scale matching `tolerance` on the point's. */
export function readingTolerance(rel: MonitorRelation, tolerance: number): number {
  return rel.kind === 'bound' ? tolerance : Math.abs(rel.scale) * tolerance;
}
