/**
 * "The heartbeat keeps incrementing, with period jitter within tolerance for ≥ 95 % of its
 * periods" (EDSA-style), plus "it never stops": the longest gap without an increment, including
 * the gap still open at the end of the window (a heartbeat that dies never changes again).
 * A change is timed at the sample that shows it; when the sample before it was issued more than half
 * the tolerance before this one answered, the change time is too uncertain and that period is not
 * judged (a slow read is as uncertain as a late one).
 * Criteria as labs state them: the share of periods within tolerance (default ≥ 95 %) and the
 * maximum outage (default two periods plus two tolerances). Time the harness did not observe
 * (unobserved.ts) is taken out of every gap: a gap is the device's only where someone looked.
 */
import { percentile, round2 } from '../stats.js';
import { valueOf, type MonitorSample } from '../sample.js';
import { DEFAULT_MAX_UNOBSERVED_PCT, unobservedMs, type ObservationHole } from '../unobserved.js';
import type { InvariantResult } from './invariant.js';

export interface HeartbeatSpec {
  point: string;
  periodMs: number;
  jitterToleranceMs: number;
  /** Fraction of periods that must be within tolerance (default 0.95). */
  minWithinFraction?: number;
  /** Counter modulus (default 65536: a 16-bit register). */
  modulus?: number;
  /** Longest outage allowed (ms); default 2 × (period + tolerance). */
  maxOutageMs?: number;
  /** Share of the window the harness may miss before the check cannot decide (%, default 20). */
  maxUnobservedPct?: number;
}

export interface HeartbeatAnalysis {
  increments: number;
  judgedPeriods: number;
  unjudged: number;
  withinPct: number | null;
  jitterP50Ms: number | null;
  jitterP95Ms: number | null;
  jitterP99Ms: number | null;
  /** Longest gap without a change, less the time the harness did not observe inside it. */
  longestGapMs: number | null;
  /** The same gap as seen, unobserved time included. */
  longestObservedGapMs: number | null;
  /** Gap beyond which the heartbeat counts as stopped (the declared maximum outage). */
  stallMs: number;
  /** Time of [from, to) the harness did not observe, and its share. */
  unobservedMs: number;
  unobservedPct: number | null;
}

export function analyseHeartbeat(samples: readonly MonitorSample[], from: number, to: number, spec: HeartbeatSpec, holes: readonly ObservationHole[] = []): HeartbeatAnalysis {
  const mod = spec.modulus ?? 65536;
  const maxUncertainty = Math.max(1, spec.jitterToleranceMs / 2);
  const stallMs = spec.maxOutageMs ?? 2 * (spec.periodMs + spec.jitterToleranceMs);
  // A gap between a and b, less what nobody observed of it.
  let longestObserved: number | undefined;
  const deviceGap = (a: number, b: number) => {
    longestObserved = Math.max(longestObserved ?? 0, b - a);
    return b - a - unobservedMs(holes, a, b);
  };
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
        // The change happened after the previous read was issued and before this read answered.
        const certain = s.t + s.readMs - prevSample.t <= maxUncertainty;
        if (lastChange) {
          const gap = s.t - lastChange.t;
          longestGap = Math.max(longestGap ?? 0, deviceGap(lastChange.t, s.t));
          if (certain && lastChange.certain) for (let i = 0; i < steps; i++) jitter.push(Math.abs(gap / steps - spec.periodMs));
          else unjudged += steps;
        } else {
          longestGap = Math.max(longestGap ?? 0, deviceGap(ok[0]!.t, s.t));
        }
        lastChange = { t: s.t, certain };
      }
    }
    prevSample = s;
  }
  // The gap still open at the end of the window (or the whole window when nothing changed).
  if (ok.length) longestGap = Math.max(longestGap ?? 0, deviceGap(lastChange?.t ?? ok[0]!.t, ok.at(-1)!.t));
  const within = jitter.filter((j) => j <= spec.jitterToleranceMs).length;
  const blind = unobservedMs(holes, from, to);
  const span = Number.isFinite(to - from) ? to - from : ok.length ? ok.at(-1)!.t - ok[0]!.t : 0;
  return {
    increments,
    judgedPeriods: jitter.length,
    unjudged,
    withinPct: jitter.length ? round2((100 * within) / jitter.length) : null,
    jitterP50Ms: round2(percentile(jitter, 50)),
    jitterP95Ms: round2(percentile(jitter, 95)),
    jitterP99Ms: round2(percentile(jitter, 99)),
    longestGapMs: round2(longestGap),
    longestObservedGapMs: round2(longestObserved),
    stallMs,
    unobservedMs: round2(blind) ?? 0,
    unobservedPct: span > 0 ? round2((100 * blind) / span) : null,
  };
}

