import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../harness/core/result-schema.js';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import type { Redactor } from '../../harness/evidence/redactor.js';
import { renderHtmlReport } from '../html/html-report.js';
import { renderJunit } from '../writers/junit.js';
import { loadLabKey, type LabKey } from '../signing/lab-key.js';
import { readEvidence, readReport, RunDirError } from './load-run.js';
import { writeSignedManifest } from '../signing/manifest.js';
import { renderMarkdownSummary } from '../writers/markdown.js';
import { reconcileReport } from './partial-report.js';
import { RUN_FILES } from './run-files.js';
import { buildCapture, type CaptureResult } from '../pcap/traffic-capture.js';

export interface RenderOptions {
  /** Lab key path (`--key`); else HIL_LAB_KEY, else the default key, generated on first use. */
  keyPath?: string;
  /** Loaded key, for callers that sign several directories. */
  key?: LabKey;
  /** The run's redactor: a last line of defence, applied to everything rendered. */
  redactor?: Redactor;
  env?: NodeJS.ProcessEnv;
}

export interface RenderResult {
  dir: string;
  report: Report;
  /** report.json was written (rebuilt or completed from the evidence, or redacted). */
  reportRewritten: boolean;
  key: { path: string; fingerprint: string; generated: boolean };
  decodeAs: CaptureResult['decodeAs'];
  packets: number;
}

function redactRecord(r: EvidenceRecord, red: Redactor): EvidenceRecord {
  return {
    ...r,
    ...(r.data !== undefined ? { data: red.bytes(Buffer.from(r.data, 'hex')).toString('hex') } : {}),
    ...(r.text !== undefined ? { text: red.text(r.text) } : {}),
    ...(r.attrs !== undefined ? { attrs: red.value(r.attrs) } : {}),
  };
}

/** report.json as written, unless it was torn by a kill (then rebuilt from the evidence). */
function readReportOrTorn(dir: string): Report | undefined {
  const path = join(dir, RUN_FILES.report);
  if (!existsSync(path)) return undefined;
  try {
    JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  return readReport(dir);
}

/**
 * Renders every report of a run directory from report.json and evidence.jsonl (rebuilding or
 * completing report.json from the evidence when the run was cut short), then writes
 * manifest.json and manifest.sig last, over every other file. evidence.jsonl is never modified.
 */
export function renderRunDirectory(dir: string, opts: RenderOptions = {}): RenderResult {
  const existing = readReportOrTorn(dir);
  const ev = readEvidence(dir);
  if (!existing && ev.records.length === 0) throw new RunDirError(`${dir}: neither report.json nor evidence.jsonl records: not a run directory`);
  const red = opts.redactor;
  const records = red ? ev.records.map((r) => redactRecord(r, red)) : ev.records;

  let { report, changed } = reconcileReport(existing, records, ev.lines);
  let reportText = `${JSON.stringify(report, null, 2)}\n`;
  if (red && red.size) {
    const clean = red.text(reportText);
    if (clean !== reportText) {
      reportText = clean;
      report = JSON.parse(clean) as Report;
      changed = true;
    }
  }
  if (changed) writeFileSync(join(dir, RUN_FILES.report), reportText);

  const out = (s: string) => (red ? red.text(s) : s);
  writeFileSync(join(dir, RUN_FILES.junit), out(renderJunit(report)));
  writeFileSync(join(dir, RUN_FILES.html), out(renderHtmlReport(report, records)));
  writeFileSync(join(dir, RUN_FILES.summary), out(renderMarkdownSummary(report)));
  const capture = buildCapture(records, { runId: report.run.id, target: report.target.name, harnessVersion: report.run.harnessVersion });
  writeFileSync(join(dir, RUN_FILES.pcap), capture.pcapng);

  const key = opts.key ?? loadLabKey(opts.keyPath, opts.env);
  writeSignedManifest(dir, report.run.id, key);
  return {
    dir,
    report,
    reportRewritten: changed,
    key: { path: key.path, fingerprint: key.fingerprint, generated: key.generated },
    decodeAs: capture.decodeAs,
    packets: capture.packets,
  };
}
