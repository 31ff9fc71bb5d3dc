import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportSchema, type Report } from '../../harness/core/result-schema.js';
import { VERDICTS, type Verdict } from '../../harness/core/verdict.js';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { reportFromEvidence } from '../runs/partial-report.js';
import { RUN_FILES } from '../runs/run-files.js';

/**
 * Verdicts are bound to the evidence: each scenario's verdict is a record in the hash chain, and
 * the files people read (report.json, junit.xml, summary.md) must say what those records say.
 * A signed directory whose report was edited, or re-rendered from an edited report.json, fails
 * here with the scenario named.
 */
export interface VerdictProblem {
  file: string;
  message: string;
}

const VERDICT_RE = VERDICTS.join('|');
const unXml = (s: string) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * Scenario → verdict as junit.xml states it, and the verdicts of its per-check testcases: a check's
 * testcase names its scenario and the scenario's verdict in properties; a testcase without them is
 * the scenario itself.
 */
function junitVerdicts(xml: string): { scenarios: Map<string, string>; checks: Map<string, string[]> } {
  const scenarios = new Map<string, string>();
  const checks = new Map<string, string[]>();
  for (const m of xml.matchAll(/<testcase\b[^>]*\sname="([^"]*)"[^>]*>\s*<properties>(.*?)<\/properties>/gs)) {
    const props = new Map<string, string>();
    for (const p of m[2]!.matchAll(/<property name="([^"]*)" value="([^"]*)"\/>/g)) if (!props.has(unXml(p[1]!))) props.set(unXml(p[1]!), unXml(p[2]!));
    const scenario = props.get('scenario');
    if (scenario === undefined) {
      scenarios.set(unXml(m[1]!), props.get('verdict') ?? 'none');
      continue;
    }
    scenarios.set(scenario, props.get('scenario.verdict') ?? 'none');
    checks.set(scenario, [...(checks.get(scenario) ?? []), props.get('verdict') ?? 'none']);
  }
  return { scenarios, checks };
}

/** Scenario → verdict as the table of summary.md states it, and the overall verdict of its heading. */
function markdownVerdicts(md: string): { rows: Map<string, string>; overall?: string } {
  const rows = new Map<string, string>();
  let overall: string | undefined;
  for (const line of md.split('\n')) {
    const head = new RegExp(`^## HIL security run: .* (${VERDICT_RE})\\s*$`).exec(line);
    if (head) overall = head[1];
    const row = new RegExp(`^\\| (.+?) \\| (?:\\S+ )?(${VERDICT_RE}) \\|`).exec(line);
    if (row) rows.set(row[1]!.replace(/\\\|/g, '|'), row[2]!);
  }
  return { rows, ...(overall ? { overall } : {}) };
}

function compare(file: string, stated: Map<string, string>, truth: Map<string, Verdict>, out: VerdictProblem[]): void {
  for (const [id, v] of truth) {
    const s = stated.get(id);
    if (s === undefined) out.push({ file, message: `scenario ${id} is missing; the evidence records ${v}` });
    else if (s !== v) out.push({ file, message: `scenario ${id} is ${s} here, but the evidence records ${v}` });
  }
  for (const [id, s] of stated) if (!truth.has(id)) out.push({ file, message: `scenario ${id} (${s}) has no verdict in the evidence` });
}

/** Every disagreement between the evidence's verdicts and report.json, junit.xml and summary.md, named by file and scenario. */
export function checkVerdictBinding(dir: string, records: EvidenceRecord[], lines: string[]): VerdictProblem[] {
  const out: VerdictProblem[] = [];
  const derived = reportFromEvidence(records, lines);
  const truth = new Map(derived.results.map((r) => [r.scenarioId, r.verdict]));
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);

  const json = read(RUN_FILES.report);
  if (json !== undefined) {
    let report: Report | undefined;
    try {
      report = ReportSchema.parse(JSON.parse(json));
    } catch {
      // unreadable report.json is reported by the caller
    }
    if (report) {
      compare(RUN_FILES.report, new Map(report.results.map((r) => [r.scenarioId, r.verdict])), truth, out);
      if (report.summary.overall !== derived.summary.overall) out.push({ file: RUN_FILES.report, message: `overall verdict is ${report.summary.overall}, but the evidence gives ${derived.summary.overall}` });
      if (derived.run.partial && !report.run.partial) out.push({ file: RUN_FILES.report, message: 'presents the run as complete, but the evidence has no seal' });
    }
  }
  const xml = read(RUN_FILES.junit);
  if (xml !== undefined) {
    const j = junitVerdicts(xml);
    compare(RUN_FILES.junit, j.scenarios, truth, out);
    // Each check's verdict too, where the evidence has per-check verdicts and junit.xml lists them.
    for (const r of derived.results) {
      const stated = j.checks.get(r.scenarioId);
      if (!stated || !r.checks) continue;
      const want = r.checks.map((c) => c.verdict).sort().join(',');
      if (stated.slice().sort().join(',') !== want) out.push({ file: RUN_FILES.junit, message: `scenario ${r.scenarioId}: its checks' verdicts (${stated.join(', ')}) are not those the evidence records (${r.checks.map((c) => c.verdict).join(', ')})` });
    }
  }
  const md = read(RUN_FILES.summary);
  if (md !== undefined) {
    const m = markdownVerdicts(md);
    compare(RUN_FILES.summary, m.rows, truth, out);
    if (m.overall && m.overall !== derived.summary.overall) out.push({ file: RUN_FILES.summary, message: `overall verdict is ${m.overall}, but the evidence gives ${derived.summary.overall}` });
  }
  return out;
}
