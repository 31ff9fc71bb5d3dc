import { hostname } from 'node:os';
import { ReportSchema, type Report, type ScenarioResult } from '../core/result-schema.js';
import { countVerdicts, worstVerdict } from '../core/verdict.js';
import { harnessVersion, libraryVersions } from '../core/versions.js';
import { runningTree } from '../core/module-tree.js';
import { sha256Hex } from '../evidence/evidence-log.js';
import type { EvidenceRecord } from '../evidence/evidence-record.js';
import type { LoadedTarget } from '../profile/load-target.js';

export interface ReportInput {
  runId: string;
  startedAt: string;
  finishedAt?: string;
  target: LoadedTarget;
  results: ScenarioResult[];
  /** The run's last evidence record: report.json pins the exact log it summarises. */
  lastEvidence: EvidenceRecord;
  command?: string[];
  shard?: string;
  partial?: boolean;
}

/**
 * Count and last hash of evidence.jsonl, from the last record the parent appended (the log is
 * chained from seq 0, and a record's line is its JSON text), so the file is not read back.
 */
export function evidencePointerAfter(last: EvidenceRecord): Report['evidence'] {
  return { file: 'evidence.jsonl', records: last.seq + 1, lastHash: sha256Hex(JSON.stringify(last)) };
}

/** Harness version, libraries and host of this process: recorded at run start, so a rebuilt report keeps them. */
export function runProvenance(): Pick<Report['run'], 'harnessVersion' | 'harnessTree' | 'libraries' | 'host'> {
  return {
    harnessVersion: harnessVersion(),
    harnessTree: runningTree,
    libraries: libraryVersions(),
    host: { node: process.version, platform: `${process.platform}-${process.arch}`, hostname: hostname() },
  };
}

/** The run record's report: run meta, target, results in order, verdict counts. */
export function buildReport(input: ReportInput): Report {
  const verdicts = input.results.map((r) => r.verdict);
  const report: Report = {
    schemaVersion: 1,
    run: {
      id: input.runId,
      startedAt: input.startedAt,
      ...(input.finishedAt ? { finishedAt: input.finishedAt } : {}),
      ...runProvenance(),
      ...(input.command ? { command: input.command } : {}),
      ...(input.shard ? { shard: input.shard } : {}),
      ...(input.partial ? { partial: true } : {}),
    },
    target: {
      name: input.target.profile.name,
      identity: input.target.profile.identity,
      profilePath: input.target.path,
      profileDigest: input.target.digest,
    },
    results: input.results,
    summary: { ...countVerdicts(verdicts), total: verdicts.length, overall: worstVerdict(verdicts) },
    evidence: evidencePointerAfter(input.lastEvidence),
  };
  return ReportSchema.parse(report);
}
