import { VERDICTS, type Verdict } from '../core/verdict.js';

/** A verdict contribution from one check, optionally for one interface. */
export interface VerdictEntry {
  verdict: Verdict;
  reason: string;
  iface?: string;
  /** The check this verdict belongs to (absent for verdicts recorded without a check). */
  check?: string;
}

const rank = (v: Verdict): number => VERDICTS.indexOf(v);

/**
 * Combine the entries of one scenario, FAIL first: any FAIL makes the scenario (and its interface)
 * FAIL whatever errored or was undecided elsewhere or later; then ERROR, INCONCLUSIVE, NOT_RUN, PASS.
 * NOT_APPLICABLE parts don't dilute a decision made elsewhere. The reason lists every entry of the
 * scenario's verdict first, then the other undecided or erroring entries, each labelled.
 */
export function scenarioVerdict(entries: VerdictEntry[]): { verdict: Verdict; reason: string; perInterface: Record<string, Verdict> } {
  const decided = entries.filter((e) => e.verdict !== 'NOT_APPLICABLE');
  const pool = decided.length ? decided : entries;
  let verdict: Verdict = 'INCONCLUSIVE';
  if (pool.length) verdict = pool.reduce<Verdict>((w, e) => (rank(e.verdict) > rank(w) ? e.verdict : w), pool[0]!.verdict);
  const text = (e: VerdictEntry) => (e.iface ? `[${e.iface}] ${e.reason}` : e.reason);
  const first = [...new Set(pool.filter((e) => e.verdict === verdict).map(text))];
  // Below the scenario's verdict, only what kept something from being shown is worth a line.
  const rest = (['ERROR', 'INCONCLUSIVE', 'NOT_RUN'] as const)
    .filter((v) => rank(v) < rank(verdict))
    .flatMap((v) => [...new Set(pool.filter((e) => e.verdict === v).map(text))].map((t) => `${v}: ${t}`));
  const reasons = pool.length === 0 ? ['the scenario recorded no decision'] : [...first, ...rest];
  const perInterface: Record<string, Verdict> = {};
  for (const e of entries) {
    if (!e.iface) continue;
    const cur = perInterface[e.iface];
    if (!cur || rank(e.verdict) > rank(cur)) perInterface[e.iface] = e.verdict;
  }
  // NOT_APPLICABLE per interface loses to a real decision on that interface
  for (const e of entries) if (e.iface && e.verdict !== 'NOT_APPLICABLE' && perInterface[e.iface] === 'NOT_APPLICABLE') perInterface[e.iface] = e.verdict;
  return { verdict, reason: reasons.join('; '), perInterface };
}
