/** What every invariant evaluator returns: a decision (or none), a reason naming the weakness, and its numbers. */
export interface InvariantResult {
  name: string;
  /** true = held, false = violated, undefined = the samples cannot decide (monitor gaps). */
  held: boolean | undefined;
  /** Why it failed or could not be decided; a one-line summary when it held. */
  reason: string;
  /** Numbers the scenario reports as measurements (null = not measurable). */
  measurements: Record<string, { value: number | null; unit?: string; max?: number; min?: number }>;
}

/** An output with its normal (commanded) value and its declared safe value. */
export interface OutputExpectation {
  point: string;
  /** Value while the device operates normally (observed in the pre-window). */
  normal: number;
  safe: number;
  tolerance: number;
}

export const near = (v: number, target: number, tol: number): boolean => Math.abs(v - target) <= tol + 1e-9;
