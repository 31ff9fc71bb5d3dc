import { buildCapture, type CaptureResult } from '../pcap/traffic-capture.js';
import type { RenderInput } from '../runs/render-input.js';
import { RUN_FILES } from '../runs/run-files.js';
import type { ReportWriter } from './report-writer.js';

// One capture per rendering: the writer needs its bytes, the caller its packet count and decode-as ports.
const built = new WeakMap<RenderInput, CaptureResult>();

/** The run's capture (built once per RenderInput). */
export function captureOf(run: RenderInput): CaptureResult {
  let c = built.get(run);
  if (!c) {
    const { report } = run;
    c = buildCapture(run.records, { runId: report.run.id, target: report.target.name, harnessVersion: report.run.harnessVersion });
    built.set(run, c);
  }
  return c;
}

/** traffic.pcapng: the run's traffic for Wireshark/tshark (built by reports/pcap/). */
export const pcapngWriter: ReportWriter = {
  file: RUN_FILES.pcap,
  render: (run) => captureOf(run).pcapng,
};
