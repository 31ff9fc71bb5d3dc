/**
 * The monitor's own verdict for one fault: evaluates the invariants over the pre/during/post
 * windows and collects their measurements (reaction time, longest heartbeat gap, jitter
 * percentiles, recovery time, the sampler's achieved period). FAIL when an invariant is
 * violated, INCONCLUSIVE when the samples cannot decide (monitor gaps), PASS otherwise.
 */
import type { Verdict } from '../core/verdict.js';
import { configDiff, configDigest } from './config-digest.js';
import { evaluateHeartbeat, type HeartbeatSpec } from './invariants/heartbeat-alive.js';
import type { InvariantResult, OutputExpectation } from './invariants/invariant.js';
import { evaluateNoUncommandedChange } from './invariants/no-uncommanded-change.js';
import { evaluateRecovery } from './invariants/recovery-within.js';
import { evaluateSafeValueReached } from './invariants/safe-value-reached.js';
import type { MonitorSample } from './sample.js';
import type { SamplerStats } from './sampler.js';
import { DEFAULT_MAX_UNOBSERVED_PCT, minHoleMs, observationHoles, unobservedMs } from './unobserved.js';
import { windowDurations, windowSamples, type FaultWindows } from './windows.js';

/**
 * safe-state: the fault must drive the outputs to their safe values (master loss).
 * hold-or-safe: the device keeps local control; outputs hold their commanded values or go safe
 * (degraded mode, CR 7.1), nothing else (storms, link loss, broker outage, malformed input).
 */
export type FaultExpectation = 'safe-state' | 'hold-or-safe';

export interface FaultRunInput {
  samples: readonly MonitorSample[];
  windows: FaultWindows;
  outputs: OutputExpectation[];
  heartbeat?: HeartbeatSpec;
  expectation: FaultExpectation;
  reactionMs: number;
  recoveryMs: number;
  config?: { before: Record<string, unknown>; after: Record<string, unknown> };
  sampler?: SamplerStats;
  /** Fraction of failed monitor reads during the fault above which nothing is decided (default 0.2). */
  maxFailedReadFraction?: number;
  /** Sampler period (ms): samples further apart than two periods leave unobserved time (default: the sampler's). */
  samplerPeriodMs?: number;
  /** Share of the fault window the harness may miss before nothing is decided (%, default 20). */
  maxUnobservedPct?: number;
}

export interface SummaryMeasurement {
  name: string;
  value: number | string | null;
  unit?: string;
  limits?: { min?: number; max?: number; equals?: string | number };
}

export interface MonitorSummary {
  verdict: Extract<Verdict, 'PASS' | 'FAIL' | 'INCONCLUSIVE'>;
  reasons: string[];
  invariants: InvariantResult[];
  measurements: SummaryMeasurement[];
}

