import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../harness/core/result-schema.js';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import type { Redactor } from '../../harness/evidence/redactor.js';
import { loadLabKey, type LabKey } from '../signing/lab-key.js';
import { writeSignedManifest } from '../signing/manifest.js';
import { writeAttestation } from '../signing/attestation.js';
import { REPORT_WRITERS } from '../writers/index.js';
import { captureOf } from '../writers/pcapng.js';
import type { CaptureResult } from '../pcap/traffic-capture.js';
import { readEvidence, readReport, RunDirError } from './load-run.js';
import { reconcileReport, type Correction } from './partial-report.js';
import type { RenderInput } from './render-input.js';
import { outstandingInRun, type OutstandingRestoration } from './restore-logs.js';
import { RUN_FILES } from './run-files.js';

export interface RenderOptions {
  /** Lab key path (`--key`); else HIL_LAB_KEY, else the default key, generated on first use. */
  keyPath?: string;
  /** Loaded key, for callers that sign several directories. */
  key?: LabKey;
  /** The run's redactor: applied to everything rendered. */
  redactor?: Redactor;
  env?: NodeJS.ProcessEnv;
  /**
   * The runner's in-memory report: rendered (completed from the evidence if scenarios are missing)
   * and written as report.json, instead of reading report.json from the directory.
   */
  report?: Report;
}

export interface RenderResult {
  dir: string;
  report: Report;
  /** report.json was rebuilt or completed from the evidence, or redacted, and written. */
  reportRewritten: boolean;
  /** Verdicts of report.json that the evidence does not back, replaced by the evidence's. */
  corrected: Correction[];
  key: { path: string; fingerprint: string; generated: boolean };
  decodeAs: CaptureResult['decodeAs'];
  packets: number;
  /** Restorations nobody completed (listed in the reports too). */
  outstanding: OutstandingRestoration[];
  /** Seq of the last evidence record (what a partial run ends at). */
  lastSeq?: number;
}

function redactRecord(r: EvidenceRecord, red: Redactor): EvidenceRecord {
  return {
    ...r,
    ...(r.data !== undefined ? { data: red.bytes(Buffer.from(r.data, 'hex')).toString('hex') } : {}),
    ...(r.text !== undefined ? { text: red.text(r.text) } : {}),
    ...(r.attrs !== undefined ? { attrs: red.value(r.attrs) } : {}),
  };
}

/** The report with every secret replaced; `redacted` when that changed anything. */
function redactReport(report: Report, red: Redactor | undefined): { report: Report; redacted: boolean } {
  if (!red || !red.size) return { report, redacted: false };
  const text = JSON.stringify(report);
  const clean = red.text(text);
  return clean === text ? { report, redacted: false } : { report: JSON.parse(clean) as Report, redacted: true };
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
 * Renders every report of a run directory with the writers of reports/writers/, from the runner's
 * report (`opts.report`) or report.json, and evidence.jsonl (rebuilding or completing the report
 * from the evidence when the run was cut short), then writes manifest.json and manifest.sig last,
 * over every other file. evidence.jsonl is read once and never modified; the evidence and the
 * report are redacted once, here, before any writer sees them.
 */
export function renderRunDirectory(dir: string, opts: RenderOptions = {}): RenderResult {
  const existing = opts.report ?? readReportOrTorn(dir);
  const ev = readEvidence(dir);
  if (!existing && ev.records.length === 0) throw new RunDirError(`${dir}: neither report.json nor evidence.jsonl records: not a run directory`);
  const red = opts.redactor;
  const records = red ? ev.records.map((r) => redactRecord(r, red)) : ev.records;
  const reconciled = reconcileReport(existing, records, ev.lines);
  const { report, redacted } = redactReport(reconciled.report, red);
  const outstanding = outstandingInRun(dir, records);
  // report.json names what is still changed on the device (it changes when `hil restore` puts it back).
  const restorationsChanged = JSON.stringify(report.outstandingRestorations ?? []) !== JSON.stringify(outstanding);
  if (outstanding.length) report.outstandingRestorations = outstanding;
  else delete report.outstandingRestorations;
  const rewritten = reconciled.changed || redacted || restorationsChanged;

  const run: RenderInput = { report, records, outstanding };
  // A last pass over text output: a writer can join pieces (a console transcript of several
  // records) into a secret that no single record held.
  const finalText = (s: string) => (red ? red.text(s) : s);
  for (const writer of REPORT_WRITERS) {
    if (writer.canonical && !rewritten && opts.report === undefined) continue;
    const body = writer.render(run);
    writeFileSync(join(dir, writer.file), typeof body === 'string' ? finalText(body) : body);
  }

  const key = opts.key ?? loadLabKey(opts.keyPath, opts.env);
  const manifest = writeSignedManifest(dir, report.run.id, key);
  writeAttestation(dir, manifest, report, key);
  const capture = captureOf(run);
  return {
    dir,
    report,
    reportRewritten: rewritten,
    corrected: reconciled.corrected,
    key: { path: key.path, fingerprint: key.fingerprint, generated: key.generated },
    decodeAs: capture.decodeAs,
    packets: capture.packets,
    outstanding: run.outstanding ?? [],
    ...(records.length ? { lastSeq: records[records.length - 1]!.seq } : {}),
  };
}
