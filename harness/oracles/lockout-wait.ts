/**
 * Waiting out a lock: poll the good login from `fromMs` until it is accepted or `untilMs` has
 * passed (both on the caller's clock, `since()`, e.g. ms since the lock began). Every device wait
 * is bounded by the declared timings the caller derives `untilMs` from.
 */
import type { AuthSurface } from '../protocols/capabilities/auth-surface.js';

export interface UsableWait {
  accepted: boolean;
  /** When the deciding attempt BEGAN on the caller's clock (the unlock is dated by it). */
  atMs: number;
  detail: string;
  /**
   * When the latest attempt the device REFUSED began (on the caller's clock): the lock provably
   * held after that moment. An attempt that ended in error is no refusal.
   */
  refusedAtMs?: number;
}

export async function untilUsable(
  surface: AuthSurface,
  username: string,
  password: string,
  o: {
    fromMs: number;
    untilMs: number;
    since: () => number;
    signal: AbortSignal;
    sleep: (ms: number) => Promise<void>;
    pollMs?: number;
    /** The poll that would cross this moment is sent just past it instead (a refusal there proves a lock held past it). */
    probeAfterMs?: number;
  },
): Promise<UsableWait> {
  const poll = o.pollMs ?? 250;
  // Rounded up (+1): a timer may fire a fraction of a millisecond early.
  if (o.since() < o.fromMs) await o.sleep(Math.ceil(o.fromMs - o.since()) + 1);
  let last: UsableWait = { accepted: false, atMs: Math.round(o.since()), detail: 'no attempt' };
  while (!o.signal.aborted) {
    const at = o.since();
    if (at > o.untilMs) break;
    const a = await surface.attempt(username, password, o.signal).catch((e: Error) => ({ outcome: 'error' as const, detail: e.message }));
    const refusedAtMs = a.outcome === 'refused' || a.outcome === 'locked' ? Math.round(at) : last.refusedAtMs;
    last = { accepted: a.outcome === 'accepted', atMs: Math.round(at), detail: a.detail, ...(refusedAtMs !== undefined ? { refusedAtMs } : {}) };
    if (last.accepted) break;
    const toProbe = o.probeAfterMs === undefined ? 0 : o.probeAfterMs + 1 - o.since();
    await o.sleep(toProbe > 0 ? Math.min(poll, Math.ceil(toProbe)) : poll);
  }
  return last;
}
