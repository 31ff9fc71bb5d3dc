import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report, ScenarioResult } from '../../harness/core/result-schema.js';
import { VERDICTS } from '../../harness/core/verdict.js';
import { GENESIS, type EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { sha256Hex } from '../../harness/evidence/evidence-log.js';
import { sealsLog, type Seal } from '../../harness/evidence/seal-record.js';
import { escapeHtml as h } from '../html/escape.js';
import { badge } from '../html/html-report.js';
import { loadLabKey, type LabKey } from '../signing/lab-key.js';
import { readEvidence, readReport, RunDirError } from './load-run.js';
import { writeSignedManifest } from '../signing/manifest.js';
import { reconcileReport } from './partial-report.js';
import { renderRunDirectory, type RenderResult } from './render-run.js';
import { evidencePointer, summarize } from './report-summary.js';
import { RUN_FILES } from './run-files.js';

/**
 * `hil merge`: combines run directories of shards or benches.
 * - Each source directory is copied verbatim under sources/<n>-<runId>/ (its own evidence chain,
 *   and its own signed manifest when it has one, stay verifiable).
 * - evidence.jsonl of the merge is a new hash chain holding every source record in order, each
 *   with attrs.origin {file, seq, sha256} pointing at the source line it copies.
 * - report.json is the union of results (a scenario run twice keeps the worst verdict, noted in
 *   its reason), with evidence pointers renumbered; every report is rendered and signed anew.
 * - Sources of several targets: one such directory per target, plus index.html and summary.md
 *   at the top and a manifest over all of it.
 */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

interface Source {
  dir: string;
  report: Report;
  records: EvidenceRecord[];
  lines: string[];
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
const rank = (v: ScenarioResult['verdict']) => VERDICTS.indexOf(v);

function loadSource(dir: string): Source {
  if (!existsSync(dir)) throw new MergeError(`${dir}: no such directory`);
  const ev = readEvidence(dir);
  const existing = readReport(dir);
  if (!existing && !ev.records.length) throw new RunDirError(`${dir}: not a run directory (no report.json, no evidence)`);
  const { report } = reconcileReport(existing, ev.records, ev.lines);
  return { dir, report, records: ev.records, lines: ev.lines };
}

function mergeTarget(sources: Source[], out: string, key: LabKey): RenderResult {
  const first = sources[0]!.report;
  for (const s of sources.slice(1)) {
    const t = s.report.target;
    if (t.profileDigest !== first.target.profileDigest || t.identity.firmware !== first.target.identity.firmware)
      throw new MergeError(`${s.dir}: target ${t.name} ran with another profile or firmware than ${sources[0]!.dir}; compare such runs with hil diff instead`);
  }
  sources.sort((a, b) => a.report.run.startedAt.localeCompare(b.report.run.startedAt));
  mkdirSync(out, { recursive: true });

  // Evidence: a fresh chain over copies of the source records.
  const seqMap = new Map<string, number>();
  const lines: string[] = [];
  let prev = GENESIS;
  sources.forEach((s, i) => {
    const sub = `sources/${i + 1}-${safeName(s.report.run.id)}`;
    cpSync(s.dir, join(out, sub), { recursive: true });
    s.records.forEach((r, k) => {
      const { prev: _p, seq, attrs, ...rest } = r;
      const rec = { seq: lines.length, ...rest, attrs: { ...attrs, origin: { file: `${sub}/${RUN_FILES.evidence}`, seq, sha256: sha256Hex(s.lines[k]!) } }, prev };
      const line = JSON.stringify(rec);
      seqMap.set(`${i}:${seq}`, lines.length);
      lines.push(line);
      prev = sha256Hex(line);
    });
  });
  // The merge is complete only when every source was: then it gets a seal of its own.
  const runId = `merged-${sha256Hex(sources.map((s) => s.report.run.id).join('\n')).slice(0, 12)}`;
  const complete = sources.every((s) => sealsLog(s.records[s.records.length - 1]) !== undefined);
  if (complete) {
    const seal: Seal = { runId, records: lines.length, headHash: prev, endedAt: new Date().toISOString() };
    const last = sources.at(-1)!.records.at(-1)!;
    lines.push(JSON.stringify({ seq: lines.length, t: seal.endedAt, mono: last.mono, runId, channel: 'harness', dir: 'event', text: `run ${runId} sealed: ${seal.records} records`, attrs: { seal }, prev }));
  }
  writeFileSync(join(out, RUN_FILES.evidence), lines.map((l) => `${l}\n`).join(''));

  // Results: union, worst verdict kept for a scenario that ran more than once.
  const byId = new Map<string, { result: ScenarioResult; runs: string[] }>();
  sources.forEach((s, i) => {
    const remap = (seq: number) => seqMap.get(`${i}:${seq}`) ?? seq;
    for (const r0 of s.report.results) {
      const r: ScenarioResult = {
        ...r0,
        ...(r0.evidence ? { evidence: { firstSeq: remap(r0.evidence.firstSeq), lastSeq: remap(r0.evidence.lastSeq) } } : {}),
        assertions: r0.assertions.map((a) => (a.evidence ? { ...a, evidence: a.evidence.map(remap) } : a)),
      };
      const seen = byId.get(r.scenarioId);
      const tag = `${s.report.run.id} ${r.verdict}`;
      if (!seen) byId.set(r.scenarioId, { result: r, runs: [tag] });
      else {
        seen.runs.push(tag);
        if (rank(r.verdict) > rank(seen.result.verdict)) seen.result = r;
      }
    }
  });
  const results = [...byId.values()].map(({ result, runs }) =>
    runs.length > 1 ? { ...result, reason: `${result.reason} [merged: ran ${runs.length} times (${runs.join('; ')}); worst verdict kept]` } : result,
  );

  const reports = sources.map((s) => s.report);
  const uniq = (xs: string[]) => [...new Set(xs)].join(', ');
  const starts = reports.map((r) => r.run.startedAt).sort();
  const ends = reports.map((r) => r.run.finishedAt ?? r.run.startedAt).sort();
  const report: Report = {
    schemaVersion: 1,
    run: {
      id: runId,
      startedAt: starts[0]!,
      finishedAt: ends[ends.length - 1]!,
      harnessVersion: uniq(reports.map((r) => r.run.harnessVersion)),
      libraries: first.run.libraries,
      host: { node: uniq(reports.map((r) => r.run.host.node)), platform: uniq(reports.map((r) => r.run.host.platform)), hostname: uniq(reports.map((r) => r.run.host.hostname)) },
      command: ['hil', 'merge', ...reports.map((r) => r.run.id)],
      ...(!complete || reports.some((r) => r.run.partial) ? { partial: true } : {}),
    },
    target: first.target,
    results,
    summary: summarize(results),
    evidence: evidencePointer(lines),
  };
  writeFileSync(join(out, RUN_FILES.report), `${JSON.stringify(report, null, 2)}\n`);
  return renderRunDirectory(out, { key });
}

function indexHtml(targets: { name: string; sub: string; report: Report }[]): string {
  const rows = targets
    .map((t) => `<tr><td><a href="${h(t.sub)}/report.html">${h(t.name)}</a></td><td>${h(`${t.report.target.identity.vendor} ${t.report.target.identity.model} ${t.report.target.identity.firmware}`)}</td><td>${badge(t.report.summary.overall)}</td><td>${VERDICTS.filter((v) => t.report.summary[v]).map((v) => `${badge(v)} × ${t.report.summary[v]}`).join(' ')}</td></tr>`)
    .join('');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>HIL merged runs</title><style>body{font:14px sans-serif;margin:24px;color:#24292f}table{border-collapse:collapse}td,th{border:1px solid #d8dee4;padding:6px 10px;text-align:left}.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-weight:600;font-size:12px}</style></head>
<body><h1>Merged HIL runs: ${targets.length} targets</h1><table><thead><tr><th>Target</th><th>Device</th><th>Overall</th><th>Verdicts</th></tr></thead><tbody>${rows}</tbody></table></body></html>\n`;
}

export interface MergeResult {
  out: string;
  targets: { name: string; dir: string; report: Report }[];
  key: { path: string; fingerprint: string; generated: boolean };
}

export function mergeRunDirectories(dirs: string[], out: string, opts: { keyPath?: string; key?: LabKey; env?: NodeJS.ProcessEnv } = {}): MergeResult {
  if (!dirs.length) throw new MergeError('nothing to merge');
  if (existsSync(out) && readdirSync(out).length) throw new MergeError(`${out}: exists and is not empty`);
  const sources = dirs.map(loadSource);
  const key = opts.key ?? loadLabKey(opts.keyPath, opts.env);
  const groups = new Map<string, Source[]>();
  for (const s of sources) groups.set(s.report.target.name, [...(groups.get(s.report.target.name) ?? []), s]);
  const keyInfo = { path: key.path, fingerprint: key.fingerprint, generated: key.generated };
  if (groups.size === 1) {
    const r = mergeTarget(sources, out, key);
    return { out, targets: [{ name: r.report.target.name, dir: out, report: r.report }], key: keyInfo };
  }
  const targets: MergeResult['targets'] = [];
  for (const [name, group] of groups) {
    const sub = safeName(name);
    const r = mergeTarget(group, join(out, sub), key);
    targets.push({ name, dir: join(out, sub), report: r.report });
  }
  const listing = targets.map((t) => ({ name: t.name, sub: safeName(t.name), report: t.report }));
  writeFileSync(join(out, 'index.html'), indexHtml(listing));
  writeFileSync(
    join(out, RUN_FILES.summary),
    [`## Merged HIL runs: ${targets.length} targets`, '', '| Target | Firmware | Overall | Scenarios |', '|---|---|---|---|', ...listing.map((t) => `| ${t.name} | ${t.report.target.identity.firmware} | ${t.report.summary.overall} | ${t.report.summary.total} |`), '', 'Per-target reports: `<target>/report.html`; verify with `hil verify <dir>`.', ''].join('\n'),
  );
  writeSignedManifest(out, `merged-index-${sha256Hex(targets.map((t) => t.report.run.id).join('\n')).slice(0, 12)}`, key);
  return { out, targets, key: keyInfo };
}
