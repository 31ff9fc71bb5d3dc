import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { outstandingRestorations } from '../../harness/evidence/restoration-record.js';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { readEvidence } from './load-run.js';

/**
 * `hil restore` keeps its own evidence next to the run's, one chain per invocation under
 * restorations/<id>/evidence.jsonl: the run's evidence.jsonl is never modified, and a sealed run
 * stays sealed.
 */
export const RESTORE_DIR = 'restorations';

/** Records of every `hil restore` of the run directory, in directory order. */
export function readRestoreLogs(dir: string): EvidenceRecord[] {
  const root = join(dir, RESTORE_DIR);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .flatMap((name) => readEvidence(join(root, name)).records);
}

export type OutstandingRestoration = ReturnType<typeof outstandingRestorations>[number];

/** What may still be changed on the device: planned restorations of the run that neither the run nor a `hil restore` completed. */
export function outstandingInRun(dir: string, records: readonly EvidenceRecord[]): OutstandingRestoration[] {
  return outstandingRestorations([...records, ...readRestoreLogs(dir)]);
}
