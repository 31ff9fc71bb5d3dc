import { isRefusal, type AuthAttempt, type AuthSurface } from '../protocols/capabilities/auth-surface.js';
import { untilUsable } from './lockout-wait.js';

/** Declared lockout policy, in the terms the walk needs. */
export interface LockoutPolicy {
  threshold: number;
  durationMs: number;
  toleranceMs: number;
  resetOnSuccess: boolean;
}

export interface LockoutStep {
  label: string;
  password: 'good' | 'bad';
  outcome: AuthAttempt['outcome'];
  detail: string;
  /** When the attempt returned, from the start of the walk. */
  atMs: number;
  /** How long the attempt took (connect, login, proof action). */
  durationMs: number;
}

export interface LockoutWalkResult {
  steps: LockoutStep[];
  /** Good login works at the start. */
  controlOk: boolean;
  /** Good login still works after N-1 failures (twice, when the counter resets on success). */
  belowThresholdOk: boolean;
  /** Good login refused after N failures. */
  lockedAtThreshold: boolean;
  /** Still refused just before the declared duration ends. */
  stillLockedBeforeEnd?: boolean;
  /** Time from the N-th failure to the first accepted login, or undefined if never within the window. */
  measuredLockMs?: number;
  /**
   * When the latest good login the duration step saw refused began (ms from the N-th failure): the
   * lock provably held past it. A lock is only shown too long by a refusal after T + tolerance; an
   * accept that comes later after a gap (the harness late, a poll across the limit) shows nothing.
   */
  refusedUntilMs?: number;
  /**
   * When the accepted login of the duration step had ENDED (ms from the N-th failure): the device
   * decided somewhere between measuredLockMs and this, so a lock is only shown short by it.
   */
  acceptedByMs?: number;
  /**
   * How much longer the lock may really have been than measuredLockMs: the device may count the
   * N-th failure (and start the lock) any time between receiving it and replying, and a login
   * with a fail delay replies seconds later. Measured as the N-th failure attempt's duration.
   */
  lockStartUncertaintyMs?: number;
  /** Failures after which the good credential was first refused (measured threshold), when determinable. */
  measuredThreshold?: number;
  /** Most consecutive failures tried before a good login when looking for a late lock (set when no lock at N). */
  probedUpTo?: number;
  /** An attempt gave no decision (timeout, garbage): the walk can't conclude. */
  undecided?: string;
}

export interface WalkIo {
  surface: AuthSurface;
  username: string;
  good: string;
  bad: string;
  signal: AbortSignal;
  sleep: (ms: number) => Promise<void>;
  /** Called per attempt, for evidence. */
  onStep?: (s: LockoutStep) => void;
}

/**
 * OWASP WSTG-ATHN-03 boundary walk against one auth surface: control, N-1 failures then good
 * (must work), N failures then good (must be refused), good just before T (refused), then good
 * until accepted (measures the actual lock duration). Waits follow the declared durations and end
 * when the good login works again.
 */
