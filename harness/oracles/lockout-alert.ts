/**
 * The lock alert, judged on its own: a message about the lock must arrive on the declared alert
 * destination within the window after the N-th failure. Recognised by `policy.alerts.match` on
 * `payloadKey` (default: "lock" anywhere in the payload). The wait ends when the alert arrives.
 *
 * Walks that run concurrently (harness/oracles/lockout-lanes.ts) lock other accounts in the same
 * window, and their alerts land on the same destination. Then only an alert that names this lock's
 * account, and not the other walks' accounts, is this lock's; none at all is a FAIL, and alerts
 * that cannot be told apart leave the check INCONCLUSIVE (a sequential run could decide it).
 */
import { Findings, type Judgement } from '../core/finding.js';
import { compilePattern } from '../profile/pattern.js';
import type { TargetProfile } from '../profile/target-schema.js';
import type { AuthSurface } from '../protocols/capabilities/auth-surface.js';
import type { AlertFeed } from '../protocols/capabilities/alerts.js';
import type { ClosableSurface } from '../protocols/protocol.js';

const ALERT_MATCH = /lock/i;
/** How often the feed is looked at while waiting (it fills in the background; no device traffic). */
const FEED_POLL_MS = 50;

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

/**
 * Wrong passwords sent per lane (at send time), so a lock alert can be told from the locks of the
 * walks running beside it.
 */
export class FailureLog {
  private readonly sent: { lane: number; username: string; at: number }[] = [];

  /** The surface, logging every attempt with `bad` as the password before it is sent. */
  watch(surface: ClosableSurface, lane: number, bad: string): ClosableSurface {
    const attempt: AuthSurface['attempt'] = (username, password, signal) => {
      if (password === bad) this.sent.push({ lane, username, at: Date.now() });
      return surface.attempt(username, password, signal);
    };
    // Only what the lockout procedures use; a surface holding a line keeps its close (they reopen with it).
    return { iface: surface.iface, attempt, ...(surface.close ? { close: () => surface.close!() } : {}) };
  }

  /** Accounts other lanes sent wrong passwords for between `from` and `to` (ms since the epoch). */
  others(lane: number, from: number, to: number): string[] {
    return [...new Set(this.sent.filter((s) => s.lane !== lane && s.at >= from && s.at <= to).map((s) => s.username))];
  }
}

/** Who was locked, and the accounts other concurrent walks may have locked meanwhile. */
export interface AlertOwner {
  username: string;
  /** Accounts of other walks that sent wrong passwords between `from` and `to` (ms since the epoch). */
  rivals: (from: number, to: number) => string[];
}

const names = (text: string, user: string) => new RegExp(`(^|[^\\w.-])${user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w.-])`).test(text);

/**
 * Waits until the lock alert of the lock at `lockAt` (ms since the epoch) arrives or the window
 * has passed, then judges the feed.
 */
export async function lockAlertJudgement(
  t: TargetProfile,
  iface: string,
  feed: AlertFeed,
  lockAt: number,
  windowMs: number,
  sleep: (ms: number) => Promise<void>,
  owner?: AlertOwner,
  out?: Findings,
): Promise<Judgement> {
  const f = new Findings(out);
  const until = lockAt + windowMs;
  const inWindow = () => feed.messages.filter((m) => m.at >= lockAt && m.at <= until && isLockAlert(t, m.text));
  // A rival lock from up to one window before this one may still alert inside it.
  const rivals = () => owner?.rivals(lockAt - 2 * windowMs, Math.min(Date.now(), until)) ?? [];
  const attribute = () => {
    const msgs = inWindow();
    const others = rivals();
    if (!others.length) return { hit: msgs[0], msgs, others };
    const user = owner!.username;
    const mine = (text: string) => !others.includes(user) && names(text, user) && !others.some((o) => names(text, o));
    const theirs = (text: string) => !names(text, user) && others.some((o) => names(text, o));
    return { hit: msgs.find((m) => mine(m.text)), msgs: msgs.filter((m) => !theirs(m.text)), others };
  };
  let seen = attribute();
  while (!seen.hit && Date.now() < until) {
    await sleep(Math.min(FEED_POLL_MS, until - Date.now()));
    seen = attribute();
  }
  const { hit, msgs, others } = seen;
  f.note(`[${iface}] ${feed.messages.length} message(s) on ${feed.topic}${hit ? `; the lock alert: ${hit.text.slice(0, 200)}` : msgs.length ? `; ${msgs.length} about a lock, not told apart from the concurrent walks' (${others.join(', ')})` : ', none about the lock'}`);
  if (!hit && msgs.length) {
    f.measure(`lockAlertLatency[${iface}]`, null, {
      unit: 'ms',
      limits: { max: windowMs },
      iface,
      onFail: 'INCONCLUSIVE',
      failReason: `lock alert on ${iface} not told apart: ${msgs.length} lock alert(s) on ${feed.topic} within ${windowMs / 1000} s, none naming ${owner!.username} alone, while concurrent walks tried ${others.join(', ')} (run the walks one after another: drop policy.lockout.independentCounters)`,
    });
    return f;
  }
  f.measure(`lockAlertLatency[${iface}]`, hit ? hit.at - lockAt : null, {
    unit: 'ms',
    limits: { max: windowMs },
    iface,
    failReason: `lock on ${iface} raised no alert on ${feed.topic} within ${windowMs / 1000} s`,
  });
  return f;
}
