import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportSchema, type Report } from '../../harness/core/result-schema.js';
import { EvidenceRecordSchema, type EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { RUN_FILES } from './run-files.js';

export class RunDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunDirError';
  }
}

/** report.json validated against the contract; undefined when the file is absent. */
export function readReport(dir: string): Report | undefined {
  const path = join(dir, RUN_FILES.report);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RunDirError(`${path}: not JSON (${(e as Error).message})`);
  }
  const parsed = ReportSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new RunDirError(`${path}: does not match the report schema at ${first?.path.join('.') || '(root)'}: ${first?.message}`);
  }
  return parsed.data;
}

export interface EvidenceRead {
  records: EvidenceRecord[];
  /** Exact text of each parsed line, in file order (needed for hashes). */
  lines: string[];
  /** Lines that did not parse, e.g. a last line cut off when the run was killed. */
  skipped: number;
}

/**
 * Lenient reader for rendering: a killed run can leave a torn last line, and a report of what
 * the run did is still wanted. `hil verify` uses its own strict walk.
 */
export function readEvidence(dir: string): EvidenceRead {
  const path = join(dir, RUN_FILES.evidence);
  if (!existsSync(path)) return { records: [], lines: [], skipped: 0 };
  const records: EvidenceRecord[] = [];
  const lines: string[] = [];
  let skipped = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    try {
      const r = EvidenceRecordSchema.safeParse(JSON.parse(line));
      if (r.success) {
        records.push(r.data);
        lines.push(line);
      } else skipped++;
    } catch {
      skipped++;
    }
  }
  return { records, lines, skipped };
}
