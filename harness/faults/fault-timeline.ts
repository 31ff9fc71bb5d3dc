/**
 * Marks the pre/during/post windows of one fault on the sampler's clock and writes each
 * boundary into the evidence as a 'fault' record, so the HTML timeline shows the fault on the
 * same axis as the traffic and the monitor samples.
 */
import type { EvidenceLog } from '../evidence/evidence-log.js';
import type { FaultWindows } from '../monitor/windows.js';

export type FaultBoundary = 'pre-start' | 'fault-start' | 'fault-end' | 'post-end';

export class FaultTimeline {
  private readonly marks: Partial<Record<FaultBoundary, number>> = {};

  constructor(
    readonly fault: string,
    private readonly evidence: EvidenceLog,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Record a boundary (at `t`, default now) with details of the fault (mode, rate, ...). */
  mark(boundary: FaultBoundary, attrs: Record<string, unknown> = {}, t = this.now()): number {
    this.marks[boundary] = t;
    this.evidence.append({
      channel: 'fault',
      dir: 'fault',
      text: `${this.fault}: ${boundary}${Object.keys(attrs).length ? ` ${Object.entries(attrs).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ')}` : ''}`,
      attrs: { fault: this.fault, boundary, perfMs: Math.round(t * 1000) / 1000, ...attrs },
    });
    return t;
  }

  /** The time of a boundary already marked; throws when it is not (a scenario bug). */
  at(boundary: FaultBoundary): number {
    const t = this.marks[boundary];
    if (t === undefined) throw new Error(`fault ${this.fault}: ${boundary} not marked yet`);
    return t;
  }

  has(boundary: FaultBoundary): boolean {
    return this.marks[boundary] !== undefined;
  }

  /** The windows; throws when a boundary is missing (a scenario bug, not a device verdict). */
  windows(): FaultWindows {
    const m = this.marks;
    if (m['pre-start'] === undefined || m['fault-start'] === undefined || m['fault-end'] === undefined || m['post-end'] === undefined) {
      throw new Error(`fault ${this.fault}: window boundaries incomplete (${Object.keys(m).join(', ')})`);
    }
    return { fault: this.fault, preStart: m['pre-start'], faultStart: m['fault-start'], faultEnd: m['fault-end'], postEnd: m['post-end'] };
  }
}