export async function lockoutWalk(policy: LockoutPolicy, io: WalkIo): Promise<LockoutWalkResult> {
  const t0 = performance.now();
  const steps: LockoutStep[] = [];
  const res: LockoutWalkResult = { steps, controlOk: false, belowThresholdOk: false, lockedAtThreshold: false };
  // Start of the latest attempt: the unlock is dated by when the accepted attempt BEGAN, so the
  // time its proof action takes (an MQTT telemetry wait, an OPC UA read) is not counted as lock time.
  let lastStart = t0;
  const tryOnce = async (label: string, which: 'good' | 'bad') => {
    lastStart = performance.now();
    const a = await io.surface.attempt(io.username, which === 'good' ? io.good : io.bad, io.signal);
    const s: LockoutStep = { label, password: which, outcome: a.outcome, detail: a.detail, atMs: Math.round(performance.now() - t0), durationMs: a.durationMs };
    steps.push(s);
    io.onStep?.(s);
    if (a.outcome === 'error') res.undecided ??= `${label}: ${a.detail}`;
    return a;
  };
  const failures = async (n: number, label: string) => {
    for (let i = 1; i <= n; i++) await tryOnce(`${label} bad #${i}`, 'bad');
  };
  // Waiting out a lock the walk does not measure: poll the good login until it works again,
  // bounded by the declared duration plus tolerance (a working login ends the wait, not a timer).
  const waitOut = async () => {
    const from = performance.now();
    const w = await untilUsable(io.surface, io.username, io.good, { fromMs: 0, untilMs: policy.durationMs + policy.toleranceMs, since: () => performance.now() - from, signal: io.signal, sleep: io.sleep });
    if (!w.accepted) return;
    const s: LockoutStep = { label: 'good once the lock is over', password: 'good', outcome: 'accepted', detail: w.detail, atMs: Math.round(performance.now() - t0), durationMs: 0 };
    steps.push(s);
    io.onStep?.(s);
  };

  // 0. positive control
  res.controlOk = (await tryOnce('control', 'good')).outcome === 'accepted';
  if (!res.controlOk || res.undecided) return res;

  // 1. below threshold (twice when the counter resets on success)
  const n = policy.threshold;
  let below = true;
  for (let round = 1; round <= (policy.resetOnSuccess ? 2 : 1); round++) {
    await failures(n - 1, `round ${round}`);
    const g = await tryOnce(`round ${round} good after ${n - 1} failures`, 'good');
    if (g.outcome !== 'accepted') {
      below = false;
      res.measuredThreshold = n - 1;
      break;
    }
  }
  res.belowThresholdOk = below;
  if (res.undecided) return res;
  if (!below) {
    // Locked early: wait out the lock so later steps start clean.
    await waitOut();
    return res;
  }

  // 2. at threshold
  await failures(n, 'threshold');
  // The lock began somewhere between sending the N-th failure and its reply (lastStart .. now).
  const lockStart = performance.now();
  res.lockStartUncertaintyMs = Math.round(lockStart - lastStart);
  const atN = await tryOnce(`good after ${n} failures`, 'good');
  res.lockedAtThreshold = isRefusal(atN.outcome) || atN.outcome === 'restricted';
  if (res.undecided) return res;
  if (!res.lockedAtThreshold) {
    // No lock at N: find whether it locks later (measured threshold). The good login just made
    // reset the counter where successes reset it, so each try is k fresh failures then a good
    // login, k = N+1 .. 2N; otherwise the counter keeps running and one more failure per try will do.
    const upTo = policy.resetOnSuccess ? 2 * n : 4 * n;
    res.probedUpTo = upTo;
    for (let k = n + 1; k <= upTo && !res.undecided; k++) {
      await failures(policy.resetOnSuccess ? k : 1, `late k=${k}`);
      const g = await tryOnce(`good after ${k} failures`, 'good');
      if (isRefusal(g.outcome)) {
        res.measuredThreshold = k;
        await waitOut();
        break;
      }
    }
    return res;
  }
  res.measuredThreshold = n;

  // 3. duration: one probe shortly before T, then poll from T until T + tolerance. The early probe
  // is sent ahead by the time a refused attempt took (an OPC UA secure channel opens before the
  // login is even seen), so it reaches the device at about T - delta, not after T.
  const delta = Math.min(policy.toleranceMs, Math.max(200, policy.durationMs / 4));
  const sinceLock = () => performance.now() - lockStart;
  const lead = Math.min(atN.durationMs, policy.durationMs / 2);
  const beforeEnd = policy.durationMs - delta - lead;
  if (beforeEnd > sinceLock()) {
    await io.sleep(Math.ceil(beforeEnd - sinceLock()));
    const early = await tryOnce('good just before declared lock end', 'good');
    res.stillLockedBeforeEnd = isRefusal(early.outcome);
    if (res.stillLockedBeforeEnd) res.refusedUntilMs = Math.round(lastStart - lockStart);
    if (early.outcome === 'accepted') {
      res.measuredLockMs = Math.round(lastStart - lockStart);
      res.acceptedByMs = Math.round(performance.now() - lockStart);
      return res;
    }
  }
  // Rounded up (+1): a timer may fire a fraction of a millisecond early by performance.now().
  if (policy.durationMs > sinceLock()) await io.sleep(Math.ceil(policy.durationMs - sinceLock()) + 1);
  const pollEvery = Math.max(100, Math.min(500, policy.toleranceMs / 4));
  const max = policy.durationMs + policy.toleranceMs;
  while (sinceLock() <= max + 5 * pollEvery) {
    const g = await tryOnce('good after declared lock end', 'good');
    if (g.outcome === 'accepted') {
      res.measuredLockMs = Math.round(lastStart - lockStart);
      res.acceptedByMs = Math.round(performance.now() - lockStart);
      break;
    }
    if (g.outcome === 'error') break;
    if (isRefusal(g.outcome)) res.refusedUntilMs = Math.round(lastStart - lockStart);
    // The poll that crosses T + tolerance is sent just past it: a refusal there proves the lock too long.
    const toLimit = max + 1 - sinceLock();
    await io.sleep(toLimit > 0 ? Math.min(pollEvery, Math.ceil(toLimit)) : pollEvery);
  }
  return res;
}

/**
 * Whether the walk proved the lock held past `maxMs` (ms from the N-th failure): only a refusal
 * that began after it does; a later accept after a gap (the harness late) proves nothing either way.
 */
export function lockHeldPast(w: Pick<LockoutWalkResult, 'refusedUntilMs'>, maxMs: number): boolean {
  return (w.refusedUntilMs ?? -1) > maxMs;
}

/**
 * Whether the walk proved the lock over before `minMs`: the accepted login had ended by then (an
 * attempt the harness stalled in may have reached the device later than it began).
 */
export function lockOverBefore(w: Pick<LockoutWalkResult, 'acceptedByMs'>, minMs: number): boolean {
  return w.acceptedByMs !== undefined && w.acceptedByMs < minMs;
}

/** Good logins the walk saw accepted after `threshold` or more consecutive failures. */
export function acceptedPastThreshold(w: LockoutWalkResult, threshold: number): LockoutStep[] {
  return w.steps.filter((s) => s.password === 'good' && s.outcome === 'accepted' && Number(/^good after (\d+) failures$/.exec(s.label)?.[1] ?? -1) >= threshold);
}
