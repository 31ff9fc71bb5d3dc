import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';

/**
 * One time axis for all records: each run's first record anchors its CLOCK_MONOTONIC readings to
 * UTC, so records keep their ns order within a run, and records of merged runs (other machines,
 * other boots) still line up by wall clock.
 */
export function makeClock(records: EvidenceRecord[]): (r: EvidenceRecord) => bigint {
  const anchors = new Map<string, { wallNs: bigint; mono: bigint }>();
  for (const r of records) {
    if (anchors.has(r.runId)) continue;
    anchors.set(r.runId, { wallNs: BigInt(Date.parse(r.t)) * 1_000_000n, mono: BigInt(r.mono) });
  }
  return (r) => {
    const a = anchors.get(r.runId);
    if (!a) return BigInt(Date.parse(r.t)) * 1_000_000n;
    return a.wallNs + (BigInt(r.mono) - a.mono);
  };
}
