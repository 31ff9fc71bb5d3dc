import { z } from 'zod';
import { IdentitySchema, ReportSchema, ScenarioResultSchema, type Report, type ScenarioResult } from '../../harness/core/result-schema.js';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { worstVerdict } from '../../harness/core/verdict.js';
import { sealsLog } from '../../harness/evidence/seal-record.js';
import { evidencePointer, summarize } from './report-summary.js';

/**
 * Rebuilds or completes report.json from evidence.jsonl, so a run killed mid-way still gets a
 * report of what it did. Conventions the runner follows when writing evidence:
 * - a start record whose attrs carry `run` (report.json `run` fields), `target` (report.json
 *   `target`) and optionally `plan` (the scenario ids it intends to run);
 * - optionally, at scenario start, attrs.scenarioInfo {title, requirements, interfaces, changesState};
 * - at the end of each scenario a record with dir 'verdict' and attrs.result = the ScenarioResult;
 * - a seal as the last record of a complete run (harness/evidence/seal-record.ts): without it the run is partial.
 */
export const NOT_FINISHED_REASON = 'run ended before the scenario finished';

const TargetInfo = z.object({ name: z.string(), identity: IdentitySchema.partial().optional(), profilePath: z.string().optional(), profileDigest: z.string().optional() });

/** Start record: either nested ({run, target, plan}) or the runner's flat form ({target: name, identity, profileDigest, scenarios, shard}). */
const RunStartInput = z.object({
  run: ReportSchema.shape.run.partial().optional(),
  target: z.union([TargetInfo, z.string()]).optional(),
  identity: IdentitySchema.partial().optional(),
  profileDigest: z.string().optional(),
  plan: z.array(z.string()).optional(),
  scenarios: z.array(z.string()).optional(),
  shard: z.string().optional(),
});
const RunStart = RunStartInput.transform((a) => ({
  run: a.run || a.shard ? { ...a.run, ...(a.shard ? { shard: a.shard } : {}) } : undefined,
  target:
    typeof a.target === 'string'
      ? { name: a.target, ...(a.identity ? { identity: a.identity } : {}), ...(a.profileDigest ? { profileDigest: a.profileDigest } : {}) }
      : a.target,
  plan: a.plan ?? a.scenarios,
}));

const ScenarioInfo = z.object({
  title: z.string().optional(),
  requirements: z.array(z.string()).optional(),
  interfaces: z.array(z.string()).optional(),
  changesState: z.boolean().optional(),
});

interface Seen {
  id: string;
  first: EvidenceRecord;
  last: EvidenceRecord;
  info: z.infer<typeof ScenarioInfo>;
  result?: ScenarioResult;
}

type Start = z.infer<typeof RunStart>;

function scan(records: EvidenceRecord[]): { start: Start; seen: Map<string, Seen> } {
  let start: Start = { run: undefined, target: undefined, plan: undefined };
  const seen = new Map<string, Seen>();
  for (const r of records) {
    const a = r.attrs ?? {};
    if (!start.run && !start.target && ('run' in a || 'target' in a)) {
      const p = RunStart.safeParse(a);
      if (p.success) start = p.data;
    }
    if (!r.scenario) continue;
    let s = seen.get(r.scenario);
    if (!s) seen.set(r.scenario, (s = { id: r.scenario, first: r, last: r, info: {} }));
    s.last = r;
    const info = ScenarioInfo.safeParse(a.scenarioInfo ?? (Array.isArray(a.requirements) ? { requirements: a.requirements } : undefined));
    if (info.success) s.info = { ...s.info, ...info.data };
    // The runner's start record: "scenario <id> start: <title>".
    const prefix = `scenario ${r.scenario} start: `;
    if (!s.info.title && r.text?.startsWith(prefix)) s.info.title = r.text.slice(prefix.length);
    if (r.dir === 'verdict') {
      // A merged chain can hold a scenario's verdict from several runs: the worst one stands.
      const res = ScenarioResultSchema.safeParse(a.result);
      if (res.success && (!s.result || worstVerdict([s.result.verdict, res.data.verdict]) !== s.result.verdict)) s.result = res.data;
    }
  }
  return { start, seen };
}

function unfinished(s: Seen): ScenarioResult {
  const ms = (BigInt(s.last.mono) - BigInt(s.first.mono)) / 1_000_000n;
  return {
    scenarioId: s.id,
    title: s.info.title ?? s.id,
    verdict: 'ERROR',
    requirements: s.info.requirements ?? [],
    measurements: [],
    assertions: [],
    reason: NOT_FINISHED_REASON,
    durationMs: Number(ms),
    startedAt: s.first.t,
    interfaces: s.info.interfaces ?? [],
    changesState: s.info.changesState ?? false,
    evidence: { firstSeq: s.first.seq, lastSeq: s.last.seq },
  };
}

