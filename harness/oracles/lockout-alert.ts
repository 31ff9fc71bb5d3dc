/**
 * The lock alert, judged on its own: a message about the lock must arrive on the declared alert
 * destination within the window after the N-th failure. Recognised by `policy.alerts.match` on
 * `payloadKey` (default: "lock" anywhere in the payload).
 */
import { Findings, type Judgement } from '../core/finding.js';
import { compilePattern } from '../profile/pattern.js';
import type { TargetProfile } from '../profile/target-schema.js';
import type { AlertFeed } from '../protocols/capabilities/alerts.js';

const ALERT_MATCH = /lock/i;

/** Whether an alert message is about a lock: the declared match on the declared payload key, else "lock" anywhere. */
export function isLockAlert(t: TargetProfile, text: string): boolean {
  const a = t.policy.alerts;
  const match = a?.match ? compilePattern(a.match) : ALERT_MATCH;
  if (!a?.payloadKey) return match.test(text);
  try {
    const v = (JSON.parse(text) as Record<string, unknown>)[a.payloadKey];
    return v !== undefined && match.test(typeof v === 'string' ? v : JSON.stringify(v));
  } catch {
    return false;
  }
}

/** Waits until the window after `lockAt` (ms since the epoch) has passed, then judges the feed. */
export async function lockAlertJudgement(t: TargetProfile, iface: string, feed: AlertFeed, lockAt: number, windowMs: number, sleep: (ms: number) => Promise<void>): Promise<Judgement> {
  const f = new Findings();
  const until = lockAt + windowMs;
  if (Date.now() < until) await sleep(until - Date.now());
  const hit = feed.messages.find((m) => m.at >= lockAt && m.at <= until && isLockAlert(t, m.text));
  f.note(`[${iface}] ${feed.messages.length} message(s) on ${feed.topic}${hit ? `; the lock alert: ${hit.text.slice(0, 200)}` : ', none about the lock'}`);
  f.measure(`lockAlertLatency[${iface}]`, hit ? hit.at - lockAt : null, {
    unit: 'ms',
    limits: { max: windowMs },
    iface,
    failReason: `lock on ${iface} raised no alert on ${feed.topic} within ${windowMs / 1000} s`,
  });
  return f;
}
