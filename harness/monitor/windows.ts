/**
 * The window model of one fault: pre (device in normal operation, the baseline), during (fault
 * active) and post (fault cleared, recovery expected). Boundaries are sampler-clock ms.
 */
import type { MonitorSample } from './sample.js';

export interface FaultWindows {
  fault: string;
  preStart: number;
  faultStart: number;
  faultEnd: number;
  postEnd: number;
}

export type WindowName = 'pre' | 'during' | 'post';

export function windowOf(w: FaultWindows, t: number): WindowName | undefined {
  if (t < w.preStart || t > w.postEnd) return undefined;
  if (t < w.faultStart) return 'pre';
  if (t < w.faultEnd) return 'during';
  return 'post';
}

/** Samples with from <= t < to. */
export function samplesBetween(samples: readonly MonitorSample[], from: number, to: number): MonitorSample[] {
  return samples.filter((s) => s.t >= from && s.t < to);
}

export function windowSamples(samples: readonly MonitorSample[], w: FaultWindows, name: WindowName): MonitorSample[] {
  if (name === 'pre') return samplesBetween(samples, w.preStart, w.faultStart);
  if (name === 'during') return samplesBetween(samples, w.faultStart, w.faultEnd);
  return samplesBetween(samples, w.faultEnd, w.postEnd + 1e-9);
}

export function windowDurations(w: FaultWindows): Record<WindowName, number> {
  return { pre: w.faultStart - w.preStart, during: w.faultEnd - w.faultStart, post: w.postEnd - w.faultEnd };
}
