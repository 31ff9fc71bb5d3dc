/** Small descriptive statistics for timing series (no dependency for three functions). */

/** Nearest-rank percentile of `values` (p in 0..100); undefined for an empty series. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Round for reports: timing below 0.01 ms is noise. */
export const round2 = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : Math.round(v * 100) / 100);
