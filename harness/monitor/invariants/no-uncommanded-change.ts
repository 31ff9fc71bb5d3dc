/**
 * "No uncommanded output change": across pre, during and post, every output shows either its
 * normal (commanded) value or its declared safe value, never anything else. Before the fault
 * only the normal value is allowed (a safe value there means the device was not in normal
 * operation, or tripped by itself). With `mode: 'to-safe'` (master loss) the fault may move an
 * output to safe once; flapping back to normal while the fault lasts is an uncommanded change.
 * With `mode: 'hold-or-safe'` (storms, link loss: CR 7.1 degraded mode) either value may show.
 */
import { valueOf, type MonitorSample } from '../sample.js';
import { windowOf, type FaultWindows } from '../windows.js';
import { near, type InvariantResult, type OutputExpectation } from './invariant.js';

export type ChangeMode = 'to-safe' | 'hold-or-safe';

export function evaluateNoUncommandedChange(samples: readonly MonitorSample[], w: FaultWindows, outputs: OutputExpectation[], mode: ChangeMode): InvariantResult {
  const violations: string[] = [];
  let count = 0;
  for (const o of outputs) {
    let reachedSafe = false;
    for (const s of samples) {
      const win = windowOf(w, s.t);
      const v = valueOf(s, o.point);
      if (!win || v === undefined) continue;
      const isNormal = near(v, o.normal, o.tolerance);
      const isSafe = near(v, o.safe, o.tolerance);
      let bad: string | undefined;
      if (!isNormal && !isSafe) bad = `${o.point}=${v} (neither commanded ${o.normal} nor safe ${o.safe})`;
      else if (win === 'pre' && !isNormal) bad = `${o.point}=${v} before the fault (commanded ${o.normal})`;
      else if (win === 'during' && mode === 'to-safe') {
        if (isSafe && !isNormal) reachedSafe = true;
        else if (reachedSafe && isNormal) bad = `${o.point} went back to ${v} while the fault lasted`;
      }
      if (bad) {
        count++;
        if (violations.length < 5) violations.push(`${bad} at +${Math.round(s.t - w.faultStart)} ms from fault start`);
      }
    }
  }
  const measurements: InvariantResult['measurements'] = { uncommandedChangeSamples: { value: count, max: 0 } };
  if (count) return { name: 'no uncommanded output change', held: false, reason: `uncommanded output change: ${violations.join('; ')}${count > violations.length ? ` (+${count - violations.length} more samples)` : ''}`, measurements };
  return { name: 'no uncommanded output change', held: true, reason: 'outputs only showed their commanded or safe values', measurements };
}