export function evaluateFaultRun(input: FaultRunInput): MonitorSummary {
  const { samples, windows: w, outputs } = input;
  const invariants: InvariantResult[] = [];
  const period = input.samplerPeriodMs ?? input.sampler?.periodMs;
  const holes = period ? observationHoles(samples, period, minHoleMs(period, input.heartbeat?.jitterToleranceMs)) : [];
  const maxBlindPct = input.maxUnobservedPct ?? DEFAULT_MAX_UNOBSERVED_PCT;
  const heartbeat = input.heartbeat ? { maxUnobservedPct: maxBlindPct, ...input.heartbeat } : undefined;
  if (input.expectation === 'safe-state') invariants.push(evaluateSafeValueReached(samples, w, outputs, input.reactionMs, holes));
  invariants.push(evaluateNoUncommandedChange(samples, w, outputs, input.expectation === 'safe-state' ? 'to-safe' : 'hold-or-safe'));
  if (heartbeat) {
    invariants.push(evaluateHeartbeat(samples, w.faultStart, w.faultEnd, heartbeat, 'during the fault', holes));
    const post = evaluateHeartbeat(samples, w.faultEnd, w.postEnd + 1e-9, heartbeat, 'after the fault', holes);
    // Only the decision matters after the fault; its numbers would overwrite the during-fault ones.
    invariants.push({ ...post, measurements: { longestHeartbeatGapAfterMs: post.measurements.longestHeartbeatGapMs! } });
  }
  invariants.push(evaluateRecovery(samples, w, outputs, input.recoveryMs, input.heartbeat?.point));
  if (input.config) {
    const a = configDigest(input.config.before);
    const b = configDigest(input.config.after);
    const diff = configDiff(input.config.before, input.config.after);
    invariants.push({
      name: 'configuration unchanged',
      held: a === b,
      reason: a === b ? `configuration digest unchanged (${a.slice(0, 12)}…)` : `configuration changed by the fault: ${diff.join(', ')}`,
      measurements: {},
    });
  }

  const measurements: SummaryMeasurement[] = [];
  for (const inv of invariants) {
    for (const [name, m] of Object.entries(inv.measurements)) {
      const limits = m.max !== undefined || m.min !== undefined ? { ...(m.max !== undefined ? { max: m.max } : {}), ...(m.min !== undefined ? { min: m.min } : {}) } : undefined;
      measurements.push({ name, value: m.value, ...(m.unit ? { unit: m.unit } : {}), ...(limits ? { limits } : {}) });
    }
  }
  const d = windowDurations(w);
  measurements.push({ name: 'preWindowMs', value: Math.round(d.pre), unit: 'ms' }, { name: 'faultWindowMs', value: Math.round(d.during), unit: 'ms' }, { name: 'postWindowMs', value: Math.round(d.post), unit: 'ms' });
  if (input.config) measurements.push({ name: 'configDigestBefore', value: configDigest(input.config.before) }, { name: 'configDigestAfter', value: configDigest(input.config.after) });
  if (input.sampler) {
    const s = input.sampler;
    measurements.push(
      { name: 'monitorPeriodMs', value: s.achievedPeriodMs, unit: 'ms' },
      { name: 'monitorJitterP50Ms', value: s.jitterP50Ms, unit: 'ms' },
      { name: 'monitorJitterP95Ms', value: s.jitterP95Ms, unit: 'ms' },
      { name: 'monitorJitterP99Ms', value: s.jitterP99Ms, unit: 'ms' },
      { name: 'monitorSamples', value: s.samples },
      { name: 'monitorFailedReads', value: s.failedReads },
      { name: 'monitorLateP95Ms', value: s.lateP95Ms ?? null, unit: 'ms' },
      { name: 'monitorLateMaxMs', value: s.lateMaxMs ?? null, unit: 'ms' },
    );
  }
  // Time of the fault window the harness did not observe (its sampler late or failing), and its share.
  const blindMs = unobservedMs(holes, w.faultStart, w.faultEnd);
  const blindPct = d.during > 0 ? Math.round((1000 * blindMs) / d.during) / 10 : 0;
  measurements.push({ name: 'unobservedMs', value: Math.round(blindMs), unit: 'ms' }, { name: 'unobservedPct', value: blindPct, unit: '%', limits: { max: maxBlindPct } });

  const during = windowSamples(samples, w, 'during');
  const failedFraction = during.length ? during.filter((s) => !s.ok).length / during.length : 1;
  const failed = invariants.filter((i) => i.held === false);
  if (failed.length) return { verdict: 'FAIL', reasons: failed.map((i) => i.reason), invariants, measurements };
  if (failedFraction > (input.maxFailedReadFraction ?? 0.2)) {
    return { verdict: 'INCONCLUSIVE', reasons: [`the monitor failed ${Math.round(failedFraction * 100)}% of its reads during the fault: the invariants cannot be judged`], invariants, measurements };
  }
  if (blindPct > maxBlindPct) {
    return { verdict: 'INCONCLUSIVE', reasons: [`the harness did not observe ${Math.round(blindMs)} ms (${blindPct}%) of the fault window (its sampler was late; declared max ${maxBlindPct}%): the invariants cannot be judged`], invariants, measurements };
  }
  const undecided = invariants.filter((i) => i.held === undefined);
  if (undecided.length) return { verdict: 'INCONCLUSIVE', reasons: undecided.map((i) => i.reason), invariants, measurements };
  return { verdict: 'PASS', reasons: invariants.map((i) => i.reason), invariants, measurements };
}
