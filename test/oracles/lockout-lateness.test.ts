// The harness's own delays never become a device FAIL in the lockout timing checks: a lock is shown
// too long (or extended) only by a refusal that BEGAN after T + tolerance. A harness that stalls
// across the limit proves nothing (INCONCLUSIVE); a device that really holds the lock longer is a
// FAIL. Model devices on the real clock; the stall is the harness's sleep overshooting.
import { describe, expect, test } from 'vitest';
import type { CheckFinding } from '../../harness/core/finding.js';
import { lockEpisode, type EpisodePolicy } from '../../harness/oracles/lockout-episode.js';
import { lockHeldPast, lockOverBefore, lockoutWalk, type LockoutPolicy } from '../../harness/oracles/lockout-walk.js';
import type { AuthAttempt, AuthSurface } from '../../harness/protocols/capabilities/auth-surface.js';

/** Locks after `threshold` failures for `lockMs`; with `extends`, a wrong password while locked restarts the lock. */
function device(o: { threshold: number; lockMs: number; extends?: boolean; onLock?: () => void }): AuthSurface {
  let failures = 0;
  let lockedUntil = 0;
  const now = () => performance.now();
  return {
    iface: 'mqtt',
    async attempt(_u, password): Promise<AuthAttempt> {
      if (now() < lockedUntil) {
        if (password !== 'good' && o.extends) lockedUntil = now() + o.lockMs;
        return { outcome: 'locked', detail: 'locked', durationMs: 0 };
      }
      if (password === 'good') {
        failures = 0;
        return { outcome: 'accepted', detail: 'ok', durationMs: 0 };
      }
      if (++failures >= o.threshold) {
        failures = 0;
        lockedUntil = now() + o.lockMs;
        o.onLock?.();
      }
      return { outcome: 'refused', detail: 'bad credentials', durationMs: 0 };
    },
  };
}

/** A sleep that overshoots by `stallMs` once `stalling()` holds (the harness's own lateness). */
const sleeper = (stalling: () => boolean, stallMs: number) => (ms: number) => new Promise<void>((r) => setTimeout(r, ms + (stalling() ? stallMs : 0)));
const signal = new AbortController().signal;

describe('lockout duration (boundary walk): too long only by a refusal past T + tolerance', () => {
  const policy: LockoutPolicy = { threshold: 3, durationMs: 400, toleranceMs: 200, resetOnSuccess: true };
  const max = policy.durationMs + policy.toleranceMs;

  test('the harness stalls across the limit while the device unlocks on time → the overrun is not proven', async () => {
    let locked = false;
    const surface = device({ threshold: 3, lockMs: 400, onLock: () => (locked = true) });
    const r = await lockoutWalk(policy, { surface, username: 'u', good: 'good', bad: 'bad', signal, sleep: sleeper(() => locked, 700) });
    expect(r.lockedAtThreshold).toBe(true);
    // Measured naively, the lock "lasted" past T + tolerance...
    expect(r.measuredLockMs).toBeGreaterThan(max);
    // ...but no refusal began after the limit: the scenario records INCONCLUSIVE, not FAIL.
    expect(lockHeldPast(r, max)).toBe(false);
  });

  test('a device that holds the lock twice as long → a refusal past the limit proves it', async () => {
    const surface = device({ threshold: 3, lockMs: 1200 });
    const r = await lockoutWalk(policy, { surface, username: 'u', good: 'good', bad: 'bad', signal, sleep: sleeper(() => false, 0) });
    expect(r.lockedAtThreshold).toBe(true);
    expect(lockHeldPast(r, max)).toBe(true);
  });
});

describe('lockout duration (boundary walk): too short only by an accept that had ended before T', () => {
  const policy: LockoutPolicy = { threshold: 3, durationMs: 1000, toleranceMs: 400, resetOnSuccess: true };

  test('the harness stalls inside the probe before T, which reaches the device after T → the short lock is not proven', async () => {
    let locked = false;
    const inner = device({ threshold: 3, lockMs: 1000, onLock: () => (locked = true) });
    // After the lock, a good login is held up 600 ms inside the harness before it reaches the device.
    const surface: AuthSurface = {
      iface: 'mqtt',
      async attempt(u, p, s) {
        if (locked && p === 'good') await new Promise((r) => setTimeout(r, 600));
        return inner.attempt(u, p, s);
      },
    };
    const r = await lockoutWalk(policy, { surface, username: 'u', good: 'good', bad: 'bad', signal, sleep: sleeper(() => false, 0) });
    // Dated by when it began, the accept looks early...
    expect(r.measuredLockMs).toBeLessThan(policy.durationMs);
    // ...but it ended after T: the scenario records INCONCLUSIVE, not FAIL.
    expect(lockOverBefore(r, policy.durationMs)).toBe(false);
  });

  test('a device whose lock lasts a tenth of the declared one → the accept had ended before T', async () => {
    const r = await lockoutWalk(policy, { surface: device({ threshold: 3, lockMs: 100 }), username: 'u', good: 'good', bad: 'bad', signal, sleep: sleeper(() => false, 0) });
    expect(r.measuredLockMs).toBeLessThan(policy.durationMs);
    expect(lockOverBefore(r, policy.durationMs)).toBe(true);
  });
});

describe('lock extension (episode): extended only by a refusal past T + tolerance', () => {
  const policy: EpisodePolicy = { threshold: 3, durationMs: 600, toleranceMs: 300, scope: 'account', extendsOnAttempt: false };
  const run = async (surface: AuthSurface, sleep: (ms: number) => Promise<void>) => {
    const j = await lockEpisode(policy, { surface, iface: 'mqtt', username: 'u', good: 'good', bad: 'bad', signal, sleep, log: () => undefined });
    return j.findings.find((f): f is CheckFinding & { kind: 'check' } => f.kind === 'check' && f.name === 'lockoutNotExtended[mqtt]');
  };

  test('a device that does not extend → PASS', async () => {
    const c = await run(device({ threshold: 3, lockMs: 600 }), sleeper(() => false, 0));
    expect(c?.passed, c?.reason).toBe(true);
  });

  test('a device that restarts the lock on every wrong password → FAIL, refused past the limit', async () => {
    const c = await run(device({ threshold: 3, lockMs: 600, extends: true }), sleeper(() => false, 0));
    expect(c?.passed).toBe(false);
    expect(c?.onFail).toBeUndefined();
    expect(c?.reason).toMatch(/lock on mqtt extended by attempts: \d+ wrong password\(s\) during the lock kept the good password refused (\d+) ms after the lock began/);
    expect(Number(/refused (\d+) ms/.exec(c!.reason)![1])).toBeGreaterThan(900);
  });

  test('the harness stalls past the window while the device unlocks on time → INCONCLUSIVE, never FAIL', async () => {
    let locked = false;
    const surface = device({ threshold: 3, lockMs: 600, onLock: () => (locked = true) });
    const c = await run(surface, sleeper(() => locked, 1500));
    expect(c?.passed).toBe(false);
    expect(c?.onFail).toBe('INCONCLUSIVE');
    expect(c?.reason).toMatch(/lock extension on mqtt not decided/);
  });
});
