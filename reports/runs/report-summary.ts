import type { Report, ScenarioResult } from '../../harness/core/result-schema.js';
import { countVerdicts, worstVerdict } from '../../harness/core/verdict.js';
import { GENESIS } from '../../harness/evidence/evidence-record.js';
import { sha256Hex } from '../../harness/evidence/evidence-log.js';

/** report.json `summary` from its results: a count per verdict, the total, and the worst-wins overall verdict. */
export function summarize(results: ScenarioResult[]): Report['summary'] {
  const verdicts = results.map((r) => r.verdict);
  return { ...countVerdicts(verdicts), total: results.length, overall: worstVerdict(verdicts) };
}

/** report.json `evidence` pointer: how many lines the log had and the hash of its last one. */
export function evidencePointer(lines: string[]): Report['evidence'] {
  return { file: 'evidence.jsonl', records: lines.length, lastHash: lines.length ? sha256Hex(lines[lines.length - 1]!) : GENESIS };
}
