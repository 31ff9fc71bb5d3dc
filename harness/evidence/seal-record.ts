import { z } from 'zod';
import type { EvidenceLog } from './evidence-log.js';
import type { EvidenceRecord } from './evidence-record.js';

/**
 * The seal ends a complete run: the last record of evidence.jsonl, naming how many records came
 * before it, the hash of the last of them (its own `prev`), the run id and the end time. A log
 * without one is PARTIAL, whatever else it holds: a killed run or a cut-off file.
 */
export const SealSchema = z.object({
  runId: z.string(),
  /** Records before the seal (= the seal's own seq in a log that starts at 0). */
  records: z.number().int().nonnegative(),
  /** SHA-256 of the line before the seal (= the seal's prev). */
  headHash: z.string().length(64),
  endedAt: z.string(),
});
export type Seal = z.infer<typeof SealSchema>;

/** Appends the seal; nothing may be appended after it. */
export function sealEvidence(log: EvidenceLog, endedAt = new Date()): EvidenceRecord {
  const seal: Seal = { runId: log.runId, records: log.nextSeq, headHash: log.headHash, endedAt: endedAt.toISOString() };
  return log.append({ channel: 'harness', dir: 'event', text: `run ${log.runId} sealed: ${seal.records} records`, attrs: { seal } });
}

/** The seal a record carries, if it is one. */
export function sealOf(r: EvidenceRecord | undefined): Seal | undefined {
  if (!r || r.dir !== 'event' || r.attrs?.seal === undefined) return undefined;
  const s = SealSchema.safeParse(r.attrs.seal);
  return s.success ? s.data : undefined;
}

/**
 * Whether `last` seals the log it ends: it is a seal, and its count and head hash are the record's
 * own place in the chain (a seal copied from elsewhere, or one followed by more records, is not).
 */
export function sealsLog(last: EvidenceRecord | undefined): Seal | undefined {
  const s = sealOf(last);
  return s && last && s.records === last.seq && s.headHash === last.prev && s.runId === last.runId ? s : undefined;
}
