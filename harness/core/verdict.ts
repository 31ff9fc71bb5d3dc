import { z } from 'zod';

/**
 * Verdicts, ordered from best to worst. A run aggregates worst-wins; NOT_APPLICABLE ranks below
 * PASS so it never hides a decision (4 PASS + 1 N/A is PASS; only all-N/A is N/A).
 * ERROR is a harness/cable/setup failure and never a statement about the device.
 */
export const VERDICTS = ['NOT_APPLICABLE', 'PASS', 'NOT_RUN', 'INCONCLUSIVE', 'FAIL', 'ERROR'] as const;
export const VerdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof VerdictSchema>;

const rank = (v: Verdict): number => VERDICTS.indexOf(v);

/** Worst-wins aggregation; an empty list is NOT_RUN (nothing was decided). */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict | undefined;
  for (const v of verdicts) if (worst === undefined || rank(v) > rank(worst)) worst = v;
  return worst ?? 'NOT_RUN';
}

export type VerdictCounts = Record<Verdict, number>;

export function countVerdicts(verdicts: Iterable<Verdict>): VerdictCounts {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as VerdictCounts;
  for (const v of verdicts) counts[v]++;
  return counts;
}

/**
 * Exit code contract of `hil run`: 0 when every verdict is PASS or NOT_APPLICABLE, 1 when any is
 * FAIL or INCONCLUSIVE (or NOT_RUN: a measure that was not shown is no clean bill), 2 on any ERROR.
 */
export function exitCodeFor(verdicts: Iterable<Verdict>): 0 | 1 | 2 {
  const list = [...verdicts];
  if (list.some((v) => v === 'ERROR')) return 2;
  if (list.some((v) => v === 'FAIL' || v === 'INCONCLUSIVE' || v === 'NOT_RUN')) return 1;
  return 0;
}
