/**
 * "After the fault clears the device returns to normal within the declared recovery time, by
 * itself": the first sample after the fault end from which every output stays at its normal
 * value until the end of the post-window, and the heartbeat has moved again.
 */
import { valueOf, type MonitorSample } from '../sample.js';
import { windowSamples, type FaultWindows } from '../windows.js';
import { near, type InvariantResult, type OutputExpectation } from './invariant.js';

export function evaluateRecovery(samples: readonly MonitorSample[], w: FaultWindows, outputs: OutputExpectation[], recoveryMs: number, heartbeatPoint?: string): InvariantResult {
  const post = windowSamples(samples, w, 'post').filter((s) => s.ok);
  const name = 'recovery within declared time';
  if (post.length === 0) return { name, held: undefined, reason: 'no monitor sample after the fault cleared', measurements: { recoveryMs: { value: null, unit: 'ms', max: recoveryMs } } };
  let lastAbnormal = -1;
  post.forEach((s, i) => {
    if (outputs.some((o) => { const v = valueOf(s, o.point); return v === undefined || !near(v, o.normal, o.tolerance); })) lastAbnormal = i;
  });
  const outputsBack = post[lastAbnormal + 1];
  let heartbeatBack: number | undefined = w.faultEnd;
  if (heartbeatPoint) {
    heartbeatBack = undefined;
    const first = valueOf(post[0]!, heartbeatPoint);
    for (const s of post) if (valueOf(s, heartbeatPoint) !== first) { heartbeatBack = s.t; break; }
  }
  if (!outputsBack || heartbeatBack === undefined) {
    const last = post.at(-1)!;
    const what = !outputsBack ? outputs.filter((o) => { const v = valueOf(last, o.point); return v === undefined || !near(v, o.normal, o.tolerance); }).map((o) => `${o.point}=${valueOf(last, o.point)} (normal ${o.normal})`).join(', ') : `heartbeat ${heartbeatPoint} frozen`;
    return { name, held: false, reason: `no recovery within ${Math.round(w.postEnd - w.faultEnd)} ms after the fault cleared: ${what}`, measurements: { recoveryMs: { value: null, unit: 'ms', max: recoveryMs } } };
  }
  const rec = Math.max(0, Math.max(outputsBack.t, heartbeatBack) - w.faultEnd);
  const measurements: InvariantResult['measurements'] = { recoveryMs: { value: Math.round(rec), unit: 'ms', max: recoveryMs } };
  if (rec > recoveryMs) return { name, held: false, reason: `recovery took ${Math.round(rec)} ms (declared ${recoveryMs} ms)`, measurements };
  return { name, held: true, reason: `normal operation ${Math.round(rec)} ms after the fault cleared (≤ ${recoveryMs} ms)`, measurements };
}
