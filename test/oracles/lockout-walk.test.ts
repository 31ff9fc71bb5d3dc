import { describe, expect, test } from 'vitest';
import type { AuthAttempt, AuthSurface } from '../../harness/protocols/capabilities/auth-surface.js';
import { lockoutWalk, type LockoutPolicy } from '../../harness/oracles/lockout-walk.js';

/** A model device for the walk's own logic: locks after `threshold` failures for `lockMs` (or never). */
function modelDevice(threshold: number | undefined, lockMs: number, now: () => number): AuthSurface {
  let failures = 0;
  let lockedUntil = 0;
  return {
    iface: 'console',
    async attempt(_u, password): Promise<AuthAttempt> {
      if (now() < lockedUntil) return { outcome: 'locked', detail: 'locked', durationMs: 0 };
      if (password !== 'good') {
        failures++;
        if (threshold !== undefined && failures >= threshold) {
          lockedUntil = now() + lockMs;
          failures = 0;
        }
        return { outcome: 'refused', detail: 'Login incorrect', durationMs: 0 };
      }
      failures = 0;
      return { outcome: 'accepted', detail: 'shell', durationMs: 0 };
    },
  };
}

const policy: LockoutPolicy = { threshold: 3, durationMs: 400, toleranceMs: 200, resetOnSuccess: true };
const io = (surface: AuthSurface) => ({
  surface,
  username: 'u',
  good: 'good',
  bad: 'bad',
  signal: new AbortController().signal,
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
});

describe('lockout boundary walk', () => {
  test('a device that locks exactly at N for T passes every step and the duration is measured', async () => {
    const r = await lockoutWalk(policy, io(modelDevice(3, 400, () => performance.now())));
    expect(r.controlOk).toBe(true);
    expect(r.belowThresholdOk).toBe(true);
    expect(r.lockedAtThreshold).toBe(true);
    expect(r.stillLockedBeforeEnd).toBe(true);
    expect(r.measuredThreshold).toBe(3);
    expect(r.measuredLockMs).toBeGreaterThanOrEqual(400);
    expect(r.measuredLockMs).toBeLessThanOrEqual(400 + 200 + 600);
  });

  test('a device without lockout is caught: good login works after N failures', async () => {
    const r = await lockoutWalk(policy, io(modelDevice(undefined, 0, () => performance.now())));
    expect(r.lockedAtThreshold).toBe(false);
    expect(r.measuredThreshold).toBeUndefined();
  });

  test('a device that locks too early fails the below-threshold step', async () => {
    const r = await lockoutWalk({ ...policy, durationMs: 100, toleranceMs: 50 }, io(modelDevice(2, 100, () => performance.now())));
    expect(r.belowThresholdOk).toBe(false);
    expect(r.measuredThreshold).toBe(2);
  });

  test('a device whose lock is much shorter than declared is measured short', async () => {
    const r = await lockoutWalk({ ...policy, durationMs: 1000, toleranceMs: 200 }, io(modelDevice(3, 100, () => performance.now())));
    expect(r.lockedAtThreshold).toBe(true);
    expect(r.stillLockedBeforeEnd).toBe(false);
    expect(r.measuredLockMs).toBeLessThan(1000);
  });

  test('a device that locks later than declared (counter reset by each good login) gets its real threshold measured', async () => {
    const r = await lockoutWalk(policy, io(modelDevice(5, 100, () => performance.now())));
    expect(r.lockedAtThreshold).toBe(false);
    expect(r.measuredThreshold).toBe(5);
    expect(r.probedUpTo).toBe(6);
  });

  test('the probe before the declared end is sent ahead by a slow attempt, so it still lands inside the lock', async () => {
    // Decisions happen 300 ms into each attempt (like an OPC UA secure channel opening first):
    // sent at T - delta (750 ms) the probe would be decided after T and see the lock over.
    const inner = modelDevice(3, 1000, () => performance.now());
    const slow = {
      iface: 'opcua' as const,
      async attempt(u: string, p: string, s: AbortSignal) {
        await new Promise((r) => setTimeout(r, 300));
        const a = await inner.attempt(u, p, s);
        return { ...a, durationMs: 300 };
      },
    };
    const r = await lockoutWalk({ ...policy, durationMs: 1000, toleranceMs: 400 }, io(slow));
    expect(r.stillLockedBeforeEnd).toBe(true);
    expect(r.measuredLockMs).toBeGreaterThanOrEqual(1000);
  });
});
