/**
 * "Each output reaches its declared safe value within the reaction time and stays there while
 * the fault lasts." Reaction is measured from the fault start (for master loss: the end of the
 * last master request) to the first sample from which the output stays at its safe value. When
 * the harness did not observe the time before that sample (a hole, unobserved.ts), the device
 * may have reacted anywhere in the hole: late only if the hole began after the deadline.
 */
import { valueOf, type MonitorSample } from '../sample.js';
import { unobservedMs, type ObservationHole } from '../unobserved.js';
import { windowSamples, type FaultWindows } from '../windows.js';
import { near, type InvariantResult, type OutputExpectation } from './invariant.js';

export function evaluateSafeValueReached(samples: readonly MonitorSample[], w: FaultWindows, outputs: OutputExpectation[], reactionMs: number, holes: readonly ObservationHole[] = []): InvariantResult {
  const during = windowSamples(samples, w, 'during').filter((s) => s.ok);
  if (during.length === 0) return { name: 'safe value reached within reaction time', held: undefined, reason: 'no monitor sample during the fault', measurements: { reactionMs: { value: null, unit: 'ms', max: reactionMs } } };
  const perOutput: { point: string; reactionMs: number | undefined; earliestMs: number | undefined; last: number | undefined; safe: number; tol: number }[] = [];
  for (const o of outputs) {
    // Latest sample that is NOT safe; the safe state begins at the sample after it.
    let lastUnsafe = -1;
    during.forEach((s, i) => {
      const v = valueOf(s, o.point);
      if (v === undefined || !near(v, o.safe, o.tolerance)) lastUnsafe = i;
    });
    const first = during[lastUnsafe + 1];
    // Earliest time the device could have reacted: before `first`, less what nobody observed.
    const before = lastUnsafe >= 0 ? during[lastUnsafe]!.t : w.faultStart;
    const earliest = first ? first.t - unobservedMs(holes, before, first.t) - w.faultStart : undefined;
    perOutput.push({ point: o.point, reactionMs: first ? first.t - w.faultStart : undefined, earliestMs: earliest, last: valueOf(during.at(-1)!, o.point), safe: o.safe, tol: o.tolerance });
  }
  const never = perOutput.filter((p) => p.reactionMs === undefined);
  const worst = never.length ? undefined : Math.max(...perOutput.map((p) => p.reactionMs!));
  const measurements: InvariantResult['measurements'] = { reactionMs: { value: worst === undefined ? null : Math.round(worst), unit: 'ms', max: reactionMs } };
  for (const p of perOutput) measurements[`reactionMs.${p.point}`] = { value: p.reactionMs === undefined ? null : Math.round(p.reactionMs), unit: 'ms', max: reactionMs };
  const fmtSafe = (p: (typeof perOutput)[number]) => `${p.safe}${p.tol ? `±${p.tol}` : ''}`;
  if (never.length) {
    const span = Math.round(w.faultEnd - w.faultStart);
    return {
      name: 'safe value reached within reaction time',
      held: false,
      reason: `output${never.length > 1 ? 's' : ''} held an unsafe value for the whole ${span} ms fault window (declared reaction ${reactionMs} ms): ${never.map((p) => `${p.point}=${p.last} (safe ${fmtSafe(p)})`).join(', ')}`,
      measurements,
    };
  }
  if (worst! > reactionMs) {
    const late = perOutput.filter((p) => p.reactionMs! > reactionMs);
    const provenLate = late.filter((p) => p.earliestMs! > reactionMs);
    if (provenLate.length === 0) {
      return { name: 'safe value reached within reaction time', held: undefined, reason: `safe state seen after ${late.map((p) => `${p.point} ${Math.round(p.reactionMs!)} ms`).join(', ')} (declared ${reactionMs} ms), but the harness did not observe the time before: the reaction may have been in time`, measurements };
    }
    return { name: 'safe value reached within reaction time', held: false, reason: `safe state too late: ${late.map((p) => `${p.point} after ${Math.round(p.reactionMs!)} ms`).join(', ')} (declared ${reactionMs} ms)`, measurements };
  }
  return { name: 'safe value reached within reaction time', held: true, reason: `all outputs at their safe values after ${Math.round(worst!)} ms (≤ ${reactionMs} ms)`, measurements };
}
