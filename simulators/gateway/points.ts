// The writable process points, their engineering ranges, and the one place where a write is
// checked against the range according to an interface's RangeReaction.
import type { RangeReaction } from './sim-config.ts';

export const WRITABLE_POINTS = ['heaterSetpoint', 'valvePosition', 'pumpOn', 'heaterEnable'] as const;
export type WritablePoint = (typeof WRITABLE_POINTS)[number];

export type PointSpec =
  | { kind: 'number'; min: number; max: number; unit: string }
  | { kind: 'bool' };

export const POINT_SPECS: Readonly<Record<WritablePoint, PointSpec>> = {
  heaterSetpoint: { kind: 'number', min: 0, max: 80, unit: 'degC' },
  valvePosition: { kind: 'number', min: 0, max: 100, unit: '%' },
  pumpOn: { kind: 'bool' },
  heaterEnable: { kind: 'bool' },
};

export function isWritablePoint(name: unknown): name is WritablePoint {
  return typeof name === 'string' && (WRITABLE_POINTS as readonly string[]).includes(name);
}

export type PointValue = number | boolean;
export type CheckResult =
  | { ok: true; value: PointValue; clamped: boolean }
  | { ok: false; reason: 'out-of-range' | 'bad-type' | 'unknown-point' };

/** Loose coercion a careless device does (parseFloat, truthiness); used only by 'accept'. */
function coerce(spec: PointSpec, value: unknown): PointValue | undefined {
  if (spec.kind === 'bool') {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return value !== 0;
    if (typeof value === 'string') return /^(1|true|on|yes)$/i.test(value.trim());
    return undefined;
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseFloat(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Decides what a write does. 'reject' and 'clamp' also check the type strictly (a range check
 * that lets a string through is not a range check); 'accept' coerces like a careless parser
 * but can never store a non-finite number.
 */
export function checkPointValue(point: string, value: unknown, reaction: RangeReaction): CheckResult {
  if (!isWritablePoint(point)) return { ok: false, reason: 'unknown-point' };
  const spec = POINT_SPECS[point];
  if (reaction === 'accept') {
    const v = coerce(spec, value);
    return v === undefined ? { ok: false, reason: 'bad-type' } : { ok: true, value: v, clamped: false };
  }
  if (spec.kind === 'bool') {
    return typeof value === 'boolean' ? { ok: true, value, clamped: false } : { ok: false, reason: 'bad-type' };
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, reason: 'bad-type' };
  if (value >= spec.min && value <= spec.max) return { ok: true, value, clamped: false };
  if (reaction === 'reject') return { ok: false, reason: 'out-of-range' };
  return { ok: true, value: Math.min(spec.max, Math.max(spec.min, value)), clamped: true };
}
