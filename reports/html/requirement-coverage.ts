import type { ScenarioResult } from '../../harness/core/result-schema.js';
import { worstVerdict, type Verdict } from '../../harness/core/verdict.js';
import { compareClauses, familiesIn, parseRequirement, type RequirementFamily } from './requirement-family.js';

/** One tested clause: which scenarios covered it and the worst verdict among them. */
export interface CoverageRow {
  family: RequirementFamily;
  clause: string;
  raw: string;
  scenarios: { id: string; verdict: Verdict }[];
  verdict: Verdict;
}

export function requirementCoverage(results: ScenarioResult[]): CoverageRow[] {
  const rows = new Map<string, CoverageRow>();
  for (const r of results) {
    for (const raw of r.requirements) {
      const ref = parseRequirement(raw);
      let row = rows.get(raw);
      if (!row) rows.set(raw, (row = { family: ref.family, clause: ref.clause, raw, scenarios: [], verdict: 'NOT_RUN' }));
      row.scenarios.push({ id: r.scenarioId, verdict: r.verdict });
    }
  }
  const families = familiesIn(results.map((r) => r.requirements)).map((f) => f.id);
  return [...rows.values()]
    .map((row) => ({ ...row, verdict: worstVerdict(row.scenarios.map((s) => s.verdict)) }))
    .sort((a, b) => families.indexOf(a.family.id) - families.indexOf(b.family.id) || compareClauses(a.clause, b.clause));
}

/** Matrix cell: the clauses of one family a scenario addresses (its verdict applies to all of them). */
export function clausesByFamily(result: ScenarioResult): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const raw of result.requirements) {
    const ref = parseRequirement(raw);
    m.set(ref.family.id, [...(m.get(ref.family.id) ?? []), ref.clause]);
  }
  return m;
}
