import { z } from 'zod';

/**
 * Verdicts, ordered from best to worst. A run aggregates worst-wins; NOT_APPLICABLE ranks below
 * PASS so it never hides a decision (4 PASS + 1 N/A is PASS; only all-N/A is N/A).
 * FAIL ranks above ERROR: a proven violation is never hidden by a harness/cable/setup failure
 * elsewhere (ERROR is never a statement about the device, FAIL is).
 */
export const VERDICTS = ['NOT_APPLICABLE', 'PASS', 'NOT_RUN', 'INCONCLUSIVE', 'ERROR', 'FAIL'] as const;
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
 * Exit code contract of `hil run`: 1 whenever any verdict is FAIL (whatever else happened);
 * otherwise 2 on any ERROR; otherwise 1 when any is INCONCLUSIVE or NOT_RUN (a measure that was not
 * shown is no clean bill); 0 when every verdict is PASS or NOT_APPLICABLE.
 */
export function exitCodeFor(verdicts: Iterable<Verdict>): 0 | 1 | 2 {
  const list = [...verdicts];
  if (list.some((v) => v === 'FAIL')) return 1;
  if (list.some((v) => v === 'ERROR')) return 2;
  if (list.some((v) => v === 'INCONCLUSIVE' || v === 'NOT_RUN')) return 1;
  return 0;
}

/** What each exit code means, for reports that show the gate. */
export const EXIT_MEANING: Record<0 | 1 | 2, string> = {
  0: 'passed: every verdict is PASS or NOT APPLICABLE',
  1: 'failed: FAIL present, or INCONCLUSIVE / NOT RUN without ERROR',
  2: 'error: ERROR present and no FAIL',
};
