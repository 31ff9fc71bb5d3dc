// The suite figure's declared device waits (bench/suite-time.bench.ts): lockout walks of counters
// the profile declares independent run at the same time, so only the longest lane's locks count;
// idle sessions the profile declares independent are waited out at once, so one idle timeout counts.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { declaredWaits } from '../../bench/suite-time.bench.js';
import type { Report } from '../../harness/core/result-schema.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';

const env = { ...process.env, HIL_SIM_ADMIN_PASSWORD: 'Waits-Admin#1', HIL_SIM_OPERATOR_PASSWORD: 'Waits-Oper#1' };
const SIM_HARDENED = join(import.meta.dirname, '../../targets/sim-hardened.yaml');
const ranIdle = { results: [{ scenarioId: 'idle-session-timeout', verdict: 'PASS' }] } as unknown as Report;
const ranLockout = { results: [{ scenarioId: 'lockout', verdict: 'PASS' }] } as unknown as Report;

describe('declared lockout waits', () => {
  test('independent counters: the longest lane (MQTT then OPC UA), not every interface', () => {
    const { profile } = loadTargetFile(SIM_HARDENED, env);
    const [w] = declaredWaits(profile, ranLockout);
    expect(w).toMatchObject({ scenarioId: 'lockout', ms: 2 * profile.policy.lockout!.durationMs });
    expect(w!.formula).toMatch(/longest of 2 concurrent lanes: console \| mqtt\+opcua/);
  });

  test('no independent counters declared: one lock per interface, one after another', () => {
    const { profile } = loadTargetFile(SIM_HARDENED, env);
    delete profile.policy.lockout!.independentCounters;
    const [w] = declaredWaits(profile, ranLockout);
    expect(w).toMatchObject({ ms: 3 * profile.policy.lockout!.durationMs, formula: `3 interfaces × lockout.durationMs ${profile.policy.lockout!.durationMs}` });
  });
});

describe('declared idle-session waits', () => {
  test('independent idle sessions: one idle timeout for both console endpoints; otherwise one per endpoint', () => {
    const { profile } = loadTargetFile(SIM_HARDENED, env);
    expect(declaredWaits(profile, ranIdle)[0]).toMatchObject({ ms: 3000, formula: '1 × idleTimeoutMs 3000 (2 endpoints at once: independentIdleSessions)' });
    profile.policy.independentIdleSessions = false;
    expect(declaredWaits(profile, ranIdle)[0]).toMatchObject({ ms: 6000, formula: '2 × idleTimeoutMs 3000' });
  });
});
