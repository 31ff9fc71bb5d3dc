/**
 * "The heartbeat keeps incrementing, with period jitter within tolerance for ≥ 95 % of its
 * periods" (EDSA-style), plus "it never stops": the longest gap without an increment, including
 * the gap still open at the end of the window (a heartbeat that dies never changes again).
 * A change is timed at the sample that shows it; when the sample before it is more than half the
 * tolerance earlier, the change time is too uncertain and that period is not judged.
 */
import { percentile, round2 } from '../stats.js';
import { valueOf, type MonitorSample } from '../sample.js';
import type { InvariantResult } from './invariant.js';

export interface HeartbeatSpec {
  point: string;
  periodMs: number;
  jitterToleranceMs: number;
  /** Fraction of periods that must be within tolerance (default 0.95). */
  minWithinFraction?: number;
  /** Counter modulus (default 65536: a 16-bit register). */
  modulus?: number;
}

export interface HeartbeatAnalysis {
  increments: number;
  judgedPeriods: number;
  unjudged: number;
  withinPct: number | null;
  jitterP50Ms: number | null;
  jitterP95Ms: number | null;
  jitterP99Ms: number | null;
  longestGapMs: number | null;
  /** Gap beyond which the heartbeat counts as stopped. */
  stallMs: number;
}

export function analyseHeartbeat(samples: readonly MonitorSample[], from: number, to: number, spec: HeartbeatSpec): HeartbeatAnalysis {
  const mod = spec.modulus ?? 65536;
  const maxUncertainty = Math.max(1, spec.jitterToleranceMs / 2);
  const stallMs = 2 * (spec.periodMs + spec.jitterToleranceMs);
  const ok = samples.filter((s) => s.ok && s.t >= from && s.t < to && valueOf(s, spec.point) !== undefined);
  const jitter: number[] = [];
  let unjudged = 0;
  let increments = 0;
  let longestGap: number | undefined;
  let prevSample: MonitorSample | undefined;
  let lastChange: { t: number; certain: boolean } | undefined;
  for (const s of ok) {
    const v = valueOf(s, spec.point)!;
    if (prevSample) {
      const pv = valueOf(prevSample, spec.point)!;
      if (v !== pv) {
        let steps = (((v - pv) % mod) + mod) % mod;
        if (steps === 0 || steps > mod / 2) steps = 1; // a reset or a step back: one event, not thousands
        increments += steps;
        const certain = s.t - prevSample.t <= maxUncertainty;
        if (lastChange) {
          const gap = s.t - lastChange.t;
          longestGap = Math.max(longestGap ?? 0, gap);
          if (certain && lastChange.certain) for (let i = 0; i < steps; i++) jitter.push(Math.abs(gap / steps - spec.periodMs));
          else unjudged += steps;
        } else {
          longestGap = Math.max(longestGap ?? 0, s.t - ok[0]!.t);
        }
        lastChange = { t: s.t, certain };
      }
    }
    prevSample = s;
  }
  // The gap still open at the end of the window (or the whole window when nothing changed).
  if (ok.length) longestGap = Math.max(longestGap ?? 0, ok.at(-1)!.t - (lastChange?.t ?? ok[0]!.t));
  const within = jitter.filter((j) => j <= spec.jitterToleranceMs).length;
  return {
    increments,
    judgedPeriods: jitter.length,
    unjudged,
    withinPct: jitter.length ? round2((100 * within) / jitter.length) : null,
    jitterP50Ms: round2(percentile(jitter, 50)),
    jitterP95Ms: round2(percentile(jitter, 95)),
    jitterP99Ms: round2(percentile(jitter, 99)),
    longestGapMs: round2(longestGap),
    stallMs,
  };
}

export function evaluateHeartbeat(samples: readonly MonitorSample[], from: number, to: number, spec: HeartbeatSpec, label = 'during the fault'): InvariantResult {
  const a = analyseHeartbeat(samples, from, to, spec);
  const minPct = 100 * (spec.minWithinFraction ?? 0.95);
  const name = `heartbeat alive ${label}`;
  const measurements: InvariantResult['measurements'] = {
    longestHeartbeatGapMs: { value: a.longestGapMs, unit: 'ms', max: a.stallMs },
    heartbeatWithinTolerancePct: { value: a.withinPct, unit: '%', min: minPct },
    heartbeatJitterP50Ms: { value: a.jitterP50Ms, unit: 'ms' },
    heartbeatJitterP95Ms: { value: a.jitterP95Ms, unit: 'ms' },
    heartbeatJitterP99Ms: { value: a.jitterP99Ms, unit: 'ms' },
    heartbeatIncrements: { value: a.increments },
  };
  if (a.longestGapMs === null) return { name, held: undefined, reason: `no monitor sample of ${spec.point} ${label}`, measurements };
  if (a.longestGapMs > a.stallMs) {
    return { name, held: false, reason: `heartbeat stopped ${label}: ${spec.point} did not change for ${Math.round(a.longestGapMs)} ms (period ${spec.periodMs} ms, tolerance ${spec.jitterToleranceMs} ms)`, measurements };
  }
  if (a.withinPct === null) return { name, held: undefined, reason: `heartbeat periods could not be timed ${label} (monitor samples too sparse: ${a.unjudged} unjudged)`, measurements };
  if (a.withinPct < minPct) {
    return { name, held: false, reason: `heartbeat jitter ${label}: only ${a.withinPct}% of ${a.judgedPeriods} periods within ±${spec.jitterToleranceMs} ms of ${spec.periodMs} ms (need ${minPct}%; p95 ${a.jitterP95Ms} ms)`, measurements };
  }
  return { name, held: true, reason: `heartbeat ${label}: ${a.withinPct}% of ${a.judgedPeriods} periods within tolerance, longest gap ${Math.round(a.longestGapMs)} ms`, measurements };
}
