/**
 * Writes monitor samples into the evidence as compact 'sample' records: one record per batch
 * (default 100 ms) with the samples as rows in attrs, so a 10 ms sampler adds ~10 records per
 * second instead of 100, and the HTML timeline still shows the monitor lane continuously.
 */
import type { EvidenceLog } from '../evidence/evidence-log.js';
import type { MonitorSample } from './sample.js';

export interface SampleBatcherOptions {
  evidence: EvidenceLog;
  /** Points (columns) written per row, in this order. */
  points: string[];
  /** Batch length (ms). */
  batchMs?: number;
  conn?: string;
}

export class SampleBatcher {
  private rows: MonitorSample[] = [];
  private readonly batchMs: number;

  constructor(private readonly opts: SampleBatcherOptions) {
    this.batchMs = opts.batchMs ?? 100;
  }

  add(s: MonitorSample): void {
    this.rows.push(s);
    if (s.t - this.rows[0]!.t >= this.batchMs) this.flush();
  }

  flush(): void {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    const t0 = rows[0]!.t;
    const failed = rows.filter((r) => !r.ok).length;
    const last = rows.filter((r) => r.ok).at(-1);
    const summary = last ? this.opts.points.map((p) => `${p}=${String(last.values[p])}`).join(' ') : 'no successful read';
    this.opts.evidence.append({
      channel: 'monitor',
      ...(this.opts.conn ? { conn: this.opts.conn } : {}),
      dir: 'sample',
      text: `${rows.length} samples${failed ? ` (${failed} failed)` : ''}: ${summary}`,
      attrs: {
        // perf-clock ms of the first row; rows are [dt ms, readMs, ...values] (null = failed read).
        t0: Math.round(t0 * 1000) / 1000,
        points: this.opts.points,
        rows: rows.map((r) => [
          Math.round((r.t - t0) * 100) / 100,
          Math.round(r.readMs * 100) / 100,
          ...this.opts.points.map((p) => (r.ok ? (r.values[p] ?? null) : null)),
        ]),
        // The sampler's own worst lateness in this batch (ms): the harness's delay, not the device's.
        lateMaxMs: Math.round(Math.max(0, ...rows.map((r) => r.lateMs ?? 0)) * 100) / 100,
        ...(failed ? { errors: [...new Set(rows.filter((r) => !r.ok).map((r) => r.error))].slice(0, 3) } : {}),
      },
    });
  }
}
