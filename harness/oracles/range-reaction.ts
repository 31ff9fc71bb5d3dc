import type { Point, Reaction } from '../profile/target-schema.js';

/** What actually happened to an out-of-range write, judged by its effect and not only its reply. */
export type ObservedReaction = 'rejected' | 'clamped' | 'accepted' | 'silently-ignored' | 'undecided';

export interface RangeObservation {
  /**
   * The protocol reply rejected the write (exception, BadOutOfRange, status ok:false, CLI error).
   * Undefined when the interface gives no reply at all (MQTT 3.1.1 without a status topic): then
   * the effect alone decides and an unchanged value counts as rejected.
   */
  replyRejected?: boolean;
  /** Value read back through the same interface after the write (engineering units), if readable. */
  readBack?: number | boolean;
  /** Value the independent monitor saw (engineering units), if the point is monitored. */
  monitored?: number | boolean;
  /** Value before the probe. */
  before: number | boolean;
  /** The value sent; a string is a wrong-type probe (no clamp exists for it: any change means it was acted on). */
  attempted: number | boolean | string;
  /**
   * Other values a device may decode from the same bytes. A Modbus register carries 16 bits and no
   * sign: min-1 sent as 0xFFF6 (-1.0 at scale 0.1) reads as 6552.6 to an unsigned device, which may
   * then clamp it to max. Each interpretation counts for "accepted" and for "clamped to its limit".
   */
  interpretations?: number[];
  min?: number;
  max?: number;
  /** Comparison tolerance for scaled registers. */
  epsilon: number;
}

const near = (a: unknown, b: unknown, eps: number) =>
  typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= eps : a === b;

/**
 * Classify an out-of-range probe from every observation there is (read-back and monitor): if
 * either shows the attempted value, or any value outside the range, the write was accepted
 * whatever the reply said. `processValue` is the observation that decided (monitor first).
 */
export function classifyRangeProbe(o: RangeObservation): { observed: ObservedReaction; processValue: unknown } {
  const seen = [o.monitored, o.readBack].filter((v): v is number | boolean => v !== undefined);
  if (seen.length === 0) return { observed: 'undecided', processValue: undefined };
  const unchanged = (): ObservedReaction => (o.replyRejected === false ? 'silently-ignored' : 'rejected');

  if (typeof o.attempted === 'string') {
    const moved = seen.find((v) => !near(v, o.before, o.epsilon));
    return moved === undefined ? { observed: unchanged(), processValue: seen[0] } : { observed: 'accepted', processValue: moved };
  }
  const attempts = [o.attempted, ...(o.interpretations ?? [])];
  // Values read from 16-bit registers wrap; an attempted out-of-range value can land as garbage that is still out of range.
  const outOfRange = (v: unknown) => typeof v === 'number' && ((o.min !== undefined && v < o.min - o.epsilon) || (o.max !== undefined && v > o.max + o.epsilon));
  const reached = seen.find((v) => outOfRange(v) || attempts.some((a) => near(v, a, o.epsilon)));
  if (reached !== undefined) return { observed: 'accepted', processValue: reached };

  const processValue = seen[0];
  const clampTargets = attempts
    .filter((a): a is number => typeof a === 'number')
    .map((a) => (o.max !== undefined && a > o.max ? o.max : o.min))
    .filter((t): t is number => t !== undefined && !near(o.before, t, o.epsilon));
  if (clampTargets.length && seen.every((v) => clampTargets.some((t) => near(v, t, o.epsilon)))) return { observed: 'clamped', processValue };
  if (seen.every((v) => near(v, o.before, o.epsilon))) return { observed: unchanged(), processValue };
  // Read-back and monitor disagree, or the value moved somewhere unexplained.
  return { observed: 'undecided', processValue };
}

/** Is the observed reaction what the profile declares, and is it safe in any case? */
export function judgeReaction(declared: Reaction, observed: ObservedReaction): { ok: boolean; safe: boolean } {
  const safe = observed === 'rejected' || observed === 'clamped' || observed === 'silently-ignored';
  if (declared === 'reject') return { ok: observed === 'rejected', safe };
  if (declared === 'clamp') return { ok: observed === 'clamped', safe };
  // Ignored: no reply to go by (or none sent), the read-back and monitor show the value unchanged.
  if (declared === 'ignore') return { ok: observed === 'silently-ignored' || observed === 'rejected', safe };
  // A device that declares it accepts out-of-range values is still unsafe when it does so.
  return { ok: false, safe };
}

/**
 * The reaction a point declares for writes governed by `key` (a protocol's reactionKey), else its
 * default. Modbus may declare one per function code (`modbusFc06`, `modbusFc16`): `method` picks it.
 */
export function declaredReaction(spec: Point, key: string, method?: string): Reaction {
  const r = spec.reaction as Partial<Record<string, Reaction>>;
  const fc = key === 'modbus' && method ? (method === 'fc06' ? r.modbusFc06 : method.startsWith('fc16') ? r.modbusFc16 : undefined) : undefined;
  return fc ?? r[key] ?? spec.reaction.default;
}
