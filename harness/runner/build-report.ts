import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportSchema, type Report, type ScenarioResult } from '../core/result-schema.js';
import { countVerdicts, worstVerdict } from '../core/verdict.js';
import { harnessVersion, libraryVersions } from '../core/versions.js';
import { sha256Hex } from '../evidence/evidence-log.js';
import type { LoadedTarget } from '../profile/load-target.js';

export interface ReportInput {
  runId: string;
  startedAt: string;
  finishedAt?: string;
  target: LoadedTarget;
  results: ScenarioResult[];
  runDir: string;
  command?: string[];
  shard?: string;
  partial?: boolean;
}

/** Count and last hash of evidence.jsonl, so report.json pins the exact log it summarises. */
export function evidenceSummary(runDir: string): Report['evidence'] {
  let lines: string[] = [];
  try {
    lines = readFileSync(join(runDir, 'evidence.jsonl'), 'utf8').split('\n').filter(Boolean);
  } catch {
    // no evidence yet: an empty log
  }
  const last = lines.at(-1);
  return { file: 'evidence.jsonl', records: lines.length, lastHash: last ? sha256Hex(last) : '0'.repeat(64) };
}

export function buildReport(input: ReportInput): Report {
  const verdicts = input.results.map((r) => r.verdict);
  const report: Report = {
    schemaVersion: 1,
    run: {
      id: input.runId,
      startedAt: input.startedAt,
      ...(input.finishedAt ? { finishedAt: input.finishedAt } : {}),
      harnessVersion: harnessVersion(),
      libraries: libraryVersions(),
      host: { node: process.version, platform: `${process.platform}-${process.arch}`, hostname: hostname() },
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
    evidence: evidenceSummary(input.runDir),
  };
  return ReportSchema.parse(report);
}
