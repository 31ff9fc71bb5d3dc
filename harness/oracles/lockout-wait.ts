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
}

export async function untilUsable(
  surface: AuthSurface,
  username: string,
  password: string,
  o: { fromMs: number; untilMs: number; since: () => number; signal: AbortSignal; sleep: (ms: number) => Promise<void>; pollMs?: number },
): Promise<UsableWait> {
  const poll = o.pollMs ?? 250;
  // Rounded up (+1): a timer may fire a fraction of a millisecond early.
  if (o.since() < o.fromMs) await o.sleep(Math.ceil(o.fromMs - o.since()) + 1);
  let last = { accepted: false, atMs: Math.round(o.since()), detail: 'no attempt' };
  while (!o.signal.aborted) {
    const at = o.since();
    if (at > o.untilMs) break;
    const a = await surface.attempt(username, password, o.signal).catch((e: Error) => ({ outcome: 'error' as const, detail: e.message }));
    last = { accepted: a.outcome === 'accepted', atMs: Math.round(at), detail: a.detail };
    if (last.accepted) break;
    await o.sleep(poll);
  }
  return last;
}
