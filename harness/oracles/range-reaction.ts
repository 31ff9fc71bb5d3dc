import type { Reaction } from '../profile/target-schema.js';

/** What actually happened to an out-of-range write, judged by its effect and not only its reply. */
export type ObservedReaction = 'rejected' | 'clamped' | 'accepted' | 'silently-ignored' | 'undecided';

export interface RangeObservation {
  /** The protocol reply rejected the write (exception, BadOutOfRange, status ok:false, CLI error). */
  replyRejected: boolean;
  /** Value read back through the same interface after the write (engineering units), if readable. */
  readBack?: number | boolean;
  /** Value the independent monitor saw (engineering units), if the point is monitored. */
  monitored?: number | boolean;
  /** Value before the probe. */
  before: number | boolean;
  attempted: number | boolean | string;
  min?: number;
  max?: number;
  /** Comparison tolerance for scaled registers. */
  epsilon: number;
}

const near = (a: unknown, b: unknown, eps: number) =>
  typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= eps : a === b;

/**
 * Classify an out-of-range probe. The process value (monitor if present, else read-back) decides:
 * if it became the attempted value the write was accepted whatever the reply said.
 */
export function classifyRangeProbe(o: RangeObservation): { observed: ObservedReaction; processValue: unknown } {
  const processValue = o.monitored ?? o.readBack;
  if (processValue === undefined) return { observed: 'undecided', processValue };
  // Values read from 16-bit registers wrap; an attempted out-of-range value can land as garbage that is still out of range.
  const outOfRange = (v: unknown) => typeof v === 'number' && ((o.min !== undefined && v < o.min - o.epsilon) || (o.max !== undefined && v > o.max + o.epsilon));
  if (near(processValue, o.attempted, o.epsilon) || outOfRange(processValue)) return { observed: 'accepted', processValue };
  const clampTarget = typeof o.attempted === 'number' ? (o.max !== undefined && o.attempted > o.max ? o.max : o.min) : undefined;
  if (clampTarget !== undefined && near(processValue, clampTarget, o.epsilon) && !near(o.before, clampTarget, o.epsilon)) {
    return { observed: 'clamped', processValue };
  }
  if (near(processValue, o.before, o.epsilon)) return { observed: o.replyRejected ? 'rejected' : 'silently-ignored', processValue };
  return { observed: 'undecided', processValue };
}

/** Is the observed reaction what the profile declares, and is it safe in any case? */
export function judgeReaction(declared: Reaction, observed: ObservedReaction): { ok: boolean; safe: boolean } {
  const safe = observed === 'rejected' || observed === 'clamped' || observed === 'silently-ignored';
  if (declared === 'reject') return { ok: observed === 'rejected', safe };
  if (declared === 'clamp') return { ok: observed === 'clamped', safe };
  // A device that declares it accepts out-of-range values is still unsafe when it does so.
  return { ok: false, safe };
}
