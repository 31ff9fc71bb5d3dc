import type { Point } from '../profile/target-schema.js';

/** Two in-range values for a write probe: the admin's (positive control) and the non-admin's. */
export interface WriteProbeValues {
  adminValue: number;
  userValue: number;
}

/** Where inside [min, max] the candidates sit: away from the limits, so no range check interferes. */
const FRACTIONS = [0.25, 0.75, 0.375, 0.625, 0.5, 0.125, 0.875];

/** Equality for process values that went through scaling (registers, floats, text). */
export function sameValue(a: number, b: number, tolerance = 1e-6): boolean {
  return Math.abs(a - b) <= tolerance;
}

/**
 * Pick two in-range values that differ from each other, from the current value and from values to
 * avoid (declared safe values: a safe-state output must never be mistaken for a write taking effect).
 * Integers when the range is wide enough, so every interface (console text, JSON, registers) carries
 * them exactly. Undefined when the point declares no range.
 */
export function pickWriteValues(point: Point, opts: { current?: number; avoid?: number[]; tolerance?: number } = {}): WriteProbeValues | undefined {
  if (point.type !== 'number' || point.min === undefined || point.max === undefined || !(point.max > point.min)) return undefined;
  const { min, max } = point;
  const span = max - min;
  const round = (v: number) => (span >= 8 ? Math.round(v) : Math.round(v * 100) / 100);
  const tol = opts.tolerance ?? span / 100;
  const taken = [...(opts.current !== undefined ? [opts.current] : []), ...(opts.avoid ?? [])];
  const picked: number[] = [];
  for (const f of FRACTIONS) {
    const v = round(min + f * span);
    if (v <= min || v >= max) continue;
    if ([...taken, ...picked].some((t) => sameValue(t, v, tol))) continue;
    picked.push(v);
    if (picked.length === 2) return { adminValue: picked[0]!, userValue: picked[1]! };
  }
  return undefined;
}

/** The first writable numeric point with a range that `has` accepts, preferring points the field monitor observes. */
export function pickWritablePoint(points: Record<string, Point>, has: (p: Point) => boolean): { name: string; point: Point } | undefined {
  const ok = Object.entries(points).filter(([, p]) => p.writable && p.type === 'number' && p.min !== undefined && p.max !== undefined && has(p));
  const best = ok.find(([, p]) => p.monitor) ?? ok[0];
  return best ? { name: best[0], point: best[1] } : undefined;
}
