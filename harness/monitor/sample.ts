/**
 * One reading of the independent field monitor. Times are `performance.now()` milliseconds, the
 * one clock the sampler, the fault injectors and the window model share (monotonic, sub-ms).
 */
export type SampleValue = number | boolean;

export interface MonitorSample {
  /** performance.now() when the read was issued. */
  t: number;
  ok: boolean;
  /** Engineering values per monitor point (empty when the read failed). */
  values: Record<string, SampleValue>;
  /** How long the read took (ms). */
  readMs: number;
  error?: string;
  /**
   * How late the sampler issued this read against its schedule (ms): the slot after the previous
   * sample's slot. Missed slots, a slow read before it and stalls of the sampler's own thread all
   * show here; it is the harness's lateness, never the device's.
   */
  lateMs?: number;
}

/** Booleans as 0/1 so every invariant can compare numbers. */
export function numeric(v: SampleValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

/** The value of `point` in a sample, as a number (undefined when the read failed or lacks it). */
export function valueOf(s: MonitorSample, point: string): number | undefined {
  return s.ok ? numeric(s.values[point]) : undefined;
}