function notRun(id: string, startedAt: string): ScenarioResult {
  return {
    scenarioId: id, title: id, verdict: 'NOT_RUN', requirements: [], measurements: [], assertions: [],
    reason: 'run ended before the scenario started', durationMs: 0, startedAt, interfaces: [], changesState: false,
  };
}

/** A verdict of report.json the evidence does not back ('none': the evidence has no such scenario). */
export interface Correction {
  scenarioId: string;
  reported: ScenarioResult['verdict'];
  evidence: ScenarioResult['verdict'] | 'none';
}

export interface Reconciled {
  report: Report;
  /** report.json has to be (re)written. */
  changed: boolean;
  /** Verdicts of the given report replaced by the evidence's. */
  corrected: Correction[];
}

const samePerInterface = (a: ScenarioResult, b: ScenarioResult) => JSON.stringify(a.perInterface ?? {}) === JSON.stringify(b.perInterface ?? {});

/**
 * The results the evidence holds, in the order the scenarios began: each scenario's verdict
 * record; a scenario that began without one is ERROR (run ended before it finished); without a
 * seal, planned scenarios that never began are NOT_RUN.
 */
function derivedResults(start: Start, seen: Map<string, Seen>, sealed: boolean, startedAt: string): ScenarioResult[] {
  const out = [...seen.values()].map((s) => s.result ?? unfinished(s));
  const have = new Set(out.map((r) => r.scenarioId));
  if (!sealed) for (const id of start.plan ?? []) if (!have.has(id)) (out.push(notRun(id, startedAt)), have.add(id));
  return out;
}

/**
 * The report to render. Every verdict comes from the evidence: a result of report.json whose
 * verdict differs from the scenario's verdict record is replaced by that record, one without any
 * evidence is dropped, scenarios only the evidence knows are added. Without a seal at the end of
 * the evidence the run is partial. `changed` tells the caller whether report.json has to be (re)written.
 */
export function reconcileReport(existing: Report | undefined, records: EvidenceRecord[], lines: string[]): Reconciled {
  if (existing && records.length === 0) return { report: existing, changed: false, corrected: [] };
  const { start, seen } = scan(records);
  const seal = sealsLog(records[records.length - 1]);
  const firstT = records[0]?.t ?? new Date(0).toISOString();
  const base: Report = existing ?? emptyReport(start, records, lines, firstT);
  const derived = derivedResults(start, seen, seal !== undefined, base.run.startedAt);
  const byId = new Map(derived.map((r) => [r.scenarioId, r]));
  let changed = existing === undefined;
  const results: ScenarioResult[] = [];
  const corrected: Correction[] = [];
  for (const r of base.results) {
    const d = byId.get(r.scenarioId);
    byId.delete(r.scenarioId);
    if (d && d.verdict === r.verdict && samePerInterface(d, r)) results.push(r);
    else {
      changed = true;
      corrected.push({ scenarioId: r.scenarioId, reported: r.verdict, evidence: d?.verdict ?? 'none' });
      if (d) results.push(d);
    }
  }
  if (byId.size) (changed = true), results.push(...byId.values());
  const partial = seal === undefined;
  if (existing && !changed && (existing.run.partial ?? false) === partial) return { report: existing, changed: false, corrected };
  const { partial: _was, ...run } = base.run;
  const report: Report = {
    ...base,
    run: { ...run, ...(partial ? { partial: true } : {}), finishedAt: base.run.finishedAt ?? seal?.endedAt ?? records[records.length - 1]?.t ?? firstT },
    results,
    summary: summarize(results),
    evidence: evidencePointer(lines),
  };
  return { report, changed: true, corrected };
}

/** The report the evidence alone gives: what `hil verify` compares report.json, junit.xml and summary.md with. */
export function reportFromEvidence(records: EvidenceRecord[], lines: string[]): Report {
  return reconcileReport(undefined, records, lines).report;
}

function emptyReport(start: Start, records: EvidenceRecord[], lines: string[], firstT: string): Report {
  return {
    schemaVersion: 1,
    run: {
      id: start.run?.id ?? records[0]?.runId ?? 'unknown',
      startedAt: start.run?.startedAt ?? firstT,
      harnessVersion: start.run?.harnessVersion ?? 'unknown',
      ...(start.run?.harnessTree ? { harnessTree: start.run.harnessTree } : {}),
      libraries: start.run?.libraries ?? {},
      host: start.run?.host ?? { node: 'unknown', platform: 'unknown', hostname: 'unknown' },
      ...(start.run?.command ? { command: start.run.command } : {}),
      ...(start.run?.shard ? { shard: start.run.shard } : {}),
    },
    target: {
      name: start.target?.name ?? 'unknown',
      identity: { vendor: 'unknown', model: 'unknown', firmware: 'unknown', ...start.target?.identity },
      ...(start.target?.profilePath ? { profilePath: start.target.profilePath } : {}),
      profileDigest: start.target?.profileDigest ?? 'unknown',
    },
    results: [],
    summary: summarize([]),
    evidence: evidencePointer(lines),
  };
}
