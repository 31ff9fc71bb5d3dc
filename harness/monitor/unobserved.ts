/**
 * Time the harness could not observe. Between two successful samples, everything after the first
 * sampler period is a hole: the sampler was late (its thread stalled, the machine was loaded) or
 * its reads failed. Only holes of at least `minHoleMs` count: a shorter one cannot hide anything
 * the checks judge (the monitor judges at the heartbeat's jitter tolerance, not finer). A device
 * gap that overlaps a hole is not a device gap for that part: nobody looked. Holes are the
 * harness's, never the device's.
 */
import type { MonitorSample } from './sample.js';

export interface ObservationHole {
  from: number;
  to: number;
}

export function observationHoles(samples: readonly MonitorSample[], periodMs: number, minHoleMs = periodMs): ObservationHole[] {
  const holes: ObservationHole[] = [];
  let prev: MonitorSample | undefined;
  for (const s of samples) {
    if (!s.ok) continue;
    if (prev && s.t - prev.t - periodMs >= Math.max(minHoleMs, periodMs)) holes.push({ from: prev.t + periodMs, to: s.t });
    prev = s;
  }
  return holes;
}

/** Shortest hole that matters for a window judged at `resolutionMs` (heartbeat tolerance), at least two sampler periods. */
export function minHoleMs(periodMs: number, resolutionMs = MIN_HOLE_WITHOUT_HEARTBEAT_MS): number {
  return Math.max(2 * periodMs, resolutionMs);
}

/** Resolution of a window without a heartbeat: reaction and recovery times are judged in hundreds of ms. */
const MIN_HOLE_WITHOUT_HEARTBEAT_MS = 50;

/** How much of [from, to) the holes cover (ms). */
export function unobservedMs(holes: readonly ObservationHole[], from: number, to: number): number {
  let sum = 0;
  for (const h of holes) sum += Math.max(0, Math.min(h.to, to) - Math.max(h.from, from));
  return sum;
}

/** The share of [from, to) the harness did not observe, in percent (0 for an empty span). */
export function unobservedPct(holes: readonly ObservationHole[], from: number, to: number): number {
  return to > from ? (100 * unobservedMs(holes, from, to)) / (to - from) : 0;
}

/** Default share of a window the harness may miss before a timing check cannot decide. */
export const DEFAULT_MAX_UNOBSERVED_PCT = 20;