export function evaluateHeartbeat(
  samples: readonly MonitorSample[],
  from: number,
  to: number,
  spec: HeartbeatSpec,
  label = 'during the fault',
  holes: readonly ObservationHole[] = [],
): InvariantResult {
  const a = analyseHeartbeat(samples, from, to, spec, holes);
  const minPct = 100 * (spec.minWithinFraction ?? 0.95);
  const maxBlindPct = spec.maxUnobservedPct ?? DEFAULT_MAX_UNOBSERVED_PCT;
  const name = `heartbeat alive ${label}`;
  const measurements: InvariantResult['measurements'] = {
    longestHeartbeatGapMs: { value: a.longestGapMs, unit: 'ms', max: a.stallMs },
    heartbeatWithinTolerancePct: { value: a.withinPct, unit: '%', min: minPct },
    heartbeatJitterP50Ms: { value: a.jitterP50Ms, unit: 'ms' },
    heartbeatJitterP95Ms: { value: a.jitterP95Ms, unit: 'ms' },
    heartbeatJitterP99Ms: { value: a.jitterP99Ms, unit: 'ms' },
    heartbeatIncrements: { value: a.increments },
    heartbeatUnobservedMs: { value: a.unobservedMs, unit: 'ms' },
    heartbeatUnobservedPct: { value: a.unobservedPct, unit: '%', max: maxBlindPct },
  };
  const blind = a.unobservedMs >= 1 ? `, ${Math.round(a.unobservedMs)} ms unobserved by the harness` : '';
  if (a.longestGapMs === null) return { name, held: undefined, reason: `no monitor sample of ${spec.point} ${label}`, measurements };
  // FAIL first: a gap the harness watched all through is the device's, whatever else went on.
  if (a.longestGapMs > a.stallMs) {
    const seen = a.longestObservedGapMs !== null && a.longestObservedGapMs - a.longestGapMs >= 1 ? ` (${Math.round(a.longestObservedGapMs)} ms with the time the harness did not observe)` : '';
    return { name, held: false, reason: `heartbeat stopped ${label}: ${spec.point} did not change for ${Math.round(a.longestGapMs)} ms${seen} (period ${spec.periodMs} ms, tolerance ${spec.jitterToleranceMs} ms, max outage ${a.stallMs} ms)`, measurements };
  }
  if (a.unobservedPct !== null && a.unobservedPct > maxBlindPct) {
    return { name, held: undefined, reason: `heartbeat ${label} not judged: the harness did not observe ${Math.round(a.unobservedMs)} ms (${a.unobservedPct}%) of the window (its sampler was late; declared max ${maxBlindPct}%)`, measurements };
  }
  if (a.withinPct === null) return { name, held: undefined, reason: `heartbeat periods could not be timed ${label} (monitor samples too sparse: ${a.unjudged} unjudged${blind})`, measurements };
  if (a.withinPct < minPct) {
    return { name, held: false, reason: `heartbeat jitter ${label}: only ${a.withinPct}% of ${a.judgedPeriods} periods within ±${spec.jitterToleranceMs} ms of ${spec.periodMs} ms (need ≥ ${minPct}%; p95 ${a.jitterP95Ms} ms; longest outage ${Math.round(a.longestGapMs)} ms, max ${a.stallMs} ms)`, measurements };
  }
  return { name, held: true, reason: `heartbeat ${label}: ${a.withinPct}% of ${a.judgedPeriods} periods within ±${spec.jitterToleranceMs} ms (need ≥ ${minPct}%), longest outage ${Math.round(a.longestGapMs)} ms (max ${a.stallMs} ms)${blind}`, measurements };
}
