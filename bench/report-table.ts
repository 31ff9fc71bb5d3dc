/**
 * The bench's output: one row per figure, hil's median (min–max) next to its reference's, measured in
 * the same run. Written as Markdown (for the README) and JSON (for tooling and the smoke test) to
 * bench/results/latest.{md,json}; smoke runs write latest-smoke.* so they never overwrite a full run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { round, type Summary } from './stats.js';

/** One measured quantity, with the unit it is quoted in. */
export interface Measured extends Summary {
  unit: string;
}

export interface BenchRow {
  /** Stable id (`port-scan.time`, `modbus.rate`, ...) so tools and the smoke test can find a row. */
  id: string;
  /** Issue 7 item number the row answers (1..6). */
  item: number;
  figure: string;
  /** What hil measured; null only when the measurement itself failed (see notes). */
  hil: Measured | null;
  /** Name of the reference and what it measured in the same run; null when the figure has no reference. */
  referenceName?: string;
  reference?: Measured | null;
  /** hil median / reference median, with what that ratio means. */
  ratio?: number | null;
  ratioMeaning?: string;
  repetitions: number;
  notes: string;
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  totalMemGiB: number;
  node: string;
  platform: string;
}

export interface BenchReport {
  date: string;
  mode: 'full' | 'smoke';
  machine: MachineInfo;
  durationS: number;
  rows: BenchRow[];
  /** Figures that could not be measured (missing tool, failure), with why. */
  problems: string[];
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    nproc: c.length,
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    totalMemGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

const num = (v: number): string => {
  if (!Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  return a >= 1000 ? String(Math.round(v)) : a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
};

/** "1234 ms (1200–1300)", or "1234 ms" for a single repetition. */
export function fmtMeasured(m: Measured | null | undefined): string {
  if (m === undefined) return '—';
  if (m === null || m.n === 0) return 'failed';
  const unit = m.unit ? ` ${m.unit}` : '';
  return m.n > 1 && m.min !== m.max ? `${num(m.median)}${unit} (${num(m.min)}–${num(m.max)})` : `${num(m.median)}${unit}`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(r: BenchReport): string {
  const m = r.machine;
  const lines = [
    `# hil bench — ${r.mode} run`,
    '',
    `Date: ${r.date} · machine: ${m.nproc} cores (${m.cpuModel}), ${m.totalMemGiB} GiB RAM · Node ${m.node} · ${m.platform} · bench took ${Math.round(r.durationS)} s`,
    '',
    'Each figure is the median of its repetitions (min–max in parentheses); every reference was measured in the same run on the same machine.',
    '',
    '| # | figure | hil | reference | ratio | reps | notes |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of r.rows) {
    const ref = row.referenceName ? `${fmtMeasured(row.reference)} — ${row.referenceName}` : '—';
    const ratio = row.ratio === undefined || row.ratio === null || !Number.isFinite(row.ratio) ? '—' : `${num(row.ratio)}${row.ratioMeaning ? ` (${row.ratioMeaning})` : ''}`;
    lines.push(`| ${row.item} | ${cell(row.figure)} | ${cell(fmtMeasured(row.hil))} | ${cell(ref)} | ${cell(ratio)} | ${row.repetitions} | ${cell(row.notes)} |`);
  }
  if (r.problems.length) {
    lines.push('', '**Not measured / problems:**', '', ...r.problems.map((p) => `- ${p}`));
  }
  return lines.join('\n') + '\n';
}

function roundMeasured(m: Measured | null | undefined): Measured | null | undefined {
  if (!m) return m;
  return { ...m, median: round(m.median, 3), min: round(m.min, 3), max: round(m.max, 3) };
}

/** JSON with NaN written as null (JSON has no NaN) and figures rounded to 3 decimals. */
export function renderJson(r: BenchReport): string {
  const rows = r.rows.map((row) => ({
    ...row,
    hil: roundMeasured(row.hil),
    ...(row.reference !== undefined ? { reference: roundMeasured(row.reference) } : {}),
    ...(row.ratio !== undefined ? { ratio: row.ratio === null || !Number.isFinite(row.ratio) ? null : round(row.ratio, 3) } : {}),
  }));
  return JSON.stringify({ ...r, rows }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

export function writeReport(r: BenchReport, mdPath: string, jsonPath: string): void {
  mkdirSync(dirname(mdPath), { recursive: true });
  writeFileSync(mdPath, renderMarkdown(r));
  writeFileSync(jsonPath, renderJson(r));
}
